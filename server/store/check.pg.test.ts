import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { runCheck } from '../cli/check.command.ts';
import type { DurableEvent } from '../twin/events.ts';
import { asLocationId, asSkuId, asTenantId, epochMs } from '../twin/ids.ts';
import { checkStore, INVARIANT_NAMES } from './check.pg.ts';
import { PgEventStore } from './event-store.pg.ts';
import { ProjectionRejectedError } from './event-store.ts';
import { isPgError, PG_CHECK_VIOLATION } from './pg-util.ts';
import { syntheticHistory } from './synthetic-history.ts';
import { TEST_DATABASE_URL, freshSchema } from './test-database.ts';

const schema = 'test_check_pg';
let pool: pg.Pool;
let store: PgEventStore;
let siteNo = 0;

beforeAll(async () => {
  pool = await freshSchema(schema);
  store = new PgEventStore({ pool, schema });
  await store.init();
});
afterAll(async () => {
  await store.close();
  await pool.end();
});

/** A new site holding `events`, appended in batches of `batch`. */
async function siteWith(events: readonly DurableEvent[], batch: number): Promise<string> {
  const site = `check-${++siteNo}`;
  await store.ensureSite(site, {});
  for (let i = 0; i < events.length; i += batch) await store.append(site, i, events.slice(i, i + batch));
  return site;
}

const failing = async (site: string): Promise<string[]> =>
  (await checkStore(pool, schema, site)).filter((r) => !r.ok).map((r) => r.name);

// Cut mid-flow, after an assignment, so that open pick tasks and reservations exist at the end.
const full = syntheticHistory({ orders: 80 });
const history = full.slice(0, full.findLastIndex((e) => e.type === 'TasksAssigned') + 1);

describe('checkStore', () => {
  it('passes every invariant on a healthy history', async () => {
    const site = await siteWith(history, 37);
    const results = await checkStore(pool, schema, site);
    expect(results.map((r) => r.name)).toEqual(INVARIANT_NAMES);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it('I1 fails when a projection row is corrupted', async () => {
    const site = await siteWith(history, 100);
    await pool.query(
      `UPDATE ${schema}.stock_quant SET on_hand = on_hand + 3
        WHERE (site_id, location_id) = (SELECT site_id, location_id FROM ${schema}.stock_quant WHERE site_id = $1 LIMIT 1)`,
      [site],
    );
    const results = await checkStore(pool, schema, site);
    const i1 = results.find((r) => r.name.startsWith('I1'));
    expect(i1).toMatchObject({ ok: false, violations: 1 });
    expect(i1?.sample[0]).toMatchObject({ on_hand: expect.any(Number) as unknown });
    expect(await failing(site)).toEqual([INVARIANT_NAMES[0], INVARIANT_NAMES[1]]);
  });

  it('I5 fails when a reservation goes missing', async () => {
    const site = await siteWith(history, 500);
    const res = await pool.query(
      `UPDATE ${schema}.pick_tasks SET status = 'picked' WHERE site_id = $1 AND status IN ('released', 'assigned')`,
      [site],
    );
    expect(res.rowCount).toBeGreaterThan(0);
    expect(await failing(site)).toEqual([INVARIANT_NAMES[4]]);
  });

  it('seq continuity fails on a gap in the log', async () => {
    const site = await siteWith(history.slice(0, 20), 20);
    await pool.query(`DELETE FROM ${schema}.events WHERE site_id = $1 AND seq = 7`, [site]);
    const results = await checkStore(pool, schema, site);
    const seq = results.find((r) => r.name.startsWith('seq'));
    expect(seq).toMatchObject({ ok: false, violations: 1 });
    expect(seq?.sample[0]).toMatchObject({ kind: 'gap' });
  });

  it('CHECK constraints reject negative stock even when code bypasses the store', async () => {
    const err: unknown = await pool
      .query(
        `INSERT INTO ${schema}.stock_quant (site_id, location_id, tenant_id, sku_id, lot, on_hand, reserved, updated_seq)
         VALUES ('x', 'A-1', 'T1', 'S1', '', -1, 0, 1)`,
      )
      .catch((e: unknown) => e);
    expect(isPgError(err) && err.code === PG_CHECK_VIOLATION && err.constraint).toBe('stock_quant_on_hand_nonnegative');
    const overReserved: unknown = await pool
      .query(
        `INSERT INTO ${schema}.stock_quant (site_id, location_id, tenant_id, sku_id, lot, on_hand, reserved, updated_seq)
         VALUES ('x', 'A-1', 'T1', 'S1', '', 1, 2, 1)`,
      )
      .catch((e: unknown) => e);
    expect(isPgError(overReserved) && overReserved.constraint).toBe('stock_quant_reserved_range');
  });

  it('an append that would take stock below zero is rejected whole', async () => {
    const site = await siteWith(history.slice(0, 5), 5);
    const overdraw: DurableEvent = {
      type: 'StockMoved',
      at: epochMs(Date.UTC(2026, 0, 6)),
      tenantId: asTenantId('T1'),
      skuId: asSkuId('SKU-999'),
      lot: '',
      expiry: null,
      fromLocationId: asLocationId('A-999-1'),
      toLocationId: asLocationId('A-998-1'),
      qty: 1,
    };
    const err: unknown = await store.append(site, 5, [history[5]!, overdraw]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProjectionRejectedError);
    expect((err as ProjectionRejectedError).constraint).toBe('stock_quant_on_hand_nonnegative');
    expect(await store.lastSeq(site)).toBe(5);
    expect(await failing(site)).toEqual([]);
  });
});

describe('projections', () => {
  const tables = ['stock_move', 'stock_quant', 'orders', 'order_lines', 'order_allocations', 'pick_tasks', 'operatives'];
  const dump = async (site: string): Promise<Record<string, unknown[]>> => {
    const out: Record<string, unknown[]> = {};
    for (const table of tables) {
      const res = await pool.query(`SELECT * FROM ${schema}.${table} WHERE site_id = $1`, [site]);
      out[table] = res.rows
        .map(({ site_id: _site, ...row }: Record<string, unknown>) => JSON.stringify(row))
        .sort();
    }
    return out;
  };

  it('are the same whatever the batch sizes (group commit does not change the result)', async () => {
    const events = history.slice(0, 300);
    const one = await dump(await siteWith(events, events.length));
    expect(await dump(await siteWith(events, 1))).toEqual(one);
    expect(await dump(await siteWith(events, 13))).toEqual(one);
    expect(one.orders?.length).toBeGreaterThan(25);
  });

  it('track the order flow: stock, reservations, lines and despatch', async () => {
    const events = syntheticHistory({ orders: 40 });
    const site = await siteWith(events, 50);
    const received = events.reduce((n, e) => n + (e.type === 'StockReceived' ? e.qty : 0), 0);
    const picked = events.reduce(
      (n, e) => n + (e.type === 'PickConfirmed' ? e.qty : e.type === 'PickShorted' ? e.pickedQty : 0),
      0,
    );
    const shorted = events.reduce((n, e) => n + (e.type === 'PickShorted' ? e.shortQty : 0), 0);
    const q = async (sql: string): Promise<unknown> => (await pool.query(sql, [site])).rows[0];
    expect(await q(`SELECT sum(on_hand)::int AS on_hand, sum(reserved)::int AS reserved
                      FROM ${schema}.stock_quant WHERE site_id = $1`)).toEqual({
      on_hand: received - picked - shorted,
      reserved: 0,
    });
    expect(await q(`SELECT count(*)::int AS n, count(despatched_at)::int AS despatched, min(status) AS status
                      FROM ${schema}.orders WHERE site_id = $1`)).toEqual({ n: 40, despatched: 40, status: 'despatched' });
    expect(await q(`SELECT sum(picked)::int AS picked, sum(shorted)::int AS shorted
                      FROM ${schema}.order_lines WHERE site_id = $1`)).toEqual({ picked, shorted });
    expect(await q(`SELECT sum(qty)::int AS qty FROM ${schema}.stock_move
                     WHERE site_id = $1 AND to_location = 'V:CUSTOMER'`)).toEqual({ qty: picked });
    expect(await failing(site)).toEqual([]);
  });
});

describe('check command', () => {
  it('exits 0 on a clean site and 1 on a corrupted one, printing a table', async () => {
    const site = await siteWith(history.slice(0, 200), 50);
    const out: string[] = [];
    const args = ['--database-url', TEST_DATABASE_URL, '--schema', schema, '--site', site];
    expect(await runCheck(args, (s) => out.push(s))).toBe(0);
    expect(out.join('\n')).toContain('I1 projection = ledger');
    expect(out.join('\n')).toContain('all invariants hold');
    await pool.query(`UPDATE ${schema}.stock_quant SET reserved = reserved + 1 WHERE site_id = $1 AND reserved < on_hand`, [site]);
    out.length = 0;
    expect(await runCheck([`--database-url=${TEST_DATABASE_URL}`, `--schema=${schema}`, `--site=${site}`], (s) => out.push(s))).toBe(1);
    expect(out.join('\n')).toMatch(/I5 .* FAIL/);
  });

  it('exits 1 on bad arguments or an unreachable schema', async () => {
    const out: string[] = [];
    expect(await runCheck(['--nope'], (s) => out.push(s))).toBe(1);
    expect(await runCheck(['--database-url', TEST_DATABASE_URL, '--schema', 'no_such_schema_x'], (s) => out.push(s))).toBe(1);
  });
});
