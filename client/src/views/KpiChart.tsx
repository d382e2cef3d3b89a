/**
 * One small uPlot chart of the KPI panel, in its own chunk: the panel starts closed, so uPlot (and its CSS) load only
 * when someone opens it, not on the way to the first floor.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const AXIS_FONT = '10px system-ui, sans-serif';
const AXIS_STROKE = '#94a3b8';
const GRID_STROKE = 'rgba(148, 163, 184, 0.15)';

/** One plotted series: how it is drawn and labelled. */
export interface SeriesSpec {
  readonly label: string;
  readonly stroke: string;
  /** Line dash in CSS pixels (empty = solid), so series differ by more than colour. */
  readonly dash?: number[];
  readonly bars?: boolean;
}

/** A small uPlot chart: built once per series set, then only `setData` when the data changes. */
export default function Chart({
  size, series, data, yLabel, yMax,
}: {
  size: { readonly width: number; readonly height: number };
  series: readonly SeriesSpec[];
  data: uPlot.AlignedData;
  yLabel: (v: number) => string;
  yMax?: number;
}) {
  const target = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  latest.current = data;
  const formatY = useRef(yLabel);
  formatY.current = yLabel;

  useEffect(() => {
    const element = target.current;
    if (element === null) return undefined;
    const options: uPlot.Options = {
      width: size.width,
      height: size.height,
      legend: { show: false },
      cursor: { show: false },
      // From zero, so a bar's height reads as a quantity; a share has its fixed top.
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, yMax ?? (max !== null && max > 0 ? max * 1.1 : 1)] } },
      axes: [
        {
          stroke: AXIS_STROKE,
          font: AXIS_FONT,
          size: 20,
          space: 40,
          grid: { show: false },
          ticks: { show: false },
          values: (_u, splits) => splits.map((s) => `${String(new Date(s * 1000).getHours()).padStart(2, '0')}h`),
        },
        {
          stroke: AXIS_STROKE,
          font: AXIS_FONT,
          size: 36,
          space: 24,
          grid: { stroke: GRID_STROKE, width: 1 },
          ticks: { show: false },
          values: (_u, splits) => splits.map((s) => formatY.current(s)),
        },
      ],
      series: [
        {},
        ...series.map((s): uPlot.Series => ({
          label: s.label,
          stroke: s.stroke,
          width: 1.5,
          ...(s.dash === undefined ? {} : { dash: s.dash }),
          ...(s.bars ? { fill: `${s.stroke}99`, paths: uPlot.paths.bars!({ size: [0.7, 12] }), points: { show: false } } : { points: { show: true, size: 3 } }),
          spanGaps: false,
        })),
      ],
    };
    const chart = new uPlot(options, latest.current, element);
    plot.current = chart;
    return () => {
      chart.destroy();
      plot.current = null;
    };
  }, [series, yMax, size]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div className="kpi-chart__plot" ref={target} aria-hidden="true" />;
}
