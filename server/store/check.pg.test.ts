import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { parseHistory, runCheck } from '../cli/check.command.ts';
import type { DurableEvent } from '../twin/events.ts';
import { asLocationId, asSkuId, asTenantId, epochMs } from '../twin/ids.ts';
import { checkStore, I12_NAME, INVARIANT_NAMES, type CheckResult } from './check.pg.ts';
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

/** A new site holding `events`, appended in batches of `batch`, with `definition` stored. */
async function siteWith(events: readonly DurableEvent[], batch: number, definition: unknown = {}): Promise<string> {
  const site = `check-${++siteNo}`;
  await store.ensureSite(site, definition);
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

/** The SKUs of a history with their owner, as a stored site definition lists them. */
const definitionOf = (events: readonly DurableEvent[]) => ({
  skus: [...new Map(events.flatMap((e) => (e.type === 'StockReceived' ? [[e.skuId, { id: e.skuId, tenantId: e.tenantId }] as const] : []))).values()],
});
const resultOf = (results: readonly CheckResult[], prefix: string): CheckResult | undefined => results.find((r) => r.name.startsWith(prefix));

describe('I9–I12', () => {
  it('I9 passes on a healthy site with SKU owners and fails, naming the row and both tenants, when a row crosses tenants', async () => {
    const site = await siteWith(history, 100, definitionOf(history));
    const clean = await checkStore(pool, schema, site);
    expect(resultOf(clean, 'I9')).toMatchObject({ ok: true, violations: 0 });
    expect(resultOf(clean, 'I9')?.note).toBeUndefined();
    // A pick task re-labelled with another client: it now names an order of T1 as tenant T2.
    const task = await pool.query<{ task_id: string }>(`UPDATE ${schema}.pick_tasks SET tenant_id = 'T2' WHERE site_id = $1 AND task_id = (SELECT min(task_id) FROM ${schema}.pick_tasks WHERE site_id = $1) RETURNING task_id`, [site]);
    const i9 = resultOf(await checkStore(pool, schema, site), 'I9');
    expect(i9).toMatchObject({ ok: false, violations: 1 });
    expect(i9?.sample[0]).toMatchObject({ kind: "pick task of another tenant's order", ref: task.rows[0]!.task_id, tenant_id: 'T2', other_tenant: 'T1' });
  });

  it('I9 fails when the catalogue says a SKU belongs to another client than its stock, and when a bin mixes clients', async () => {
    const owners = definitionOf(history);
    const site = await siteWith(history, 100, { skus: owners.skus.map((s, i) => (i === 0 ? { ...s, tenantId: 'T9' } : s)) });
    const i9 = resultOf(await checkStore(pool, schema, site), 'I9');
    expect(i9?.ok).toBe(false);
    expect(i9?.sample.map((r) => (r as { kind: string }).kind)).toContain('stock_move sku of another tenant');
    expect(i9?.sample[0]).toMatchObject({ other_tenant: 'T9', detail: owners.skus[0]!.id });

    const mixed = await siteWith(history.slice(0, 30), 30, owners);
    expect(resultOf(await checkStore(pool, schema, mixed), 'I9')?.ok).toBe(true);
    await pool.query(
      `INSERT INTO ${schema}.stock_quant (site_id, location_id, tenant_id, sku_id, lot, on_hand, reserved, updated_seq)
       SELECT site_id, location_id, 'T2', 'SKU-X', '', 1, 0, updated_seq FROM ${schema}.stock_quant WHERE site_id = $1 AND on_hand > 0 LIMIT 1`,
      [mixed],
    );
    const i9mixed = resultOf(await checkStore(pool, schema, mixed), 'I9');
    expect(i9mixed?.sample).toContainEqual(expect.objectContaining({ kind: 'bin holds two tenants', tenant_id: 'T1', other_tenant: 'T2' }));
    // Without SKUs in the definition the check says what it could not do.
    expect(resultOf(await checkStore(pool, schema, await siteWith(history.slice(0, 10), 10)), 'I9')?.note).toMatch(/lists no SKUs/);
  });

  it('I10 is not applicable without a channel; passes when the channel shows the level; fails when a change left no outbox row', async () => {
    const events = history.slice(0, 120);
    const site = await siteWith(events, 40, definitionOf(events));
    expect(resultOf(await checkStore(pool, schema, site), 'I10')).toMatchObject({ ok: true, note: expect.stringMatching(/not applicable: no channel connection/) as unknown });
    const sku = (events.find((e) => e.type === 'StockReceived') as Extract<DurableEvent, { type: 'StockReceived' }>).skuId;
    const level = async (): Promise<number> =>
      (await pool.query<{ n: number }>(`SELECT COALESCE(sum(on_hand - reserved), 0)::int AS n FROM ${schema}.stock_quant WHERE site_id = $1 AND tenant_id = 'T1' AND sku_id = $2`, [site, sku])).rows[0]!.n;
    await pool.query(
      `INSERT INTO ${schema}.channel_connections (id, kind, site_id, tenant_id, shop, secrets, api_base_url, api_token) VALUES ($1, 'woocommerce', $2, 'T1', $1, ARRAY['s'], 'http://127.0.0.1:1', 'ck_x:cs_y')`,
      [`shop-${site}`, site],
    );
    // The relay has pushed the current level: drained and equal.
    await pool.query(`INSERT INTO ${schema}.channel_items (connection_id, sku_id, external_item_id, last_pushed_qty) VALUES ($1, $2, '1', $3)`, [`shop-${site}`, sku, await level()]);
    expect(resultOf(await checkStore(pool, schema, site), 'I10')).toMatchObject({ ok: true, note: expect.stringMatching(/1 linked SKU/) as unknown });
    // A receipt is committed: its outbox row is pending, so the stale level is not (yet) a violation.
    const receipt: DurableEvent = { type: 'StockReceived', at: epochMs(Date.UTC(2026, 0, 9)), tenantId: asTenantId('T1'), skuId: sku, lot: '', expiry: null, locationId: asLocationId('A-900-1'), qty: 7 };
    await store.append(site, await store.lastSeq(site), [receipt]);
    const pending = await pool.query(`SELECT id FROM ${schema}.outbox WHERE site_id = $1 AND sku_id = $2 AND done_at IS NULL`, [site, sku]);
    expect(pending.rowCount).toBe(1);
    expect(resultOf(await checkStore(pool, schema, site), 'I10')?.ok).toBe(true);
    // The same change without its outbox row: nothing will ever correct the channel.
    await pool.query(`DELETE FROM ${schema}.outbox WHERE site_id = $1 AND sku_id = $2`, [site, sku]);
    const i10 = resultOf(await checkStore(pool, schema, site), 'I10');
    expect(i10).toMatchObject({ ok: false, violations: 1 });
    expect(i10?.sample[0]).toMatchObject({ tenant_id: 'T1', sku_id: sku, channel_level: (await level()) - 7, wms_available: await level() });
    // Once the relay sends the level again, it holds.
    await pool.query(`UPDATE ${schema}.channel_items SET last_pushed_qty = $2 WHERE connection_id = $1`, [`shop-${site}`, await level()]);
    expect(resultOf(await checkStore(pool, schema, site), 'I10')?.ok).toBe(true);
  });

  it('I11 checks a recorded history: acknowledged creates exactly once, refused ones absent, indeterminate at most once', async () => {
    const site = await siteWith(history.slice(0, 60), 60);
    const orderIds = history.slice(0, 60).flatMap((e) => (e.type === 'OrderCreated' ? [e.orderId as string] : []));
    expect(orderIds.length).toBeGreaterThan(2);
    expect(resultOf(await checkStore(pool, schema, site), 'I11')).toMatchObject({ ok: true, note: expect.stringMatching(/not checked/) as unknown });
    const good = [
      ...orderIds.map((id) => ({ kind: 'order' as const, id, outcome: 'ok' as const })),
      { kind: 'order' as const, id: 'NEVER-MADE', outcome: 'fail' as const },
      { kind: 'order' as const, id: orderIds[0]!, outcome: 'info' as const },
      { kind: 'receipt' as const, id: 'R-unknown', outcome: 'info' as const },
    ];
    expect(resultOf(await checkStore(pool, schema, site, { history: good }), 'I11')).toMatchObject({ ok: true, violations: 0 });
    const bad = [
      { kind: 'order' as const, id: 'LOST-1', outcome: 'ok' as const },
      { kind: 'order' as const, id: orderIds[1]!, outcome: 'fail' as const },
    ];
    const i11 = resultOf(await checkStore(pool, schema, site, { history: bad }), 'I11');
    expect(i11).toMatchObject({ ok: false, violations: 2 });
    expect(i11?.sample).toEqual([
      { kind: 'order', id: 'LOST-1', outcome: 'ok', times: 0, problem: 'acknowledged but lost' },
      { kind: 'order', id: orderIds[1], outcome: 'fail', times: 1, problem: 'refused but left a trace' },
    ]);
    // A duplicate in the log (the same order created twice) is caught too.
    const first = await pool.query<{ seq: string }>(`SELECT seq::text FROM ${schema}.events WHERE site_id = $1 AND type = 'OrderCreated' AND payload->>'orderId' = $2`, [site, orderIds[2]]);
    await pool.query(`UPDATE ${schema}.events SET payload = jsonb_set(payload, '{orderId}', to_jsonb($3::text)) WHERE site_id = $1 AND type = 'OrderCreated' AND payload->>'orderId' = $2`, [site, orderIds[0], orderIds[2]]);
    expect(first.rowCount).toBe(1);
    const dup = resultOf(await checkStore(pool, schema, site, { history: [{ kind: 'order', id: orderIds[2]!, outcome: 'ok' }] }), 'I11');
    expect(dup?.sample).toEqual([{ kind: 'order', id: orderIds[2], outcome: 'ok', times: 2, problem: 'acknowledged once, created more than once' }]);
  });

  it('I12 records a checkpoint, then passes while history is only appended and names the seq range a rewrite touched', async () => {
    const site = await siteWith(history.slice(0, 150), 50);
    const first = resultOf(await checkStore(pool, schema, site), 'I12');
    expect(first).toMatchObject({ ok: true, note: expect.stringMatching(/no checkpoint yet: recording seq \d+/) as unknown });
    expect(resultOf(await checkStore(pool, schema, site), 'I12')).toMatchObject({ ok: true, note: expect.stringMatching(/^unchanged up to seq/) as unknown });
    await store.append(site, 150, history.slice(150, 200));
    expect(resultOf(await checkStore(pool, schema, site), 'I12')?.note).toMatch(/recording seq/);
    // A rewrite that keeps every balance (only the reason of one move) breaks I12 alone.
    const row = await pool.query<{ seq: string }>(`UPDATE ${schema}.stock_move SET reason = 'edited' WHERE (site_id, seq, idx) = (SELECT site_id, seq, idx FROM ${schema}.stock_move WHERE site_id = $1 ORDER BY seq LIMIT 1) RETURNING seq::text`, [site]);
    const results = await checkStore(pool, schema, site);
    expect(results.filter((r) => !r.ok).map((r) => r.name)).toEqual([I12_NAME]);
    const i12 = resultOf(results, 'I12');
    expect(i12).toMatchObject({ ok: false, violations: 1 });
    expect(i12?.sample[0]).toMatchObject({ seqFrom: 0, rowsAtCheckpoint: expect.any(Number) as unknown });
    expect(Number(row.rows[0]!.seq)).toBeLessThanOrEqual((i12?.sample[0] as { seqTo: number }).seqTo);
    expect(i12?.note).toMatch(/history was rewritten/);
    // A failed comparison records nothing: the evidence stays.
    expect(resultOf(await checkStore(pool, schema, site), 'I12')?.ok).toBe(false);
    await pool.query(`DELETE FROM ${schema}.stock_move WHERE site_id = $1 AND seq = (SELECT max(seq) FROM ${schema}.stock_move WHERE site_id = $1)`, [site]);
    const deleted = resultOf(await checkStore(pool, schema, site, { recordCheckpoint: false }), 'I12');
    expect(deleted?.sample[0]).toMatchObject({ rowsNow: expect.any(Number) as unknown });
    expect((deleted?.sample[0] as { rowsNow: number; rowsAtCheckpoint: number }).rowsNow).toBeLessThan((deleted?.sample[0] as { rowsAtCheckpoint: number }).rowsAtCheckpoint);
  });

  it('the command reads a --history file, prints notes and the failing rows, and refuses a bad file', async () => {
    const site = await siteWith(history.slice(0, 40), 40);
    const dir = await mkdtemp(join(tmpdir(), 'ft-check-'));
    const file = join(dir, 'history.jsonl');
    await writeFile(file, `{"kind":"order","id":"GONE-1"}\n{"kind":"order","id":"GONE-2","outcome":"info"}\n`);
    const out: string[] = [];
    const args = ['--database-url', TEST_DATABASE_URL, '--schema', schema, '--site', site];
    expect(await runCheck([...args, '--history', file, '--read-only'], (s) => out.push(s))).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/I11 .* FAIL\s+1/);
    expect(text).toContain('"problem":"acknowledged but lost"');
    expect(text).toContain('not applicable: no channel connection');
    expect(text).toContain('would record seq');
    expect(await pool.query(`SELECT 1 FROM ${schema}.ledger_checkpoints WHERE site_id = $1`, [site]).then((r) => r.rowCount)).toBe(0);
    await writeFile(file, '[{"kind":"parcel","id":"x"}]');
    out.length = 0;
    expect(await runCheck([...args, '--history', file], (s) => out.push(s))).toBe(1);
    expect(out.join('\n')).toMatch(/history entry 1: kind/);
    expect(() => parseHistory('{"kind":"order"}')).toThrow(/line 1: id/);
    expect(parseHistory('[{"kind":"rma","id":"R1","outcome":"fail"}]')).toEqual([{ kind: 'rma', id: 'R1', outcome: 'fail' }]);
  });
});
