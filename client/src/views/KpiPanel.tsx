/**
 * The KPI panel over the floor: throughput, order lead time, picks per picker-hour and scan accuracy for the last 24
 * hours of twin time (uPlot charts), and the carrier cut-off status. Every chart has its figures in text too, and
 * series differ by dash and marker, not colour only. Re-renders when the KPI store changes (at most every 2 s).
 */
import { lazy, Suspense, useId, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import type uPlot from 'uplot';
import type { SeriesSpec } from './KpiChart.tsx';
import { KPI_BUCKET_MS, type KpiHourView, type KpiView } from '../../../server/protocol/kpis.ts';
import { kpiStore as defaultKpiStore, type KpiStore } from '../net/kpi-store.ts';
import './kpi-panel.css';

/** The chart and uPlot load when the panel first opens (it starts closed over the floor). */
const Chart = lazy(() => import('./KpiChart.tsx'));
/** A chart's size, CSS pixels; its placeholder has it too while the chart's chunk loads. */
const CHART_SIZE = { width: 138, height: 86 } as const;

const count = new Intl.NumberFormat('en-GB');
const oneDecimal = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 });
const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });

/** A duration for people: "42 min", "1 h 05 min". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

const showRate = (n: number | null): string => (n === null ? '–' : oneDecimal.format(n));
const showShare = (n: number | null): string => (n === null ? '–' : percent.format(n));

type Values = (number | null)[];

/** Legend entry with the series' dash drawn as a short line (not colour only). */
function Key({ spec }: { spec: SeriesSpec }) {
  return (
    <span className="kpi-key">
      <svg width="18" height="8" aria-hidden="true" className="kpi-key__mark">
        {spec.bars ? (
          <rect x="5" y="0" width="8" height="8" fill={spec.stroke} />
        ) : (
          <line x1="0" y1="4" x2="18" y2="4" stroke={spec.stroke} strokeWidth="2" strokeDasharray={spec.dash?.join(' ')} />
        )}
      </svg>
      {spec.label}
    </span>
  );
}

const THROUGHPUT: readonly SeriesSpec[] = [
  { label: 'Received', stroke: '#60a5fa' },
  { label: 'Picked', stroke: '#f59e0b', dash: [4, 3] },
  { label: 'Despatched', stroke: '#22c55e', dash: [1, 3] },
];
const LEAD_TIME: readonly SeriesSpec[] = [
  { label: 'Median', stroke: '#a78bfa' },
  { label: 'p90', stroke: '#f472b6', dash: [4, 3] },
];
const PICK_RATE: readonly SeriesSpec[] = [{ label: 'Picks / picker-hour', stroke: '#38bdf8', bars: true }];
const ACCURACY: readonly SeriesSpec[] = [{ label: 'Accepted scans', stroke: '#34d399' }];

/** Hours charted at least, even when counting began more recently. */
const MIN_CHART_HOURS = 6;

/**
 * The hours worth charting: from the hour counting began (earlier ones were not observed, so they are not zeros), at
 * least the last {@link MIN_CHART_HOURS}.
 */
export function chartedHours(view: KpiView): readonly KpiHourView[] {
  const first = view.hours.findIndex((h) => h.hourStart + KPI_BUCKET_MS > view.countingSince);
  const start = Math.min(first === -1 ? view.hours.length : first, Math.max(0, view.hours.length - MIN_CHART_HOURS));
  return view.hours.slice(start);
}

/** The charts' data, built once per view. */
function chartData(hours: readonly KpiHourView[]) {
  const x = hours.map((h) => h.hourStart / 1000);
  const pick = (f: (h: KpiHourView) => number | null): Values => hours.map(f);
  const minutes = (ms: number | null): number | null => (ms === null ? null : ms / 60_000);
  return {
    throughput: [x, pick((h) => h.ordersReceived), pick((h) => h.ordersPicked), pick((h) => h.ordersDespatched)] as uPlot.AlignedData,
    leadTime: [x, pick((h) => minutes(h.leadTimeMedianMs)), pick((h) => minutes(h.leadTimeP90Ms))] as uPlot.AlignedData,
    pickRate: [x, pick((h) => h.picksPerPickerHour)] as uPlot.AlignedData,
    accuracy: [x, pick((h) => (h.accuracy === null ? null : h.accuracy * 100))] as uPlot.AlignedData,
  };
}

function Figure({
  id,
  title,
  series,
  data,
  yLabel,
  yMax,
  testId,
  children,
}: {
  id: string;
  title: string;
  series: readonly SeriesSpec[];
  data: uPlot.AlignedData;
  yLabel: (v: number) => string;
  yMax?: number;
  testId: string;
  children: ReactNode;
}) {
  return (
    <figure className="kpi-chart" aria-labelledby={`${id}-title`} aria-describedby={`${id}-text`} data-testid={testId}>
      <h3 className="kpi-chart__title" id={`${id}-title`}>
        {title}
      </h3>
      <Suspense fallback={<div className="kpi-chart__plot" style={CHART_SIZE} aria-hidden="true" />}>
        <Chart size={CHART_SIZE} series={series} data={data} yLabel={yLabel} {...(yMax === undefined ? {} : { yMax })} />
      </Suspense>
      <div className="kpi-chart__keys">
        {series.map((s) => (
          <Key key={s.label} spec={s} />
        ))}
      </div>
      <figcaption className="kpi-chart__text" id={`${id}-text`}>
        {children}
      </figcaption>
    </figure>
  );
}

const integerAxis = (v: number): string => (Number.isInteger(v) ? count.format(v) : '');
const minutesAxis = (v: number): string => (v >= 120 ? `${Math.round(v / 60)}h` : `${Math.round(v)}m`);
const percentAxis = (v: number): string => `${Math.round(v)}%`;

function CutoffRow({ view }: { view: KpiView }) {
  const c = view.cutoff;
  const total = c.onTime + c.late + c.atRisk + c.open;
  return (
    <section className="kpi-cutoff" aria-labelledby="kpi-cutoff-title" data-testid="kpi-cutoff">
      <h3 className="kpi-chart__title" id="kpi-cutoff-title">
        Carrier cut-off
      </h3>
      {total === 0 ? (
        <p className="kpi-chart__text">No orders with a cut-off in the last 24 h.</p>
      ) : (
        <>
          <ul className="kpi-cutoff__counts">
            <li className="kpi-cutoff__item kpi-cutoff__item--ok">
              <span aria-hidden="true">✓</span> On time <strong>{count.format(c.onTime)}</strong>
            </li>
            <li className="kpi-cutoff__item kpi-cutoff__item--late">
              <span aria-hidden="true">✕</span> Late <strong>{count.format(c.late)}</strong>
              {c.overdue > 0 && <span className="kpi-cutoff__sub"> ({count.format(c.overdue)} not despatched)</span>}
            </li>
            <li className="kpi-cutoff__item kpi-cutoff__item--risk">
              <span aria-hidden="true">!</span> At risk <strong>{count.format(c.atRisk)}</strong>
            </li>
            <li className="kpi-cutoff__item">
              <span aria-hidden="true">○</span> Open <strong>{count.format(c.open)}</strong>
            </li>
          </ul>
          {c.urgent.length > 0 && (
            <p className="kpi-chart__text kpi-cutoff__urgent">
              Due first:{' '}
              {c.urgent.slice(0, 3).map((u, i) => (
                <span key={u.orderId}>
                  {i > 0 && ', '}
                  {u.orderId} {u.dueAt < view.at ? 'was due' : 'due'} {clock.format(u.dueAt)}
                </span>
              ))}
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** Props of `KpiPanel`; the store defaults to the page's. */
export interface KpiPanelProps {
  readonly store?: KpiStore;
  /** Open at first (default true). */
  readonly defaultOpen?: boolean;
}

/** Collapsible KPI panel; `data-testid="kpi-panel"`, `data-seq` = seq of the view shown. */
export function KpiPanel({ store = defaultKpiStore, defaultOpen = true }: KpiPanelProps) {
  const { view, error } = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const [open, setOpen] = useState(defaultOpen);
  const id = useId();
  const data = useMemo(() => (view === null ? null : chartData(chartedHours(view))), [view]);
  const bodyId = `${id}-body`;
  const hour = view?.hours.at(-1);
  const t = view?.totals;

  return (
    <section className="panel kpi-panel" aria-labelledby={`${id}-heading`} data-testid="kpi-panel" data-seq={view?.seq ?? -1}>
      <header className="kpi-panel__header">
        <h2 className="kpi-panel__title" id={`${id}-heading`}>
          KPIs <span className="kpi-panel__window">by hour, last 24 h</span>
        </h2>
        <button type="button" className="kpi-panel__toggle" aria-expanded={open} aria-controls={bodyId} onClick={() => setOpen((o) => !o)}>
          {open ? 'Hide' : 'Show'}
        </button>
      </header>
      {open && (
        <div id={bodyId} className="kpi-panel__body">
          {view === null || data === null || hour === undefined || t === undefined ? (
            <p className="kpi-chart__text" role={error === null ? undefined : 'alert'}>
              {error === null ? 'Waiting for KPIs…' : `KPIs unavailable: ${error}`}
            </p>
          ) : (
            <>
              <div className="kpi-panel__grid">
                <Figure id={`${id}-tp`} title="Orders per hour" series={THROUGHPUT} data={data.throughput} yLabel={integerAxis} testId="kpi-throughput">
                  This hour {count.format(hour.ordersReceived)} received, {count.format(hour.ordersPicked)} picked,{' '}
                  {count.format(hour.ordersDespatched)} despatched. 24 h: {count.format(t.ordersReceived)} / {count.format(t.ordersPicked)} /{' '}
                  {count.format(t.ordersDespatched)}.
                </Figure>
                <Figure id={`${id}-lt`} title="Order lead time" series={LEAD_TIME} data={data.leadTime} yLabel={minutesAxis} testId="kpi-lead-time">
                  {t.leadTimeMedianMs === null
                    ? 'No orders despatched yet.'
                    : `Created to despatched: median ${formatDuration(t.leadTimeMedianMs)}, p90 ${formatDuration(t.leadTimeP90Ms)}.`}
                </Figure>
                <Figure id={`${id}-pr`} title="Picks per picker-hour" series={PICK_RATE} data={data.pickRate} yLabel={integerAxis} testId="kpi-pick-rate">
                  This hour {showRate(hour.picksPerPickerHour)} ({count.format(hour.picks)} picks, {oneDecimal.format(hour.pickerHours)} picker-h). 24 h:{' '}
                  {showRate(t.picksPerPickerHour)}.
                </Figure>
                <Figure id={`${id}-ac`} title="Pick accuracy" series={ACCURACY} data={data.accuracy} yLabel={percentAxis} yMax={100} testId="kpi-accuracy">
                  {t.accuracy === null
                    ? 'No handheld scans yet.'
                    : `${showShare(t.accuracy)} of ${count.format(t.scansAccepted + t.scansRefused)} handheld scans accepted; ${count.format(t.scansRefused)} wrong location or item.`}
                </Figure>
              </div>
              <CutoffRow view={view} />
              {view.countingSince > view.hours[0]!.hourStart && (
                <p className="kpi-panel__note">Counting since {clock.format(view.countingSince)} (twin time).</p>
              )}
            </>
          )}
        </div>
      )}
    </section>
  );
}
