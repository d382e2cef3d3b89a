/**
 * A small, deterministic `SimulationResult` for report tests, recorded through the real `MetricsRecorder` (a day of
 * synthetic arrivals, picks, walks and despatches) so the series, histogram and heat map have realistic shapes.
 */
import { epochMs } from '../../server/twin/ids.ts';
import { createRng } from '../../server/twin/rng.ts';
import { MetricsRecorder } from '../model/metrics.ts';
import type { SimulationResult } from '../model/result.ts';

export function sampleResult(scenario = 'sample day'): SimulationResult {
  const startAt = epochMs(Date.UTC(2026, 10, 27, 6, 0, 0));
  const endAt = epochMs(startAt + 8 * 3_600_000);
  const rng = createRng(42);
  const rec = new MetricsRecorder({ startAt, endAt, sampleMinutes: 15, layoutBounds: { minX: 0, minY: 0, maxX: 40, maxY: 24 } });
  const pending: number[] = [];
  for (let minute = 0; minute < 480; minute++) {
    const at = epochMs(startAt + minute * 60_000);
    const busyness = Math.sin((Math.PI * minute) / 480);
    if (rng.next() < 0.3 + 0.6 * busyness) {
      rec.orderArrived(at, 1 + Math.floor(rng.next() * 4));
      pending.push(at);
    }
    if (minute % 2 === 0 && pending.length > 0 && rng.next() < 0.9) {
      rec.linesPicked(at, 2);
      const aisle = 2 + 4 * Math.floor(rng.next() * 9);
      rec.walked({ x: 0, y: 0 }, { x: aisle, y: 0 });
      rec.walked({ x: aisle, y: 0 }, { x: aisle, y: 2 + rng.next() * 20 });
      const arrivedAt = pending.shift()!;
      rec.orderDespatched(epochMs(Math.min(endAt, at + 20 * 60_000)), epochMs(arrivedAt), rng.next() < 0.9);
    }
    rec.levels(at, { backlog: pending.length, pickersOnShift: minute < 240 ? 8 : 6, pickersBusy: Math.min(6, pending.length) });
  }
  const { leadTimeMinutes, series, heatmap } = rec.finish();
  const t = rec.totals;
  return {
    scenario,
    seed: 42,
    startAt: new Date(startAt).toISOString(),
    endAt: new Date(endAt).toISOString(),
    events: 12_345,
    kpis: {
      ordersArrived: t.ordersArrived,
      ordersDespatched: t.ordersDespatched,
      ordersDespatchedByCutoff: t.ordersDespatchedByCutoff,
      cutoffHitRate: t.ordersDespatchedByCutoff / Math.max(1, t.ordersDespatched),
      linesPicked: t.linesPicked,
      leadTimeP50Minutes: leadTimeMinutes.p50,
      leadTimeP95Minutes: leadTimeMinutes.p95,
      distanceWalkedMetres: t.metresWalked,
      picksPerPickerHour: t.linesPicked / 56,
      pickerUtilisation: 0.71,
      packUtilisation: 0.4,
      congestionMinutes: 12.5,
    },
    lines: { arrived: t.linesArrived, despatched: t.linesPicked, backordered: 0, cancelled: 0, open: t.linesArrived - t.linesPicked, balanced: true },
    leadTimeMinutes,
    series,
    heatmap,
    invariantViolations: [],
    rejected: { 'confirmPick:SHORT': 2 },
  };
}
