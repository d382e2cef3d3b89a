import { describe, expect, it } from 'vitest';
import { summariseExperiment } from '../experiments/experiment.ts';
import type { SimulationResult } from '../model/result.ts';
import { escapeHtml, jsonForScript, renderReport } from './render-report.ts';
import { loadReportAssets } from './report-assets.ts';
import { sampleResult } from './sample-result.ts';

const assets = { uplotJs: '/*UPLOT-JS*/', uplotCss: '/*UPLOT-CSS*/', clientJs: '/*CLIENT-JS*/' };

/** The JSON embedded in #report-data, parsed back. */
function embeddedData(html: string): unknown {
  const match = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  if (!match) throw new Error('no report data');
  return JSON.parse(match[1]!);
}

describe('renderReport (run)', () => {
  const result = sampleResult();
  const html = renderReport(result, assets);

  it('has a container for each chart and the heat map', () => {
    for (const id of ['chart-throughput', 'chart-backlog', 'chart-lead-time', 'chart-utilisation', 'heatmap-canvas', 'heatmap-legend']) {
      expect(html).toContain(`id="${id}"`);
    }
  });

  it('embeds the series, histogram and heat map the charts draw', () => {
    const data = embeddedData(html) as Record<string, unknown>;
    expect(data['kind']).toBe('run');
    expect(data['t']).toEqual(result.series.at.map((iso) => Date.parse(iso) / 1000));
    expect(data['ordersArrived']).toEqual(result.series.ordersArrived);
    expect(data['linesPicked']).toEqual(result.series.linesPicked);
    expect(data['ordersDespatched']).toEqual(result.series.ordersDespatched);
    expect(data['backlog']).toEqual(result.series.backlog);
    expect(data['pickersOnShift']).toEqual(result.series.pickersOnShift);
    expect(data['pickersBusy']).toEqual(result.series.pickersBusy);
    expect(data['leadTime']).toEqual(result.leadTimeMinutes.histogram);
    expect(data['heatmap']).toEqual(result.heatmap);
    expect(data['sampleMinutes']).toBe(15);
  });

  it('shows the scenario, seed and every KPI, and inlines the assets in order', () => {
    expect(html).toContain('<title>Simulation report: sample day</title>');
    expect(html).toContain('seed 42');
    expect(html).toContain('2026-11-27 06:00 UTC → 2026-11-27 14:00 UTC');
    for (const label of ['Orders despatched', 'Cut-off hit rate', 'Lead time p95', 'Distance walked', 'Picker utilisation', 'Congestion']) {
      expect(html).toContain(`<td>${label}</td>`);
    }
    expect(html).toContain('<td>71.0 %</td>');
    expect(html).toContain('confirmPick:SHORT');
    const at = (s: string) => html.indexOf(s);
    expect(at('/*UPLOT-CSS*/')).toBeGreaterThan(0);
    expect(at('id="report-data"')).toBeLessThan(at('/*UPLOT-JS*/'));
    expect(at('/*UPLOT-JS*/')).toBeLessThan(at('/*CLIENT-JS*/'));
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/); // nothing loaded from elsewhere
  });

  it('escapes a hostile scenario name, violations and refused-command keys', () => {
    const hostile: SimulationResult = {
      ...result,
      scenario: '<script>alert("x")</script>',
      invariantViolations: ['bin <A1> over capacity & negative'],
      rejected: { '<img src=x onerror=alert(1)>': 1 },
    };
    const out = renderReport(hostile, assets);
    expect(out).not.toContain('<script>alert');
    expect(out).not.toContain('<img src=x');
    expect(out).toContain('Simulation report: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(out).toContain('bin &lt;A1&gt; over capacity &amp; negative');
    // Only the page's own three scripts: the data, uPlot and the drawing script.
    expect(out.match(/<script/g)).toHaveLength(3);
  });

  it('inlines the real uPlot build and CSS', async () => {
    const real = renderReport(result, await loadReportAssets());
    expect(real).toContain('var uPlot=function');
    expect(real).toContain('.uplot');
    expect(real.length).toBeGreaterThan(50_000);
  });
});

describe('renderReport (experiment)', () => {
  const a = sampleResult('baseline');
  const more = (r: SimulationResult, factor: number): SimulationResult => ({ ...r, kpis: { ...r.kpis, ordersDespatched: Math.round(r.kpis.ordersDespatched * factor) } });
  const experiment = summariseExperiment(['baseline', '<b>more pickers</b>'], [1, 2, 3], [[a, more(a, 1.01), a], [more(a, 1.2), more(a, 1.25), more(a, 1.22)]]);
  const html = renderReport(experiment, assets);

  it('tables each KPI mean with its interval per scenario and the difference to the baseline', () => {
    expect(html).toContain('<title>Experiment report</title>');
    expect(html).toContain('KPI means with 95 % confidence intervals');
    expect(html).toContain('&lt;b&gt;more pickers&lt;/b&gt; − baseline');
    expect(html).not.toContain('<b>more');
    const despatchedRow = html.split('\n').find((line) => line.startsWith('<tr><td>Orders despatched</td>'));
    expect(despatchedRow).toBeDefined();
    expect(despatchedRow).toContain('±');
    expect(despatchedRow).toContain('class="better"'); // the difference's interval is clearly above zero
    expect(html).toContain('seeds 1, 2, 3');
    expect(embeddedData(html)).toEqual({ kind: 'experiment' });
  });
});

describe('escaping helpers', () => {
  it('escapes HTML specials and keeps JSON in a script inert', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    const json = jsonForScript({ s: '</script><!-- & \u2028' });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ s: '</script><!-- & \u2028' });
  });
});
