import { describe, expect, it } from 'vitest';
import { Registry, ServerMetrics } from './metrics.ts';

describe('metrics registry (Prometheus text format)', () => {
  it('renders counters with sorted, escaped labels and HELP/TYPE lines', () => {
    const registry = new Registry();
    const counter = registry.counter('x_total', 'Things.');
    counter.inc({ site: 'a"b', outcome: 'ok' });
    counter.inc({ outcome: 'ok', site: 'a"b' }, 2);
    counter.inc();
    expect(counter.get({ site: 'a"b', outcome: 'ok' })).toBe(3);
    expect(registry.render()).toBe(['# HELP x_total Things.', '# TYPE x_total counter', 'x_total{outcome="ok",site="a\\"b"} 3', 'x_total 1', ''].join('\n'));
    expect(() => counter.inc({}, -1)).toThrow(/cannot go down/);
  });

  it('renders histograms with cumulative buckets, +Inf, sum and count', () => {
    const registry = new Registry();
    const histogram = registry.histogram('lat_seconds', 'Latency.', [0.1, 1]);
    for (const value of [0.05, 0.5, 0.5, 3]) histogram.observe(value, { site: 's' });
    const text = registry.render();
    expect(text).toContain('lat_seconds_bucket{le="0.1",site="s"} 1');
    expect(text).toContain('lat_seconds_bucket{le="1",site="s"} 3');
    expect(text).toContain('lat_seconds_bucket{le="+Inf",site="s"} 4');
    expect(text).toContain('lat_seconds_sum{site="s"} 4.05');
    expect(text).toContain('lat_seconds_count{site="s"} 4');
  });

  it('refuses bad names, duplicates and unordered buckets', () => {
    const registry = new Registry();
    registry.counter('a_total', 'A.');
    expect(() => registry.counter('a_total', 'again')).toThrow(/twice/);
    expect(() => registry.counter('bad-name', 'B.')).toThrow(/bad metric name/);
    expect(() => registry.histogram('h', 'H.', [1, 1])).toThrow(/increase/);
  });

  it('ServerMetrics: commands by outcome, latency, HTTP classes, and gauges read at scrape time', () => {
    const metrics = new ServerMetrics();
    let sockets = 3;
    metrics.setSources({ sockets: () => sockets, solverQueue: () => 7, siteQueues: () => [{ siteId: 'demo', queued: 2 }] });
    metrics.command('demo', 'accepted', 0.004);
    metrics.command('demo', 'refused', 0.002);
    metrics.command('demo', 'unavailable', 0.001);
    metrics.http(200);
    metrics.http(503);
    metrics.http(201);
    sockets = 5;
    const text = metrics.render();
    metrics.close();
    expect(text).toContain('floortwin_commands_total{outcome="submitted",site="demo"} 3');
    expect(text).toContain('floortwin_commands_total{outcome="accepted",site="demo"} 1');
    expect(text).toContain('floortwin_commands_total{outcome="refused",site="demo"} 1');
    expect(text).toContain('floortwin_commands_total{outcome="unavailable",site="demo"} 1');
    expect(text).toContain('floortwin_commit_seconds_count{site="demo"} 3');
    expect(text).toContain('floortwin_http_requests_total{class="2xx"} 2');
    expect(text).toContain('floortwin_http_requests_total{class="5xx"} 1');
    expect(text).toContain('floortwin_sockets 5');
    expect(text).toContain('floortwin_solver_queue_length 7');
    expect(text).toContain('floortwin_site_queue_length{site="demo"} 2');
    expect(text).toMatch(/floortwin_event_loop_lag_seconds\{quantile="0.99"\} [0-9.e-]+/);
  });
});
