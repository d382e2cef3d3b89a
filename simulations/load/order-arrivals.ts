/**
 * Sales channels as an open model: orders are POSTed on a schedule drawn in advance from a seeded Rng (Poisson or
 * fixed interarrival), whatever the server answers, so a slow server meets the same arrivals and its queueing shows in
 * the latency (clocked from the scheduled send time, no coordinated omission). Each order carries an Idempotency-Key
 * and an externalRef unique to the run; an indeterminate answer (timeout, reset, 5xx, 409 REQUEST_IN_PROGRESS) and a
 * 429 are retried with the same key, with backoff (reliability.md §6.0).
 */
import { errorCodeOf, type KeepAliveClient, type RawResponse } from '../../server/api/reliability/http-client.ts';
import { randomExponential, randomInt, type Rng } from '../../server/twin/rng.ts';
import type { HdrHistogram } from './hdr-histogram.ts';
import type { History, OpRecord } from './history.ts';

export type ArrivalProcess = 'poisson' | 'fixed';
export type AllocatePolicy = 'all-or-nothing' | 'partial' | 'none';

export interface OrderArrivalOptions {
  readonly client: KeepAliveClient;
  /** `http://host:port/api/sites/SITE`. */
  readonly siteBase: string;
  readonly tenantId: string;
  /** SKUs to order (plain, in stock). */
  readonly skuIds: readonly string[];
  /** Offered orders per second. */
  readonly rate: number;
  readonly arrival: ArrivalProcess;
  /** Bounds: no order is scheduled at or after `durationMs`, nor beyond `maxOrders`. */
  readonly durationMs: number;
  readonly maxOrders: number;
  /** Lines per order (distinct SKUs), drawn uniformly from [1, 2·mean − 1]. */
  readonly meanLines: number;
  readonly allocate: AllocatePolicy;
  /** Prefix of externalRef and Idempotency-Key; unique per run. */
  readonly prefix: string;
  readonly rng: Rng;
  /** Per-try deadline, ms; past it the try counts as indeterminate and is retried. */
  readonly timeoutMs: number;
  /** Tries per order for indeterminate answers, the first included. */
  readonly maxTries: number;
  /** Monotonic ms since the run started. */
  readonly now: () => number;
  readonly history: History;
  readonly latency: HdrHistogram;
  /** When true no further order is scheduled (the run is being stopped). */
  readonly stopped?: () => boolean;
}

export interface OrderArrivalStats {
  /** Orders scheduled (and sent). */
  readonly scheduled: number;
  /** Acknowledged orders whose allocation was refused (201 with allocation.ok false). */
  readonly allocationRefused: number;
  /** 5xx answers over all tries (a retried order may still have ended `ok`). */
  readonly serverErrorAnswers: number;
  /** From the first scheduled send to the last answer, ms. */
  readonly spanMs: number;
}

/** Body of order `n`: distinct SKUs, one unit each. */
function orderBody(options: OrderArrivalOptions, externalRef: string) {
  const { rng, skuIds } = options;
  const lineCount = Math.min(skuIds.length, randomInt(rng, 1, Math.max(1, 2 * options.meanLines - 1)));
  const first = randomInt(rng, 0, skuIds.length - 1);
  const lines = Array.from({ length: lineCount }, (_, i) => ({ skuId: skuIds[(first + i) % skuIds.length] as string, qty: 1 }));
  return { tenantId: options.tenantId, externalRef, lines, allocate: options.allocate };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** A try's answer, or why there was none. */
type TryResult = { readonly kind: 'answer'; readonly res: RawResponse } | { readonly kind: 'none'; readonly code: 'TIMEOUT' | 'NETWORK' };

async function tryOnce(options: OrderArrivalOptions, body: unknown, key: string): Promise<TryResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<TryResult>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'none', code: 'TIMEOUT' }), options.timeoutMs);
  });
  const answer = options.client
    .postJson(`${options.siteBase}/orders`, body, { 'Idempotency-Key': key })
    .then((res): TryResult => ({ kind: 'answer', res }), (): TryResult => ({ kind: 'none', code: 'NETWORK' }));
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** How a try ended, for the retry decision and the final outcome. */
function classify(result: TryResult): { readonly retry: boolean; readonly final: 'ok' | 'fail' | 'info' } {
  if (result.kind === 'none') return { retry: true, final: 'info' };
  const { status } = result.res;
  if (status === 201) return { retry: false, final: 'ok' };
  if (status === 409 && errorCodeOf(result.res.json) === 'REQUEST_IN_PROGRESS') return { retry: true, final: 'info' };
  // A 5xx may or may not have committed (the key makes a retry safe); a 429 is shed load, never applied.
  if (status >= 500) return { retry: true, final: 'info' };
  if (status === 429) return { retry: true, final: 'fail' };
  return { retry: false, final: 'fail' };
}

/** What one order's sends came to, beyond its history entry. */
interface Placed {
  readonly allocationRefused: boolean;
  /** 5xx answers among its tries. */
  readonly serverErrors: number;
}

/** Sends one order until it has a definite answer or runs out of tries; completes `op`. */
async function placeOrder(options: OrderArrivalOptions, op: OpRecord, body: unknown, key: string): Promise<Placed> {
  let backoffMs = 100;
  let serverErrors = 0;
  for (;;) {
    op.tries++;
    const result = await tryOnce(options, body, key);
    if (result.kind === 'answer' && result.res.status >= 500) serverErrors++;
    const { retry, final } = classify(result);
    if (!retry || op.tries >= options.maxTries) {
      const end = options.now();
      if (result.kind === 'none') {
        options.history.complete(op, end, final, { code: result.code });
        return { allocationRefused: false, serverErrors };
      }
      const { res } = result;
      if (final === 'ok') {
        const answer = res.json as { id?: unknown; allocation?: { ok?: boolean } } | undefined;
        if (typeof answer?.id === 'string') op.ids['orderId'] = answer.id;
        options.history.complete(op, end, 'ok', { status: res.status });
        options.latency.record(end - op.start);
        return { allocationRefused: answer?.allocation?.ok === false, serverErrors };
      }
      options.history.complete(op, end, final, { status: res.status, code: errorCodeOf(res.json) ?? `HTTP_${res.status}` });
      return { allocationRefused: false, serverErrors };
    }
    await sleep(backoffMs);
    backoffMs = Math.min(2_000, backoffMs * 2);
  }
}

/** Runs the arrivals to their bound and waits for every answer. */
export async function runOrderArrivals(options: OrderArrivalOptions): Promise<OrderArrivalStats> {
  const meanGapMs = 1000 / options.rate;
  const pending: Promise<Placed>[] = [];
  let due = options.now();
  const first = due;
  const until = first + options.durationMs;
  for (let n = 0; n < options.maxOrders && due < until && !(options.stopped?.() ?? false); n++) {
    const wait = due - options.now();
    if (wait > 1) await sleep(wait);
    const externalRef = `${options.prefix}-${n}`;
    const body = orderBody(options, externalRef);
    const op = options.history.invoke('order', due, { externalRef, key: externalRef });
    pending.push(placeOrder(options, op, body, externalRef));
    due += options.arrival === 'poisson' ? randomExponential(options.rng, meanGapMs) : meanGapMs;
  }
  const placed = await Promise.all(pending);
  return {
    scheduled: pending.length,
    allocationRefused: placed.filter((p) => p.allocationRefused).length,
    serverErrorAnswers: placed.reduce((sum, p) => sum + p.serverErrors, 0),
    spanMs: options.now() - first,
  };
}
