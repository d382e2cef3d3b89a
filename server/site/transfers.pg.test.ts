/**
 * A transfer between two sites on a real Postgres (twin SPEC R71–R76): two SiteRunners (the demo site and a copy under
 * another id) and the TransferRelay adapter between them, with a duplicate relay, a duplicate step and a crash of the
 * relay (and a restart of both sites) between the steps — each cross-site step is applied exactly once, the transit of
 * A is cleared, and `floortwin check`'s transit invariant and I1–I12 hold on both sites.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStore } from '../store/check.pg.ts';
import { PgEventStore } from '../store/event-store.pg.ts';
import { checkTransit } from '../store/transfers-check.pg.ts';
import { TEST_DATABASE_URL, uniqueSchema } from '../testing/server-process.ts';
import type { Command } from '../twin/commands.ts';
import { asSiteId, epochMs } from '../twin/ids.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import { quantKey } from '../twin/keys.ts';
import type { SiteDefinition } from '../twin/site.ts';
import { dockLocationId } from '../twin/stock-status.ts';
import { transitLocationId } from '../twin/transfers.ts';
import { loadSiteFiles } from './site-loader.ts';
import { SiteRunner } from './site-runner.ts';
import { TransferRelay } from './transfers.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('transfers between two sites through the relay (Postgres)', () => {
  const schema = uniqueSchema('transfers');
  let store: PgEventStore;
  let siteA: SiteDefinition;
  let siteB: SiteDefinition;
  let clockMs = Date.UTC(2026, 10, 27, 8);
  const clock = { now: () => epochMs((clockMs += 1000)) };
  const open = (site: SiteDefinition): Promise<SiteRunner> => SiteRunner.open({ site, store, clock });
  const ok = async (runner: SiteRunner, command: Command): Promise<number> => {
    const r = await runner.submit(command);
    if (!r.ok) throw new Error(`${command.type} refused: ${r.error.code} ${r.error.message}`);
    return r.events.length;
  };
  const countEvents = async (siteId: string, type: string): Promise<number> => {
    const res = await store.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${store.tables.events} WHERE site_id = $1 AND type = $2`, [siteId, type]);
    return res.rows[0]?.n ?? -1;
  };

  beforeAll(async () => {
    store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema });
    await store.init();
    siteA = (await loadSiteFiles(path.join(root, 'data/sites/demo.json'))).site;
    siteB = { ...siteA, id: asSiteId(`${siteA.id}-b`), name: `${siteA.name} B` };
    await store.ensureSite(siteA.id, siteA);
    await store.ensureSite(siteB.id, siteB);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('A → B: despatch, expected at B once, received with a discrepancy, confirmed at A once, transit cleared', async () => {
    const sku = siteA.skus.find((s) => !s.lotTracked && s.serialTracked !== true);
    const bin = siteA.layout.locations[0];
    if (sku === undefined || bin === undefined) throw new Error('demo site has no plain SKU or bin');
    let a = await open(siteA);
    let b = await open(siteB);

    await ok(a, { type: 'receiveStock', tenantId: sku.tenantId, locationId: bin.id, skuId: sku.id, qty: 10 });
    await ok(a, { type: 'createTransfer', transferId: 'TR-PG-1', toSiteId: siteB.id, lines: [{ tenantId: sku.tenantId, skuId: sku.id, qty: 4, fromLocationId: bin.id }] });
    await ok(a, { type: 'pickTransferLine', transferId: 'TR-PG-1', lineNo: 1, sourceScan: bin.id, scanId: 'scan-1' });

    // Two relays at once (a duplicate), started before the despatch: the commit triggers both.
    const relay1 = new TransferRelay([a, b], { retryMs: 20 });
    const relay2 = new TransferRelay([a, b], { retryMs: 20 });
    relay1.start();
    relay2.start();
    await ok(a, { type: 'despatchTransfer', transferId: 'TR-PG-1' });
    const transit = transitLocationId(siteA.id);
    expect(a.twin.quants.get(quantKey(transit, sku.tenantId, sku.id, ''))?.onHand).toBe(4);
    await a.idle();
    await relay1.settle();
    await relay2.settle();
    await b.idle();
    expect(b.twin.inboundTransfers.get('TR-PG-1')?.status).toBe('expected');
    // A duplicate of the step itself is acknowledged with no events.
    const dup = await b.submit({ type: 'expectTransfer', transferId: 'TR-PG-1', fromSiteId: siteA.id, lines: [{ lineNo: 1, tenantId: sku.tenantId, skuId: sku.id, lot: '', expiry: null, qty: 4, serials: [] }] });
    expect(dup.ok && dup.events.length).toBe(0);

    // The relays crash between the steps; B receives and closes meanwhile; both sites restart from the log.
    await relay1.stop();
    await relay2.stop();
    expect(await ok(b, { type: 'receiveTransfer', transferId: 'TR-PG-1', receiptId: 'R-1', lineNo: 1, qty: 3, damagedQty: 1, reason: 'crushed box' })).toBe(1);
    expect(await ok(b, { type: 'receiveTransfer', transferId: 'TR-PG-1', receiptId: 'R-1', lineNo: 1, qty: 3, damagedQty: 1, reason: 'crushed box' })).toBe(0);
    await ok(b, { type: 'closeTransfer', transferId: 'TR-PG-1', reason: 'one missing' });
    await a.close();
    await b.close();
    a = await open(siteA);
    b = await open(siteB);
    expect(a.twin.transfers.get('TR-PG-1')?.status).toBe('despatched');

    // A new relay finds the pending confirmation in the logs alone.
    const relay3 = new TransferRelay([a, b], { retryMs: 20 });
    relay3.start();
    await relay3.settle();
    await a.idle();
    await relay3.settle();
    await relay3.stop();
    expect(relay3.refusals()).toEqual([]);

    expect(await countEvents(siteB.id, 'InboundTransferExpected')).toBe(1);
    expect(await countEvents(siteA.id, 'TransferReceiptConfirmed')).toBe(1);
    expect(a.twin.transfers.get('TR-PG-1')?.status).toBe('received');
    expect(a.twin.transfers.get('TR-PG-1')?.lines[0]?.receivedQty).toBe(3);
    expect(a.twin.quants.has(quantKey(transit, sku.tenantId, sku.id, ''))).toBe(false);
    expect(a.twin.quants.get(quantKey(bin.id, sku.tenantId, sku.id, ''))?.onHand).toBe(6);
    expect(b.twin.quants.get(quantKey(dockLocationId(siteB.id), sku.tenantId, sku.id, ''))?.onHand).toBe(3);
    expect(checkTwinInvariants(a.twin)).toEqual([]);
    expect(checkTwinInvariants(b.twin)).toEqual([]);

    // The projections: A's ledger sent 3 to TRANSFER_OUT and 1 to ADJUSTMENT; the database checks hold on both sites.
    const moves = await store.pool.query<{ to_location: string; reason: string; qty: number }>(
      `SELECT to_location, reason, qty FROM ${store.tables.stockMove} WHERE site_id = $1 AND from_location = $2 ORDER BY to_location`,
      [siteA.id, transit],
    );
    expect(moves.rows).toEqual([
      { to_location: 'V:ADJUSTMENT', reason: 'TRANSFER_SHORT', qty: 1 },
      { to_location: 'V:TRANSFER_OUT', reason: 'TRANSFER_DELIVERED', qty: 3 },
    ]);
    for (const siteId of [siteA.id, siteB.id]) {
      expect(await checkTransit(store.pool, schema, siteId)).toMatchObject({ ok: true });
      expect((await checkStore(store.pool, schema, siteId, { recordCheckpoint: false })).filter((r) => !r.ok)).toEqual([]);
    }
    const lines = await store.pool.query<{ direction: string; received_qty: number; damaged_qty: number }>(
      `SELECT direction, received_qty, damaged_qty FROM ${schema}.transfer_lines WHERE transfer_id = 'TR-PG-1' ORDER BY direction`,
    );
    expect(lines.rows).toEqual([
      { direction: 'in', received_qty: 3, damaged_qty: 1 },
      { direction: 'out', received_qty: 3, damaged_qty: 1 },
    ]);
    await a.close();
    await b.close();
  });

  it('the transit check reports a transit quant that no despatched transfer explains', async () => {
    await store.pool.query(
      `INSERT INTO ${store.tables.stockQuant} (site_id, location_id, tenant_id, sku_id, lot, on_hand, reserved, updated_seq) VALUES ($1, $2, 'acme', 'X', '', 2, 0, 0)`,
      [siteB.id, transitLocationId(siteB.id)],
    );
    const r = await checkTransit(store.pool, schema, siteB.id);
    expect(r.ok).toBe(false);
    expect(r.sample[0]).toMatchObject({ what: 'transit', in_transit: '2', despatched_not_confirmed: '0' });
  });
});
