import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { asOperativeId, asOrderId, asTaskId, type LocationId } from '../twin/ids.ts';
import { LOC, newTwin, SKU_A, T1 } from '../twin/test-site.ts';
import { checkStore } from './check.pg.ts';
import { PgEventStore } from './event-store.pg.ts';
import { freshSchema } from './test-database.ts';

const schema = 'test_work_assignment_pg';
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

const L1 = LOC[0] as LocationId;
const P1 = asOperativeId('P1');

describe('projection of push assignment (R68, R69)', () => {
  it('[R69] tasks taken back are released with no operative in pick_task, and every store invariant holds', async () => {
    const t = newTwin();
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 });
    for (const id of ['O1', 'O2']) {
      t.ok({ type: 'createOrder', orderId: asOrderId(id), tenantId: T1, lines: [{ skuId: SKU_A, qty: 1 }] });
      t.ok({ type: 'allocateOrder', orderId: asOrderId(id) });
      t.ok({ type: 'releaseOrder', orderId: asOrderId(id) });
    }
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat', zones: ['Z1'], skills: ['reach'] });
    t.ok({ type: 'assignWork', operativeId: P1, taskIds: [asTaskId('O1-T1'), asTaskId('O2-T1')] });
    const site = 'work-assignment-1';
    await store.ensureSite(site, {});
    const pushed = t.log.map((e) => e.event);
    await store.append(site, 0, pushed);
    const read = async (): Promise<{ task_id: string; status: string; operative_id: string | null }[]> =>
      (await pool.query<{ task_id: string; status: string; operative_id: string | null }>(
        `SELECT task_id, status, operative_id FROM ${schema}.pick_tasks WHERE site_id = $1 ORDER BY task_id`,
        [site],
      )).rows;
    expect(await read()).toEqual([
      { task_id: 'O1-T1', status: 'assigned', operative_id: 'P1' },
      { task_id: 'O2-T1', status: 'assigned', operative_id: 'P1' },
    ]);
    t.ok({ type: 'unassignWork', operativeId: P1, taskIds: [asTaskId('O2-T1')], reason: 'falls behind' });
    await store.append(site, pushed.length, t.log.slice(pushed.length).map((e) => e.event));
    expect(await read()).toEqual([
      { task_id: 'O1-T1', status: 'assigned', operative_id: 'P1' },
      { task_id: 'O2-T1', status: 'released', operative_id: null },
    ]);
    expect((await checkStore(pool, schema, site)).filter((r) => !r.ok)).toEqual([]);
  });
});
