/**
 * C1, the last-units race, over the HTTP API: many concurrent clients each create a one-unit order and allocate it
 * all-or-nothing, against a SKU with far fewer units than attempts. Shared by the test (CI size) and the pipeline
 * benchmark (full size). The caller receives the stock first and checks the outcome.
 */
import { errorCodeOf, percentile, runClients, type KeepAliveClient } from './http-client.ts';

export interface LastUnitsRaceOptions {
  readonly client: KeepAliveClient;
  /** `http://host:port/api/sites/SITE` */
  readonly base: string;
  readonly tenantId: string;
  readonly skuId: string;
  readonly attempts: number;
  readonly clients: number;
  /** Order ids are `${orderPrefix}-${n}`; unique per run. */
  readonly orderPrefix: string;
  /**
   * 'two-call' (default): POST /orders, then POST /orders/:id/allocate (refusal: 409 OUT_OF_STOCK).
   * 'one-call': POST /orders with `allocate: 'all-or-nothing'` (refusal: 201 with `allocation.ok: false`).
   */
  readonly mode?: 'two-call' | 'one-call';
}

export interface LastUnitsRaceResult {
  readonly attempts: number;
  /** Allocations that succeeded. */
  readonly allocated: number;
  /** Allocations refused OUT_OF_STOCK. */
  readonly outOfStock: number;
  /** Responses that were 5xx, on either call. */
  readonly serverErrors: number;
  /**
   * Every response by `${call} ${status} ${code}`, e.g. `allocate 409 OUT_OF_STOCK`; in one-call mode
   * `create+allocate 201 allocated` or `create+allocate 201 OUT_OF_STOCK` (the allocation's error code).
   */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Ids of the orders whose allocation succeeded. */
  readonly allocatedOrderIds: readonly string[];
  readonly wallMs: number;
  /** Latency of one attempt (create + allocate), ms. */
  readonly attemptP50Ms: number;
  readonly attemptP99Ms: number;
}

/** Runs the race; never throws on an HTTP status (it is counted), only on a transport failure. */
export async function runLastUnitsRace(options: LastUnitsRaceOptions): Promise<LastUnitsRaceResult> {
  const { client, base, tenantId, skuId, attempts, clients, orderPrefix } = options;
  const outcomes: Record<string, number> = {};
  const allocatedOrderIds: string[] = [];
  const latencies: number[] = [];
  let serverErrors = 0;
  const count = (call: string, status: number, json: unknown): void => {
    const key = `${call} ${status} ${errorCodeOf(json) ?? ''}`.trimEnd();
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    if (status >= 500) serverErrors++;
  };

  const started = performance.now();
  await runClients(clients, attempts, async (n) => {
    const orderId = `${orderPrefix}-${n}`;
    const t0 = performance.now();
    if (options.mode === 'one-call') {
      const res = await client.postJson(`${base}/orders`, { orderId, tenantId, lines: [{ skuId, qty: 1 }], allocate: 'all-or-nothing' });
      const allocation = (res.json as { allocation?: { ok?: unknown; error?: unknown } } | undefined)?.allocation;
      if (res.status !== 201 || allocation === undefined) count('create+allocate', res.status, res.json);
      else if (allocation.ok === true) {
        count('create+allocate', res.status, { error: { code: 'allocated' } });
        allocatedOrderIds.push(orderId);
      } else count('create+allocate', res.status, { error: allocation.error });
      latencies.push(performance.now() - t0);
      return;
    }
    const created = await client.postJson(`${base}/orders`, { orderId, tenantId, lines: [{ skuId, qty: 1 }] });
    count('create', created.status, created.json);
    if (created.status !== 201) return;
    const allocated = await client.postJson(`${base}/orders/${orderId}/allocate`, { policy: 'all-or-nothing' });
    count('allocate', allocated.status, allocated.json);
    if (allocated.status === 200) allocatedOrderIds.push(orderId);
    latencies.push(performance.now() - t0);
  });
  const wallMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const oneCall = options.mode === 'one-call';
  return {
    attempts,
    allocated: allocatedOrderIds.length,
    outOfStock: (oneCall ? outcomes['create+allocate 201 OUT_OF_STOCK'] : outcomes['allocate 409 OUT_OF_STOCK']) ?? 0,
    serverErrors,
    outcomes,
    allocatedOrderIds,
    wallMs,
    attemptP50Ms: percentile(latencies, 50),
    attemptP99Ms: percentile(latencies, 99),
  };
}
