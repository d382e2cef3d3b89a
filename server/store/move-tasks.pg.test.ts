import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { asOperativeId, asOrderId, type LocationId } from '../twin/ids.ts';
import { dockLocationId } from '../twin/stock-status.ts';
import { LOC, newTwin, SKU_A, T1, TEST_SITE } from '../twin/test-site.ts';
import { checkStore } from './check.pg.ts';
import { PgEventStore } from './event-store.pg.ts';
import { freshSchema } from './test-database.ts';

const schema = 'test_move_tasks_pg';
let pool: pg.Pool;
let store: PgEventStore;

beforeAll(async () => {
  pool = await freshSchema(schema);
  store = new PgEventStore({ pool, schema });
  await store.init();
});
afterAll(async () => {
  await store.close();
  await pool.end();
});

const [L1, L2, L3] = LOC as [LocationId, LocationId, LocationId];
const DOCK = dockLocationId(TEST_SITE.id);
const P1 = asOperativeId('P1');

describe('projection of move tasks (R59, R65, R66)', () => {
  it('[R66] a completed move task is a stock move: stock_quant equals the twin and every store invariant holds', async () => {
    const t = newTwin();
    // A backorder, a receipt cross-docked to it (R65), the rest put away, a reslot found short (R59).
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_A, qty: 2 });
    t.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 5 }] });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O1'), policy: 'partial' });
    t.ok({ type: 'releaseOrder', orderId: asOrderId('O1') });
    t.ok({ type: 'receiveGoods', receiptId: 'r1', tenantId: T1, skuId: SKU_A, qty: 20 });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O1') });
    t.ok({ type: 'createMoveTask', taskId: 'PA-1', kind: 'putaway', tenantId: T1, skuId: SKU_A, fromLocationId: DOCK, toLocationId: L1, qty: 17 });
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 5 });
    t.ok({ type: 'confirmPick', taskId: 'O1-T2' as never, operativeId: P1, scannedLocation: DOCK, scannedItem: 'BC-A', qty: 3 });
    t.ok({ type: 'requestMoveTask', operativeId: P1 });
    t.ok({ type: 'completeMoveTask', taskId: 'PA-1', operativeId: P1, fromScan: DOCK, toScan: L1, scanId: 's1' });
    t.ok({ type: 'createMoveTask', taskId: 'RS-1', kind: 'reslot', tenantId: T1, skuId: SKU_A, fromLocationId: L1, toLocationId: L3, qty: 10 });
    t.ok({ type: 'requestMoveTask', operativeId: P1 });
    t.ok({ type: 'completeMoveTask', taskId: 'RS-1', operativeId: P1, fromScan: L1, toScan: L3, qty: 6, scanId: 's2' });
    const site = 'move-tasks-1';
    await store.ensureSite(site, {});
    const events = t.log.map((e) => e.event);
    for (let i = 0; i < events.length; i += 4) await store.append(site, i, events.slice(i, i + 4));

    const rows = await pool.query<{ location_id: string; on_hand: number; reserved: number }>(
      `SELECT location_id, on_hand, reserved FROM ${schema}.stock_quant WHERE site_id = $1 AND on_hand <> 0 ORDER BY location_id`,
      [site],
    );
    const twin = [...t.state.quants.values()]
      .map((q) => ({ location_id: q.locationId, on_hand: q.onHand, reserved: q.reserved }))
      .sort((a, b) => (a.location_id < b.location_id ? -1 : 1));
    expect(rows.rows).toEqual(twin);
    expect(twin.find((q) => q.location_id === L3)?.on_hand).toBe(6);
    const moves = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${schema}.stock_move WHERE site_id = $1 AND from_location = $2 AND to_location = $3 AND qty = 17`,
      [site, DOCK, L1],
    );
    expect(moves.rows[0]?.n).toBe(1);
    expect((await checkStore(pool, schema, site)).filter((r) => !r.ok)).toEqual([]);
  });
});
