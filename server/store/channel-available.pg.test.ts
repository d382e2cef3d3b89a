/**
 * What a sales channel may sell (channel-available.ts) against the twin's `availableOf` on the same history: units
 * committed to a transfer to another site (R71) are leaving and are not sellable from the moment the transfer is
 * created; units committed to a move task inside the site (R57) stay sellable (they are sellable where they land).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { availableOf } from '../twin/availability.ts';
import type { LocationId } from '../twin/ids.ts';
import { dockLocationId } from '../twin/stock-status.ts';
import { LOC, newTwin, SKU_A, T1, TEST_SITE, type TestTwin } from '../twin/test-site.ts';
import { channelAvailableSql } from './channel-available.ts';
import { checkStore } from './check.pg.ts';
import { PgEventStore } from './event-store.pg.ts';
import { freshSchema } from './test-database.ts';

const schema = 'test_channel_available_pg';
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

const [L1, L2] = LOC as [LocationId, LocationId];

/** Appends the twin's log to a new site of the store; the channel figure of (T1, SKU_A) there. */
async function channelFigure(t: TestTwin): Promise<number> {
  const site = `channel-available-${++siteNo}`;
  await store.ensureSite(site, {});
  await store.append(site, 0, t.log.map((e) => e.event));
  const one = await pool.query<{ available: number }>(channelAvailableSql(schema, true), [site, T1, SKU_A]);
  const all = await pool.query<{ tenant_id: string; sku_id: string; available: number }>(channelAvailableSql(schema, false), [site]);
  // The one-SKU form and the site-wide form (check I10) agree.
  expect(all.rows.find((r) => r.tenant_id === T1 && r.sku_id === SKU_A)?.available ?? 0).toBe(one.rows[0]?.available ?? 0);
  return one.rows[0]?.available ?? 0;
}

describe('channel available = what the twin may sell', () => {
  it('[R71] units committed to a created transfer are not offered; a cancelled transfer gives them back', async () => {
    const t = newTwin();
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 });
    t.ok({ type: 'createTransfer', transferId: 'TR-1', toSiteId: 'north', lines: [{ tenantId: T1, skuId: SKU_A, qty: 4, fromLocationId: L1 }] });
    expect(availableOf(t.state, T1, SKU_A)).toBe(6);
    expect(await channelFigure(t)).toBe(6);
    t.ok({ type: 'cancelTransfer', transferId: 'TR-1', reason: 'not needed' });
    expect(await channelFigure(t)).toBe(availableOf(t.state, T1, SKU_A));
    expect(availableOf(t.state, T1, SKU_A)).toBe(10);
  });

  it('[R73] picked and despatched, the units are in transit: still not offered', async () => {
    const t = newTwin();
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 });
    t.ok({ type: 'createTransfer', transferId: 'TR-2', toSiteId: 'north', lines: [{ tenantId: T1, skuId: SKU_A, qty: 4, fromLocationId: L1 }] });
    t.ok({ type: 'pickTransferLine', transferId: 'TR-2', lineNo: 1, sourceScan: L1, scanId: 'S-1' });
    expect(await channelFigure(t)).toBe(6);
    t.ok({ type: 'despatchTransfer', transferId: 'TR-2' });
    expect(await channelFigure(t)).toBe(6);
    expect(availableOf(t.state, T1, SKU_A)).toBe(6);
  });

  it('[R57] units committed to a move between bins stay on offer: the twin only keeps them from other moves and picks', async () => {
    const t = newTwin();
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 });
    t.ok({ type: 'createMoveTask', taskId: 'RS-1', kind: 'reslot', tenantId: T1, skuId: SKU_A, fromLocationId: L1, toLocationId: L2, qty: 3 });
    expect(availableOf(t.state, T1, SKU_A)).toBe(7);
    expect(await channelFigure(t)).toBe(10);
  });
});

/**
 * The outbox (projections.pg.ts) must write a 'stock' row whenever the channel figure above changes, or check I10 finds
 * a channel level that nothing will ever correct. `drain` does what the relay does: for each pending row, push the
 * current figure and mark the row done.
 */
describe('outbox: a channel is told whenever what it may sell changes (I10)', () => {
  async function linkedSite(): Promise<{ site: string; append(t: TestTwin): Promise<void>; drain(): Promise<number>; i10(): Promise<boolean> }> {
    const site = `channel-outbox-${++siteNo}`;
    const connection = `shop-${site}`;
    await store.ensureSite(site, {});
    await pool.query(
      `INSERT INTO ${schema}.channel_connections (id, kind, site_id, tenant_id, shop, secrets, api_base_url, api_token)
       VALUES ($1, 'woocommerce', $2, $3, $1, ARRAY['s'], 'http://127.0.0.1:1', 'ck_x:cs_y')`,
      [connection, site, T1],
    );
    await pool.query(`INSERT INTO ${schema}.channel_items (connection_id, sku_id, external_item_id, last_pushed_qty) VALUES ($1, $2, '1', 0)`, [connection, SKU_A]);
    let appended = 0;
    return {
      site,
      async append(t) {
        await store.append(site, appended, t.log.slice(appended).map((e) => e.event));
        appended = t.log.length;
      },
      async drain() {
        const figure = (await pool.query<{ available: number }>(channelAvailableSql(schema, true), [site, T1, SKU_A])).rows[0]?.available ?? 0;
        const sent = await pool.query(`UPDATE ${schema}.outbox SET done_at = now() WHERE site_id = $1 AND kind = 'stock' AND sku_id = $2 AND done_at IS NULL`, [site, SKU_A]);
        if ((sent.rowCount ?? 0) > 0) await pool.query(`UPDATE ${schema}.channel_items SET last_pushed_qty = $2 WHERE connection_id = $1`, [connection, figure]);
        return (await pool.query<{ q: number }>(`SELECT last_pushed_qty AS q FROM ${schema}.channel_items WHERE connection_id = $1`, [connection])).rows[0]!.q;
      },
      async i10() {
        const result = (await checkStore(pool, schema, site)).find((r) => r.name.startsWith('I10'));
        return result?.ok ?? false;
      },
    };
  }

  it('[R71] creating and cancelling a transfer tells the channel', async () => {
    const t = newTwin();
    const s = await linkedSite();
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 });
    await s.append(t);
    expect(await s.drain()).toBe(10);
    t.ok({ type: 'createTransfer', transferId: 'TR-O1', toSiteId: 'north', lines: [{ tenantId: T1, skuId: SKU_A, qty: 4, fromLocationId: L1 }] });
    await s.append(t);
    expect(await s.i10()).toBe(true);
    expect(await s.drain()).toBe(6);
    t.ok({ type: 'cancelTransfer', transferId: 'TR-O1', reason: 'not needed' });
    await s.append(t);
    expect(await s.i10()).toBe(true);
    expect(await s.drain()).toBe(10);
  });

  it('[R44] a put-away from the dock makes units sellable and tells the channel; the receipt on the dock alone does not change the figure', async () => {
    const t = newTwin();
    const s = await linkedSite();
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 });
    await s.append(t);
    expect(await s.drain()).toBe(10);
    t.ok({ type: 'receiveGoods', receiptId: 'GR-O1', tenantId: T1, skuId: SKU_A, qty: 5 });
    await s.append(t);
    expect(await s.i10()).toBe(true);
    expect(await s.drain()).toBe(10);
    t.ok({ type: 'moveStock', tenantId: T1, fromLocationId: dockLocationId(TEST_SITE.id), toLocationId: L2, skuId: SKU_A, qty: 5 });
    await s.append(t);
    expect(await s.i10()).toBe(true);
    expect(await s.drain()).toBe(15);
  });
});
