/**
 * B1 (reliability.md §6.4): JSON fuzz per REST endpoint on the HTTP API over Postgres. For each row of
 * FUZZ_ENDPOINTS, `B1_RUNS` (default 100; the nightly runs 1,000) generated requests: no 5xx, every 4xx carries
 * `{ error: { code, message, details } }`, and a 4xx appends nothing to the event log. A 2xx may append.
 * Reproduce a failure with `B1_SEED=<seed> B1_RUNS=… npx vitest run server/api/reliability/b1-fuzz.pg.test.ts`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiOnPostgres, type ApiOnPostgres } from '../../testing/api-on-postgres.ts';
import { FUZZ_ENDPOINTS, endpointName, type FuzzContext } from './fuzz-endpoints.ts';
import { fuzzCases, validCase, type FuzzCase } from './fuzz-payloads.ts';
import { KeepAliveClient, errorBodyProblem, type RawResponse } from './http-client.ts';
import { siteInvariantProblems } from './invariants.ts';

const RUNS = Number(process.env['B1_RUNS'] ?? 100);
const SEED = process.env['B1_SEED'] === undefined ? undefined : Number(process.env['B1_SEED']);

describe('B1 JSON fuzz per endpoint', () => {
  let api: ApiOnPostgres;
  let client: KeepAliveClient;
  let origin: string;
  let ctx: FuzzContext;

  beforeAll(async () => {
    api = await startApiOnPostgres('b1');
    client = new KeepAliveClient(4);
    origin = new URL(api.base).origin;
    const sku = api.site.skus.find((s) => !s.lotTracked);
    const [location, empty] = api.site.layout.locations.slice(300, 302);
    const edge = api.site.layout.graph.edges[3];
    if (!sku || !location || !empty || !edge) throw new Error('demo site too small');
    ctx = {
      siteId: api.site.id,
      tenantId: sku.tenantId,
      skuId: sku.id,
      locationId: location.id,
      emptyLocationId: empty.id,
      openOrderId: 'FZ-OPEN',
      allocatedOrderId: 'FZ-ALLOC',
      edge: { a: edge.a, b: edge.b },
      operativeId: 'OP-FZ',
    };
    const setup: [string, unknown][] = [
      ['/stock/receipts', { tenantId: ctx.tenantId, locationId: ctx.locationId, skuId: ctx.skuId, qty: 50 }],
      ['/orders', { orderId: ctx.openOrderId, tenantId: ctx.tenantId, lines: [{ skuId: ctx.skuId, qty: 1 }] }],
      ['/orders', { orderId: ctx.allocatedOrderId, tenantId: ctx.tenantId, lines: [{ skuId: ctx.skuId, qty: 1 }] }],
      [`/orders/${ctx.allocatedOrderId}/allocate`, {}],
    ];
    for (const [path, body] of setup) {
      const res = await client.postJson(`${api.base}${path}`, body);
      if (res.status >= 300) throw new Error(`setup ${path}: ${res.status} ${res.text}`);
    }
  });
  afterAll(async () => {
    client?.close();
    await api?.close();
  });

  const send = (c: FuzzCase): Promise<RawResponse> =>
    client.request({
      method: c.method,
      url: `${origin}${c.path}`,
      ...(c.body === undefined ? {} : { body: c.body }),
      ...(c.contentType === undefined ? {} : { contentType: c.contentType }),
    });

  /** Sends `c`; the status, and why the answer breaks B1 (null when it does not). */
  async function check(c: FuzzCase): Promise<{ status: number; problem: string | null }> {
    const before = await api.store.lastSeq(api.site.id);
    const res = await send(c);
    const after = await api.store.lastSeq(api.site.id);
    const fail = (problem: string) => ({ status: res.status, problem });
    if (res.status >= 500) return fail(`${res.status} ${res.text.slice(0, 300)}`);
    if (res.status < 200 || (res.status >= 300 && res.status < 400)) return fail(`unexpected status ${res.status}`);
    if (res.status >= 400) {
      const problem = errorBodyProblem(res.json);
      if (problem !== null) return fail(`${res.status} with a bad error body (${problem}): ${res.text.slice(0, 300)}`);
      if (after !== before) return fail(`${res.status} ${(res.json as { error: { code: string } }).error.code} but the log moved from seq ${before} to ${after}`);
    }
    return { status: res.status, problem: null };
  }

  it.for(FUZZ_ENDPOINTS.map((e) => [endpointName(e), e] as const))(
    '%s: no 5xx, every 4xx well-formed and leaves the log untouched',
    { timeout: 120_000 },
    async ([, endpoint], test) => {
      // The row must name a real route: its valid request is not answered by the catch-all.
      const valid = await send(validCase(endpoint, ctx));
      const unrouted = valid.status === 404 && /"no route /.test(valid.text);
      if (unrouted && endpoint.pending !== undefined) return test.skip(`not mounted: ${endpoint.pending}`);
      expect(unrouted, `${endpointName(endpoint)} is not routed`).toBe(false);

      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(fuzzCases(endpoint, ctx), async (c) => {
          const { status, problem } = await check(c);
          if (problem !== null) throw new Error(`${c.kind} (${c.note}) ${c.method} ${c.path.slice(0, 200)} body ${String(c.body).slice(0, 200)}: ${problem}`);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }),
        { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
      );
      // Not vacuous: the fuzz reached the validation (some 4xx at least).
      expect([...statuses.keys()].some((s) => s >= 400 && s < 500)).toBe(true);
    },
  );

  // Node's HTTP parser answers a head over 16 KB itself (431, empty body) before express sees it; the server's
  // 'clientError' handler has to write our error body.
  it('answers a request head over 16 KB with 431 and the error body', async () => {
    const res = await send({ kind: 'invalid', method: 'GET', path: `/api/sites/${ctx.siteId}/orders/${'x'.repeat(20 * 1024)}`, note: '20 KB URL' });
    expect(res.status).toBe(431);
    expect(errorBodyProblem(res.json), res.text).toBeNull();
  });

  it('leaves the site healthy after all the fuzzing', async () => {
    expect(await siteInvariantProblems(api)).toEqual([]);
  });
});
