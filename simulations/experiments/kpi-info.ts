/** How each headline KPI is named, shown and judged: shared by experiments, the report and the CLI tables. */
import type { SimulationKpis } from '../model/result.ts';

export interface KpiInfo {
  readonly label: string;
  readonly unit: string;
  /** Which direction is an improvement. */
  readonly better: 'higher' | 'lower';
  /** Decimals to show. */
  readonly digits: number;
  /** Shown as a percentage (the value is a share 0..1). */
  readonly percent?: boolean;
}

/** Every KPI of `SimulationKpis`, in the order tables show them (the Record type keeps the list complete). */
export const KPI_INFO: Readonly<Record<keyof SimulationKpis, KpiInfo>> = {
  ordersArrived: { label: 'Orders arrived', unit: '', better: 'higher', digits: 0 },
  ordersDespatched: { label: 'Orders despatched', unit: '', better: 'higher', digits: 0 },
  ordersDespatchedByCutoff: { label: 'Despatched by cut-off', unit: '', better: 'higher', digits: 0 },
  cutoffHitRate: { label: 'Cut-off hit rate', unit: '%', better: 'higher', digits: 1, percent: true },
  linesPicked: { label: 'Lines picked', unit: '', better: 'higher', digits: 0 },
  leadTimeP50Minutes: { label: 'Lead time p50', unit: 'min', better: 'lower', digits: 1 },
  leadTimeP95Minutes: { label: 'Lead time p95', unit: 'min', better: 'lower', digits: 1 },
  distanceWalkedMetres: { label: 'Distance walked', unit: 'm', better: 'lower', digits: 0 },
  picksPerPickerHour: { label: 'Picks per picker-hour', unit: '', better: 'higher', digits: 1 },
  pickerUtilisation: { label: 'Picker utilisation', unit: '%', better: 'higher', digits: 1, percent: true },
  packUtilisation: { label: 'Pack utilisation', unit: '%', better: 'higher', digits: 1, percent: true },
  congestionMinutes: { label: 'Congestion', unit: 'min', better: 'lower', digits: 1 },
};

/** The KPI names in table order. */
export const KPI_NAMES = Object.keys(KPI_INFO) as (keyof SimulationKpis)[];

/** A KPI value as text in its unit (`93.4 %`, `1,234 m`). */
export function formatKpi(name: keyof SimulationKpis, value: number): string {
  const info = KPI_INFO[name];
  const shown = info.percent ? value * 100 : value;
  const text = shown.toLocaleString('en-GB', { minimumFractionDigits: info.digits, maximumFractionDigits: info.digits });
  return info.unit === '' ? text : `${text} ${info.unit}`;
}
