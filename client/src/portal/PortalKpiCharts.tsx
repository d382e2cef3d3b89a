/**
 * The portal's KPI charts (uPlot), shown beside the KPI table: orders received and despatched, the median lead time
 * and the on-time share per period. A lazy chunk of its own, so uPlot loads only when the KPIs tab opens. Every chart
 * is a figure with a title and its figures in words; series differ by dash and marker, not colour only.
 */
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './portal-charts.css';
import type { SeriesView } from './portal-api.ts';
import { chartSummaries, kpiChartData } from './portal-charts.ts';

const WIDTH = 350;
const HEIGHT = 170;
const AXIS = '#4a5361';
const GRID = 'rgba(74, 83, 97, 0.18)';
const FONT = '12px system-ui, sans-serif';

interface Line {
  readonly label: string;
  readonly stroke: string;
  readonly dash?: number[];
}

const date = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

function Chart({ lines, data, yLabel, yMax }: { lines: readonly Line[]; data: uPlot.AlignedData; yLabel: (v: number) => string; yMax?: number }) {
  const target = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  latest.current = data;

  useEffect(() => {
    const element = target.current;
    if (element === null) return undefined;
    const chart = new uPlot(
      {
        width: WIDTH,
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, yMax ?? (max !== null && max > 0 ? max * 1.1 : 1)] } },
        axes: [
          { stroke: AXIS, font: FONT, size: 26, space: 60, grid: { show: false }, values: (_u, splits) => splits.map((s) => date.format(s * 1000)) },
          { stroke: AXIS, font: FONT, size: 54, space: 30, grid: { stroke: GRID, width: 1 }, values: (_u, splits) => splits.map(yLabel) },
        ],
        series: [{}, ...lines.map((l): uPlot.Series => ({ label: l.label, stroke: l.stroke, width: 2, ...(l.dash ? { dash: l.dash } : {}), points: { show: true, size: 5 }, spanGaps: false }))],
      },
      latest.current,
      element,
    );
    plot.current = chart;
    return () => {
      chart.destroy();
      plot.current = null;
    };
  }, [lines, yLabel, yMax]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div className="portal-chart__plot" ref={target} aria-hidden="true" />;
}

function Key({ line }: { line: Line }) {
  return (
    <span className="portal-chart__key">
      <svg width="22" height="8" aria-hidden="true">
        <line x1="0" y1="4" x2="22" y2="4" stroke={line.stroke} strokeWidth="2" strokeDasharray={line.dash?.join(' ')} />
      </svg>
      {line.label}
    </span>
  );
}

const ORDERS: readonly Line[] = [
  { label: 'Received', stroke: '#0b5cad' },
  { label: 'Despatched', stroke: '#1e6b34', dash: [6, 3] },
];
const LEAD: readonly Line[] = [{ label: 'Median lead time', stroke: '#7a3db8' }];
const ON_TIME: readonly Line[] = [{ label: 'On time', stroke: '#a34d00' }];
const count = (v: number): string => String(Math.round(v));
const hours = (v: number): string => `${v.toFixed(v < 1 ? 2 : v < 10 ? 1 : 0)} h`;
const pct = (v: number): string => `${Math.round(v)} %`;

function Figure({ id, title, lines, data, yLabel, yMax, text }: { id: string; title: string; lines: readonly Line[]; data: uPlot.AlignedData; yLabel: (v: number) => string; yMax?: number; text: string }) {
  return (
    <figure className="portal-chart" aria-labelledby={`${id}-title`} aria-describedby={`${id}-text`} data-testid={id}>
      <h3 className="portal-chart__title" id={`${id}-title`}>
        {title}
      </h3>
      <Chart lines={lines} data={data} yLabel={yLabel} {...(yMax === undefined ? {} : { yMax })} />
      <div className="portal-chart__keys">
        {lines.map((l) => (
          <Key key={l.label} line={l} />
        ))}
      </div>
      <figcaption className="portal-chart__text" id={`${id}-text`}>
        {text}
      </figcaption>
    </figure>
  );
}

/** The three KPI charts of the portal's analytics series (any order; metrics the page did not ask for are ignored). */
export default function PortalKpiCharts({ series }: { series: readonly SeriesView[] }) {
  const data = useMemo(() => kpiChartData(series), [series]);
  const text = chartSummaries(data);
  if (data.xs.length === 0) return <p className="portal__muted">No KPI data in this window yet.</p>;
  return (
    <div className="portal-charts" data-testid="portal-kpi-charts">
      <Figure id="kpi-chart-orders" title="Orders per day" lines={ORDERS} data={data.orders} yLabel={count} text={text.orders} />
      <Figure id="kpi-chart-lead" title="Median lead time" lines={LEAD} data={data.leadTime} yLabel={hours} text={text.leadTime} />
      <Figure id="kpi-chart-ontime" title="Despatched on time" lines={ON_TIME} data={data.onTime} yLabel={pct} yMax={100} text={text.onTime} />
    </div>
  );
}
