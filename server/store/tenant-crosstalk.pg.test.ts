/**
 * T3 pool cross-talk (reliability.md §6.5): 20,000 requests round-robin over 5 tenants, 100 at a time, through
 * `withTenant` on one pool of 10 connections. 5 % fail inside the transaction right after the scope is set, 1 % write
 * and then fail before COMMIT, 5 % are probes outside any transaction that check the scope a connection comes back with.
 * Pass: 0 rows of another tenant seen, every read complete, 0 connections handed out with a scope.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgEventStore } from './event-store.pg.ts';
import { APP_ROLE, quoteIdent } from './pg-util.ts';
import { syntheticHistory } from './synthetic-history.ts';
import { TEST_DATABASE_URL, freshSchema } from './test-database.ts';
import { currentTenantScope, withTenant } from './tenant-scope.ts';

const schema = 'test_tenant_crosstalk';
const SITE = 'crosstalk';
const PREFIXES = ['A', 'B', 'C', 'D', 'E'];
const TENANTS = PREFIXES.map((p) => `${p}T1`);
const REQUESTS = 20_000;
const CONCURRENCY = 100;
const POOL_SIZE = 10;

let owner: pg.Pool;
let store: PgEventStore;
/** Per tenant: its rows in orders and stock_quant, as the owner counts them. */
const expected = new Map<string, { orders: number; quants: number }>();
const orders = `${quoteIdent(schema)}.orders`;
const quants = `${quoteIdent(schema)}.stock_quant`;

class Injected extends Error {}

beforeAll(async () => {
  owner = await freshSchema(schema);
  store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 2, tenantConnections: POOL_SIZE });
  await store.init();
  await store.ensureSite(SITE, {});
  // Different sizes per tenant, so a read of another tenant's rows also shows as a wrong count.
  const events = PREFIXES.flatMap((prefix, i) => syntheticHistory({ orders: 3 + 2 * i, prefix }));
  await store.append(SITE, 0, events);
  for (const tenant of TENANTS) {
    const o = await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${orders} WHERE tenant_id = $1`, [tenant]);
    const q = await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quants} WHERE tenant_id = $1`, [tenant]);
    expected.set(tenant, { orders: o.rows[0]?.n ?? 0, quants: q.rows[0]?.n ?? 0 });
  }
});
afterAll(async () => {
  await store.close();
  await owner.end();
});

interface Tally {
  reads: number;
  aborted: number;
  rolledBackWrites: number;
  probes: number;
  /** Descriptions of every isolation failure seen. */
  violations: string[];
}

/** One tenant read: every row the tenant's, the counts the tenant's, the scope the tenant's. */
async function read(client: pg.PoolClient, tenant: string, tally: Tally): Promise<void> {
  const scope = await currentTenantScope(client);
  const o = await client.query<{ tenant_id: string; n: number }>(`SELECT tenant_id, count(*)::int AS n FROM ${orders} GROUP BY 1`);
  const q = await client.query<{ tenant_id: string }>(`SELECT tenant_id FROM ${quants}`);
  const want = expected.get(tenant);
  if (scope !== tenant) tally.violations.push(`scope ${String(scope)} inside ${tenant}`);
  for (const r of o.rows) if (r.tenant_id !== tenant) tally.violations.push(`${tenant} saw ${r.n} orders of ${r.tenant_id}`);
  for (const r of q.rows) if (r.tenant_id !== tenant) tally.violations.push(`${tenant} saw a quant of ${r.tenant_id}`);
  if (o.rows[0]?.n !== want?.orders || q.rows.length !== want?.quants) tally.violations.push(`${tenant} read an incomplete set`);
}

/** Runs `REQUESTS` requests `CONCURRENCY` at a time against `pool`; probes expect `probeScope` outside transactions. */
async function run(pool: pg.Pool, probeScope: string | null): Promise<{ tally: Tally; ms: number }> {
  const tally: Tally = { reads: 0, aborted: 0, rolledBackWrites: 0, probes: 0, violations: [] };
  const visibleOutside = probeScope === null ? 0 : [...expected.values()].reduce((s, e) => s + e.orders, 0);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < REQUESTS; i = next++) {
      const tenant = TENANTS[i % TENANTS.length] ?? '';
      const kind = i % 100;
      if (kind % 20 === 7) {
        // 5 %: a query outside withTenant, on whichever connection the pool hands out.
        const res = await pool.query<{ s: string | null; u: string; n: number }>(
          `SELECT nullif(current_setting('floortwin.tenant', true), '') AS s, current_user AS u, (SELECT count(*)::int FROM ${orders}) AS n`,
        );
        const row = res.rows[0];
        if (row?.s !== probeScope || row.u !== APP_ROLE || row.n !== visibleOutside) {
          tally.violations.push(`probe: scope ${String(row?.s)}, user ${String(row?.u)}, ${String(row?.n)} orders visible`);
        }
        tally.probes++;
      } else if (kind % 20 === 3) {
        // 5 %: fails right after the scope is set.
        await withTenant(pool, tenant, () => Promise.reject(new Injected('after set_config'))).catch((err: unknown) => {
          if (!(err instanceof Injected)) throw err;
          tally.aborted++;
        });
      } else if (kind === 11) {
        // 1 %: writes its own rows, reads, then fails before COMMIT.
        await withTenant(pool, tenant, async (client) => {
          await client.query(`UPDATE ${orders} SET priority = priority + 1`);
          await read(client, tenant, tally);
          throw new Injected('before commit');
        }).catch((err: unknown) => {
          if (!(err instanceof Injected)) throw err;
          tally.rolledBackWrites++;
        });
      } else {
        await withTenant(pool, tenant, (client) => read(client, tenant, tally));
        tally.reads++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { tally, ms: performance.now() - started };
}

/** The scope of every connection of `pool`, all checked out at once. */
async function scopesAtCheckout(pool: pg.Pool, size: number): Promise<(string | null)[]> {
  const clients = await Promise.all(Array.from({ length: size }, () => pool.connect()));
  try {
    return await Promise.all(clients.map((c) => currentTenantScope(c)));
  } finally {
    for (const c of clients) c.release();
  }
}

describe('T3 pool cross-talk', () => {
  it(`${REQUESTS.toLocaleString('en')} requests over ${TENANTS.length} tenants, ${CONCURRENCY} concurrent, on a pool of ${POOL_SIZE}: 0 cross-tenant rows`, async () => {
    const priorities = await owner.query<{ s: string }>(`SELECT sum(priority)::text AS s FROM ${orders}`);
    const { tally, ms } = await run(store.tenantPool, null);
    console.log(
      `T3: ${REQUESTS} requests in ${Math.round(ms)} ms (${Math.round(REQUESTS / (ms / 1000))}/s): ${tally.reads} reads, ` +
        `${tally.aborted} aborted after set_config, ${tally.rolledBackWrites} rolled-back writes, ${tally.probes} probes, ` +
        `${tally.violations.length} violations`,
    );
    expect(tally.violations.slice(0, 10)).toEqual([]);
    expect(tally).toMatchObject({ reads: REQUESTS * 0.89, aborted: REQUESTS * 0.05, rolledBackWrites: REQUESTS * 0.01, probes: REQUESTS * 0.05 });
    expect(await scopesAtCheckout(store.tenantPool, POOL_SIZE)).toEqual(Array.from({ length: POOL_SIZE }, () => null));
    // The rolled-back writes left nothing behind.
    expect((await owner.query<{ s: string }>(`SELECT sum(priority)::text AS s FROM ${orders}`)).rows).toEqual(priorities.rows);
  }, 300_000);

  it("on the app's site-wide pool, every connection goes back to scope '*' (2,000 requests)", async () => {
    const pool = store.pool;
    let next = 0;
    const violations: string[] = [];
    const tally: Tally = { reads: 0, aborted: 0, rolledBackWrites: 0, probes: 0, violations };
    const worker = async (): Promise<void> => {
      for (let i = next++; i < 2_000; i = next++) {
        const tenant = TENANTS[i % TENANTS.length] ?? '';
        if (i % 10 === 3) {
          await withTenant(pool, tenant, () => Promise.reject(new Injected('x'))).catch(() => undefined);
        } else {
          await withTenant(pool, tenant, (client) => read(client, tenant, tally));
          tally.reads++;
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    expect(violations.slice(0, 10)).toEqual([]);
    expect(tally.reads).toBe(1_800);
    expect(await scopesAtCheckout(pool, 2)).toEqual(['*', '*']);
  });
});
