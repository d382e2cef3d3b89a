/**
 * The HTML report of a simulation run or an experiment: one self-contained file (styles, uPlot, data and the drawing
 * script inlined; no network) that opens from disk. Pure: the asset texts come in as arguments
 * (`report-assets.ts` reads them). Everything from the result is escaped before it reaches the HTML.
 */
import type { ExperimentResult, KpiComparison } from '../experiments/experiment.ts';
import { KPI_INFO, KPI_NAMES, formatKpi } from '../experiments/kpi-info.ts';
import type { Estimate } from '../experiments/stats.ts';
import type { SimulationResult } from '../model/result.ts';

/** The texts inlined into every report. */
export interface ReportAssets {
  /** uPlot's IIFE build (defines the global `uPlot`). */
  readonly uplotJs: string;
  readonly uplotCss: string;
  /** `report-client.js`: reads the embedded data and draws the charts and the heat map. */
  readonly clientJs: string;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in HTML content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** JSON that can sit inside a <script> element: nothing in it can close the element or start a comment. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inlined code or CSS must not end its element early (uPlot has no such text; this keeps it true). */
const inlineScript = (js: string): string => `<script>${js.replace(/<\/(script)/gi, '<\\/$1')}</script>`;
const inlineStyle = (css: string): string => `<style>${css.replace(/<\/(style)/gi, '<\\/$1')}</style>`;

const PAGE_CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2a3a;color:#fff;padding:20px 32px}
header h1{margin:0 0 4px;font-size:22px;font-weight:600}
header .meta{margin:0;color:#c5d0dd}
main{padding:8px 32px 40px;max-width:1200px}
section{background:#fff;border:1px solid #dfe3e8;border-radius:8px;padding:16px 20px;margin:16px 0}
h2{font-size:16px;margin:0 0 12px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:4px 12px;border-bottom:1px solid #eceff3;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
thead th{font-weight:600;color:#4b5565}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:16px}
.grid section{margin:0}
.chart{min-height:260px}
.ok{color:#1b7f3b}.bad{color:#b42318}.muted{color:#6b7280}
.better{color:#1b7f3b}.worse{color:#b42318}
#heatmap{display:flex;gap:16px;align-items:flex-start;flex-wrap:wrap}
#heatmap-canvas{border:1px solid #dfe3e8;image-rendering:pixelated}
`;

/** The document around `body` and `subtitle` (both HTML, escaped by the caller); `title` is plain text. */
function page(title: string, subtitle: string, body: string, data: unknown, assets: ReportAssets): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    inlineStyle(assets.uplotCss),
    inlineStyle(PAGE_CSS),
    '</head>',
    '<body>',
    `<header><h1>${escapeHtml(title)}</h1><p class="meta">${subtitle}</p></header>`,
    `<main>${body}</main>`,
    `<script type="application/json" id="report-data">${jsonForScript(data)}</script>`,
    inlineScript(assets.uplotJs),
    inlineScript(assets.clientJs),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const number = (value: number, digits = 0): string =>
  value.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** `2026-11-27T06:00:00.000Z` → `2026-11-27 06:00 UTC`. */
const utc = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th>${h}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

/** What the drawing script needs of a run (times as epoch seconds, as uPlot wants them). */
function runChartData(result: SimulationResult) {
  const { series } = result;
  return {
    kind: 'run' as const,
    sampleMinutes: series.at.length > 1 ? (Date.parse(series.at[1]!) - Date.parse(series.at[0]!)) / 60_000 : null,
    t: series.at.map((iso) => Date.parse(iso) / 1000),
    ordersArrived: series.ordersArrived,
    linesPicked: series.linesPicked,
    ordersDespatched: series.ordersDespatched,
    backlog: series.backlog,
    pickersOnShift: series.pickersOnShift,
    pickersBusy: series.pickersBusy,
    leadTime: result.leadTimeMinutes.histogram,
    heatmap: result.heatmap,
  };
}

function renderRun(result: SimulationResult, assets: ReportAssets): string {
  const { kpis, lines, leadTimeMinutes: lead, heatmap } = result;
  const kpiRows = KPI_NAMES.map((name) => [escapeHtml(KPI_INFO[name].label), escapeHtml(formatKpi(name, kpis[name]))]);
  const lineRows = (['arrived', 'despatched', 'backordered', 'cancelled', 'open'] as const).map((k) => [k, number(lines[k])]);
  const rejected = Object.entries(result.rejected).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const violations = result.invariantViolations;
  const totalMetres = heatmap.metres.reduce((s, m) => s + m, 0);
  const body = [
    '<div class="grid">',
    `<section id="kpis"><h2>Key figures</h2>${table(['KPI', 'Value'], kpiRows)}</section>`,
    '<section id="checks"><h2>Order lines and checks</h2>',
    table(['Lines', 'Count'], lineRows),
    `<p class="${lines.balanced ? 'ok' : 'bad'}">${lines.balanced ? 'Every order line is accounted for.' : 'Line conservation does NOT hold.'}</p>`,
    violations.length === 0
      ? '<p class="ok">All twin invariants hold on the final state.</p>'
      : `<p class="bad">${number(violations.length)} invariant violation(s):</p><ul>${violations.map((v) => `<li>${escapeHtml(v)}</li>`).join('')}</ul>`,
    rejected.length === 0
      ? '<p class="muted">No command was refused.</p>'
      : `<h2>Refused commands</h2>${table(['Command:code', 'Count'], rejected.map(([k, n]) => [escapeHtml(k), number(n)]))}`,
    '</section>',
    '</div>',
    '<div class="grid">',
    '<section><h2>Throughput per interval</h2><div id="chart-throughput" class="chart"></div></section>',
    '<section><h2>Backlog (orders arrived, not yet despatched)</h2><div id="chart-backlog" class="chart"></div></section>',
    `<section><h2>Lead time, arrival to despatch (minutes)</h2><div id="chart-lead-time" class="chart"></div>`,
    `<p class="muted">${number(lead.count)} orders · mean ${number(lead.mean, 1)} · p50 ${number(lead.p50, 1)} · p90 ${number(lead.p90, 1)} · p95 ${number(lead.p95, 1)} · p99 ${number(lead.p99, 1)} · max ${number(lead.max, 1)}</p></section>`,
    '<section><h2>Pickers on shift and busy</h2><div id="chart-utilisation" class="chart"></div></section>',
    '</div>',
    '<section><h2>Travel heat map (metres walked per cell)</h2>',
    '<div id="heatmap"><canvas id="heatmap-canvas"></canvas><div><canvas id="heatmap-legend"></canvas></div></div>',
    `<p class="muted">${number(heatmap.cols)} × ${number(heatmap.rows)} cells of ${number(heatmap.cellMetres, 1)} m · ${number(totalMetres)} m walked in total · x across the aisles, y along them (up)</p>`,
    '</section>',
  ].join('\n');
  const subtitle = [
    `seed ${escapeHtml(String(result.seed))}`,
    `${escapeHtml(utc(result.startAt))} → ${escapeHtml(utc(result.endAt))}`,
    `${number(result.events)} events`,
  ].join(' · ');
  return page(`Simulation report: ${result.scenario}`, subtitle, body, runChartData(result), assets);
}

/** `12.3 ± 0.4`, or the mean alone when there is no interval (one seed). */
function withInterval(e: Estimate, name: KpiComparison['kpi']): string {
  const mean = escapeHtml(formatKpi(name, e.mean));
  return e.halfWidth === null ? mean : `${mean} <span class="muted">± ${escapeHtml(formatKpi(name, e.halfWidth))}</span>`;
}

/** The difference to the baseline with its interval, marked better/worse when the interval excludes zero. */
function difference(d: Estimate, name: KpiComparison['kpi']): string {
  const sign = d.mean > 0 ? '+' : '';
  const text = `${sign}${escapeHtml(formatKpi(name, d.mean))}`;
  if (d.ci === null) return text;
  const interval = `[${escapeHtml(formatKpi(name, d.ci[0]))}, ${escapeHtml(formatKpi(name, d.ci[1]))}]`;
  const clear = d.ci[0] > 0 || d.ci[1] < 0;
  const improves = (d.mean > 0) === (KPI_INFO[name].better === 'higher');
  const cls = !clear ? 'muted' : improves ? 'better' : 'worse';
  return `<span class="${cls}">${text} ${interval}</span>`;
}

function renderExperiment(result: ExperimentResult, assets: ReportAssets): string {
  const [baseline, ...others] = result.scenarios;
  const conf = number(result.confidence * 100);
  const head = [
    'KPI',
    ...result.scenarios.map((s, i) => `${escapeHtml(s)}${i === 0 ? ' <span class="muted">(baseline)</span>' : ''}`),
    ...others.map((s) => `${escapeHtml(s)} − baseline`),
  ];
  const rows = result.comparison.map((c) => [
    escapeHtml(KPI_INFO[c.kpi].label),
    ...c.scenarios.map((s) => withInterval(s.estimate, c.kpi)),
    ...c.scenarios.slice(1).map((s) => (s.difference ? difference(s.difference, c.kpi) : '')),
  ]);
  const runRows = result.runs.map((r) => [
    escapeHtml(r.scenario),
    escapeHtml(String(r.seed)),
    ...(['ordersDespatched', 'cutoffHitRate', 'leadTimeP95Minutes', 'distanceWalkedMetres'] as const).map((k) => escapeHtml(formatKpi(k, r.kpis[k]))),
    r.linesBalanced ? '<span class="ok">yes</span>' : '<span class="bad">no</span>',
    r.invariantViolations.length === 0 ? '<span class="ok">0</span>' : `<span class="bad">${number(r.invariantViolations.length)}</span>`,
  ]);
  const body = [
    `<section id="comparison"><h2>KPI means with ${conf} % confidence intervals</h2>`,
    table(head, rows),
    `<p class="muted">Mean ± half-width of the Student-t interval over ${number(result.seeds.length)} seed(s) per scenario. `,
    'Differences are paired by seed (every scenario runs the same seeds); green or red when the interval excludes zero.</p>',
    '</section>',
    `<section id="runs"><h2>Runs</h2>${table(['Scenario', 'Seed', 'Despatched', 'Cut-off hit', 'Lead p95', 'Walked', 'Lines balanced', 'Invariant violations'], runRows)}</section>`,
  ].join('\n');
  const subtitle = [
    `${number(result.scenarios.length)} scenario(s), baseline ${escapeHtml(baseline ?? '')}`,
    `seeds ${escapeHtml(result.seeds.join(', '))}`,
  ].join(' · ');
  return page('Experiment report', subtitle, body, { kind: 'experiment' }, assets);
}

/** The report of a run or of an experiment, as one HTML document. */
export function renderReport(result: SimulationResult | ExperimentResult, assets: ReportAssets): string {
  return 'kind' in result ? renderExperiment(result, assets) : renderRun(result, assets);
}
