/**
 * A small Prometheus registry (text exposition format 0.0.4): counters, gauges read at scrape time, and histograms.
 * No dependency: the server needs a handful of series, and prom-client's default collectors are not wanted here.
 * `/metrics` (server/ops/ops.routes.ts) is served to a bearer of METRICS_TOKEN or a site manager's credential.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export type Labels = Readonly<Record<string, string>>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const escapeLabel = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Labels): string => {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? '' : `{${keys.map((key) => `${key}="${escapeLabel(labels[key] ?? '')}"`).join(',')}}`;
};
const keyOf = (labels: Labels): string => labelText(labels);
const num = (value: number): string => (Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN');

interface Metric {
  readonly name: string;
  render(): string[];
}

export class Counter implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.name} cannot go down (${by})`);
    const key = keyOf(labels);
    const entry = this.values.get(key);
    if (entry) entry.value += by;
    else this.values.set(key, { labels, value: by });
  }
  get(labels: Labels = {}): number {
    return this.values.get(keyOf(labels))?.value ?? 0;
  }
  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`, ...[...this.values.values()].map(({ labels, value }) => `${this.name}${labelText(labels)} ${num(value)}`)];
  }
}

/** A gauge whose samples are read when scraped (socket counts, queue lengths). */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => readonly { readonly labels?: Labels; readonly value: number }[],
  ) {}
  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, ...this.read().map(({ labels, value }) => `${this.name}${labelText(labels ?? {})} ${num(value)}`)];
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {
    for (let i = 1; i < buckets.length; i++) if (!((buckets[i] ?? 0) > (buckets[i - 1] ?? 0))) throw new Error(`histogram ${name}: buckets must increase`);
  }
  observe(value: number, labels: Labels = {}): void {
    const key = keyOf(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= (this.buckets[i] ?? 0)) entry.counts[i] = (entry.counts[i] ?? 0) + 1;
    entry.sum += value;
    entry.count++;
  }
  count(labels: Labels = {}): number {
    return this.series.get(keyOf(labels))?.count ?? 0;
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.series.values()) {
      this.buckets.forEach((bound, i) => lines.push(`${this.name}_bucket${labelText({ ...labels, le: num(bound) })} ${counts[i] ?? 0}`));
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`, `${this.name}_sum${labelText(labels)} ${num(sum)}`, `${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines;
  }
}

export class Registry {
  private readonly metrics = new Map<string, Metric>();
  private register<M extends Metric>(metric: M): M {
    if (!NAME.test(metric.name)) throw new Error(`bad metric name '${metric.name}'`);
    if (this.metrics.has(metric.name)) throw new Error(`metric '${metric.name}' registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
  counter(name: string, help: string): Counter {
    return this.register(new Counter(name, help));
  }
  gauge(name: string, help: string, read: () => readonly { readonly labels?: Labels; readonly value: number }[]): Gauge {
    return this.register(new Gauge(name, help, read));
  }
  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.register(new Histogram(name, help, buckets));
  }
  /** The exposition text (Content-Type `text/plain; version=0.0.4`). */
  render(): string {
    return `${[...this.metrics.values()].flatMap((metric) => metric.render()).join('\n')}\n`;
  }
}

/** What one server process exposes; the sources of the gauges are filled in by main.ts as the parts come up. */
export interface ServerMetricSources {
  /** Connected sockets (Socket.IO engine clients). */
  sockets(): number;
  /** Tasks waiting in the solver pool's queue. */
  solverQueue(): number;
  /** Commands queued per site (the single writer's queue). */
  siteQueues(): readonly { readonly siteId: string; readonly queued: number }[];
  /** Every configured site and whether this process decides it now (issue 10: site leases). */
  siteOwnership(): readonly { readonly siteId: string; readonly owned: boolean }[];
}

export class ServerMetrics {
  readonly registry = new Registry();
  /** Commands per site by outcome: submitted, accepted (committed), refused (domain error), unavailable (store down). */
  readonly commands = this.registry.counter('floortwin_commands_total', 'Commands submitted to a site runner, by outcome.');
  readonly commitSeconds = this.registry.histogram('floortwin_commit_seconds', 'Time from a command submitted to its answer (commit included).', [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  readonly httpRequests = this.registry.counter('floortwin_http_requests_total', 'HTTP requests answered, by status class.');
  readonly leaseRenewFailures = this.registry.counter('floortwin_lease_renew_failures_total', 'Site lease renewals Redis did not answer (the owner keeps serving).');
  readonly forwards = this.registry.counter('floortwin_forwarded_requests_total', 'Requests for a site decided by another process: forwarded, moving (503 SITE_MOVING) or owner unreachable.');
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private sources: ServerMetricSources = { sockets: () => 0, solverQueue: () => 0, siteQueues: () => [], siteOwnership: () => [] };

  constructor() {
    this.loopDelay.enable();
    this.registry.gauge('floortwin_event_loop_lag_seconds', 'Event-loop delay since the last scrape (p50, p99, max).', () => {
      const out = [
        { labels: { quantile: '0.5' }, value: this.loopDelay.percentile(50) / 1e9 },
        { labels: { quantile: '0.99' }, value: this.loopDelay.percentile(99) / 1e9 },
        { labels: { quantile: '1' }, value: this.loopDelay.max / 1e9 },
      ];
      this.loopDelay.reset();
      return out;
    });
    this.registry.gauge('floortwin_sockets', 'Connected Socket.IO clients.', () => [{ value: this.sources.sockets() }]);
    this.registry.gauge('floortwin_solver_queue_length', 'Tasks waiting for a solver worker.', () => [{ value: this.sources.solverQueue() }]);
    this.registry.gauge('floortwin_site_owned', 'Whether this process decides the site now (1) or not (0).', () => this.sources.siteOwnership().map(({ siteId, owned }) => ({ labels: { site: siteId }, value: owned ? 1 : 0 })));
    this.registry.gauge('floortwin_site_queue_length', 'Commands waiting in a site runner queue.', () => this.sources.siteQueues().map(({ siteId, queued }) => ({ labels: { site: siteId }, value: queued })));
  }

  setSources(sources: Partial<ServerMetricSources>): void {
    this.sources = { ...this.sources, ...sources };
  }

  /** Counts one command's outcome and its latency (submit → answer). */
  command(siteId: string, outcome: 'accepted' | 'refused' | 'unavailable', seconds: number): void {
    this.commands.inc({ site: siteId, outcome: 'submitted' });
    this.commands.inc({ site: siteId, outcome });
    this.commitSeconds.observe(seconds, { site: siteId });
  }

  http(status: number): void {
    this.httpRequests.inc({ class: `${Math.floor(status / 100)}xx` });
  }

  render(): string {
    return this.registry.render();
  }

  close(): void {
    this.loopDelay.disable();
  }
}
