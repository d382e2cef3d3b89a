import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NextPickResult, NextPickView, ScanResult, SignOffResult, SignOnResult } from '../protocol/picking.ts';
import type { PositionResult } from '../protocol/positions.ts';
import { siteRegistry } from '../api/sites.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import { asOperativeId, asOrderId, asSiteId, epochMs } from '../twin/ids.ts';
import { serialKey } from '../twin/serials.ts';
import { dockLocationId } from '../twin/stock-status.ts';
import { attachPickingGateway, type PickingGateway } from './picking-gateway.ts';
import { BINS, SKU, TENANT, tinySite } from './realtime.fixture.ts';
import { WAIT_MS, connectClient, startServer, type FloorClient, type RunningServer } from './socket-test-kit.ts';

/** The tiny site with a valid EAN-13 on its SKU (check digit 5), so GS1 (01) scans of it parse. */
const BARCODE = '5000000000005';
const TINY = tinySite('pick-gw');
const SITE = { ...TINY, skus: TINY.skus.map((sku) => ({ ...sku, barcode: BARCODE })) };
const OP = 'HH-1';
const DEVICE = 'device-1';

describe('picking gateway over real sockets', () => {
  let running: RunningServer;
  let gateway: PickingGateway;
  let store: MemoryEventStore;
  let runner: SiteRunner;
  let socket: FloorClient;
  let scans = 0;

  const signOn = (request: unknown): Promise<SignOnResult> => socket.timeout(WAIT_MS).emitWithAck('picker:signOn', request);
  const signOff = (request: unknown): Promise<SignOffResult> => socket.timeout(WAIT_MS).emitWithAck('picker:signOff', request);
  const next = (request: unknown): Promise<NextPickResult> => socket.timeout(WAIT_MS).emitWithAck('picker:next', request);
  const scan = (request: unknown): Promise<ScanResult> => socket.timeout(WAIT_MS).emitWithAck('picker:scan', request);
  const position = (request: unknown, on = socket): Promise<PositionResult> => on.timeout(WAIT_MS).emitWithAck('picker:position', request);

  const base = { siteId: SITE.id, operativeId: OP, deviceId: DEVICE };
  const newScanId = (): string => `scan-${++scans}`;

  /** Stocks a bin and releases a one-line order for `qty` units (picked from that bin). */
  async function release(orderId: string, qty: number, bin = BINS[0]!): Promise<void> {
    const submit = async (command: Parameters<SiteRunner['submit']>[0]): Promise<void> => {
      const result = await runner.submit(command);
      if (!result.ok) throw new Error(`${command.type}: ${result.error.code}`);
    };
    await submit({ type: 'receiveStock', tenantId: TENANT, locationId: bin, skuId: SKU, qty });
    await submit({ type: 'createOrder', orderId: asOrderId(orderId), tenantId: TENANT, lines: [{ skuId: SKU, qty }] });
    await submit({ type: 'allocateOrder', orderId: asOrderId(orderId) });
    await submit({ type: 'releaseOrder', orderId: asOrderId(orderId) });
  }

  async function events(type: string): Promise<unknown[]> {
    return (await store.load(SITE.id)).map((e) => e.event).filter((e) => e.type === type);
  }

  async function nextPick(): Promise<NextPickView> {
    const result = await next(base);
    if (!result.ok) throw new Error(`picker:next: ${result.error.code}`);
    return result.next;
  }

  beforeEach(async () => {
    let now = Date.UTC(2026, 10, 27, 8);
    store = new MemoryEventStore();
    await store.ensureSite(SITE.id, SITE);
    runner = await SiteRunner.open({ site: SITE, store, clock: { now: () => epochMs((now += 1000)) } });
    running = await startServer();
    gateway = attachPickingGateway(running.server.io, siteRegistry([runner]), { maxTasks: 5 });
    socket = await connectClient(running.url);
  });

  afterEach(async () => {
    socket.disconnect();
    gateway.close();
    await running.server.close();
    await runner.close();
  });

  it('signs on, resumes a second sign-on, and hands out no pick while nothing is released', async () => {
    expect(await signOn({ ...base, name: 'Pat' })).toMatchObject({ ok: true, resumed: false });
    expect(await signOn(base)).toMatchObject({ ok: true, resumed: true });
    expect(await events('OperativeSignedOn')).toHaveLength(1);
    expect(await next(base)).toMatchObject({ ok: true, next: { operativeId: OP, pick: null, tasks: [], remaining: 0 } });
  });

  it('only reads with askForWork: false', async () => {
    await release('O1', 1);
    await signOn(base);
    expect(await next({ ...base, askForWork: false })).toMatchObject({ ok: true, next: { pick: null, remaining: 0 } });
    expect(await events('TasksAssigned')).toHaveLength(0);
    expect(await next(base)).toMatchObject({ ok: true, next: { pick: { orderId: 'O1' }, remaining: 1 } });
  });

  it('asks for work on picker:next and answers with the pick: location, item, barcode, qty, lot, tasks left', async () => {
    await release('O1', 2);
    await release('O2', 1, BINS[2]);
    await signOn(base);
    const view = await nextPick();
    expect(view.pick).toMatchObject({ orderId: 'O1', locationId: BINS[0], skuId: SKU, skuDescription: 'Widget', barcode: BARCODE, qty: 2, lot: '' });
    expect(view.remaining).toBe(2);
    expect(view.tasks.map((t) => t.orderId)).toEqual(['O1', 'O2']);
    expect(await events('TasksAssigned')).toHaveLength(1);
    // Asking again hands out the same pick; no new work is requested while some is open.
    expect((await nextPick()).pick?.taskId).toBe(view.pick?.taskId);
    expect(await events('TasksAssigned')).toHaveLength(1);
  });

  it('refuses a wrong location or a wrong item and records nothing', async () => {
    await release('O1', 2);
    await signOn(base);
    const pick = (await nextPick()).pick!;
    const before = await store.lastSeq(SITE.id);
    const confirm = { ...base, taskId: pick.taskId, kind: 'confirm', qty: 2 };
    expect(await scan({ ...confirm, scanId: newScanId(), scannedLocation: BINS[1], scannedItem: BARCODE })).toMatchObject({
      ok: false,
      error: { code: 'WRONG_LOCATION_SCANNED' },
    });
    expect(await scan({ ...confirm, scanId: newScanId(), scannedLocation: pick.locationId, scannedItem: '5000000000098' })).toMatchObject({
      ok: false,
      error: { code: 'WRONG_ITEM_SCANNED' },
    });
    expect(await store.lastSeq(SITE.id)).toBe(before);
    expect(await events('PickConfirmed')).toHaveLength(0);
  });

  it('confirms a pick; the same scan resent is acked as a duplicate and recorded once; another scan is TASK_DONE', async () => {
    await release('O1', 2);
    await release('O2', 1, BINS[2]);
    await signOn(base);
    const pick = (await nextPick()).pick!;
    const request = { ...base, scanId: newScanId(), taskId: pick.taskId, kind: 'confirm', scannedLocation: pick.locationId, scannedItem: BARCODE, qty: 2 };
    const first = await scan(request);
    expect(first).toMatchObject({ ok: true, duplicate: false, next: { remaining: 1, pick: { orderId: 'O2', locationId: BINS[2] } } });

    // The ack was lost: the device resends the same scan.
    const resent = await scan(request);
    expect(resent).toMatchObject({ ok: true, duplicate: true, next: { remaining: 1 } });
    expect(await events('PickConfirmed')).toHaveLength(1);

    expect(await scan({ ...request, scanId: newScanId() })).toMatchObject({ ok: false, error: { code: 'TASK_DONE' } });
    expect(await events('PickConfirmed')).toHaveLength(1);
  });

  it('accepts a GS1 element string with the item GTIN, parenthesised or raw with a symbology prefix', async () => {
    await release('O1', 1);
    await release('O2', 1, BINS[2]);
    await signOn(base);
    const first = (await nextPick()).pick!;
    const gs1 = await scan({ ...base, scanId: newScanId(), taskId: first.taskId, kind: 'confirm', scannedLocation: first.locationId, scannedItem: '(01)05000000000005', qty: 1 });
    expect(gs1).toMatchObject({ ok: true, duplicate: false });
    const second = gs1.ok ? gs1.next.pick! : first;
    const raw = await scan({ ...base, scanId: newScanId(), taskId: second.taskId, kind: 'confirm', scannedLocation: second.locationId, scannedItem: ']C10105000000000005', qty: 1 });
    expect(raw).toMatchObject({ ok: true, duplicate: false });
    expect(await events('PickConfirmed')).toHaveLength(2);
  });

  it('[R78] the view says the SKU is not serial-tracked; serials on such a pick are refused (INVALID_STATE)', async () => {
    await release('O1', 1);
    await signOn(base);
    const pick = (await nextPick()).pick!;
    expect(pick.serialTracked).toBe(false);
    const confirm = { ...base, taskId: pick.taskId, kind: 'confirm', scannedLocation: pick.locationId, scannedItem: BARCODE, qty: 1 };
    expect(await scan({ ...confirm, scanId: newScanId(), serials: ['SN-X'] })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    expect(await events('PickConfirmed')).toHaveLength(0);
    expect(await scan({ ...confirm, scanId: newScanId() })).toMatchObject({ ok: true, duplicate: false });
  });

  it('records a short pick with the found quantity; a resend is a duplicate', async () => {
    await release('O1', 3);
    await signOn(base);
    const pick = (await nextPick()).pick!;
    const request = { ...base, scanId: newScanId(), taskId: pick.taskId, kind: 'short', scannedLocation: pick.locationId, foundQty: 1 };
    expect(await scan({ ...request, foundQty: 3 })).toMatchObject({ ok: false, error: { code: 'INVALID_QUANTITY' } });
    expect(await events('PickShorted')).toHaveLength(0);
    expect(await scan(request)).toMatchObject({ ok: true, duplicate: false });
    expect(await scan(request)).toMatchObject({ ok: true, duplicate: true });
    const shorted = await events('PickShorted');
    expect(shorted).toHaveLength(1);
    expect(shorted[0]).toMatchObject({ taskId: pick.taskId, pickedQty: 1, shortQty: 2 });
  });

  it('answers bad payloads with BAD_REQUEST, unknown sites and operatives with their codes; the socket carries on', async () => {
    const confirm = { ...base, scanId: 's', taskId: 't', kind: 'confirm', scannedLocation: 'A-01', scannedItem: BARCODE, qty: 1 };
    expect(await signOn({ siteId: SITE.id, operativeId: OP })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await next('nonsense')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await scan({ ...confirm, extra: 1 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await scan({ ...confirm, kind: 'count' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await scan({ ...confirm, qty: 0 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await scan({ ...confirm, scanId: undefined })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await next({ ...base, siteId: 'elsewhere' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_SITE' } });
    expect(await next(base)).toMatchObject({ ok: false, error: { code: 'OPERATIVE_NOT_SIGNED_ON' } });
    expect(await scan(confirm)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TASK' } });
    expect(await signOff(base)).toMatchObject({ ok: false, error: { code: 'OPERATIVE_NOT_SIGNED_ON' } });
    expect(socket.connected).toBe(true);
  });

  it('signs off, after which the operative has no next pick; after close requests are UNAVAILABLE', async () => {
    await signOn(base);
    expect(await signOff(base)).toMatchObject({ ok: true });
    expect(await next(base)).toMatchObject({ ok: false, error: { code: 'OPERATIVE_NOT_SIGNED_ON' } });
    gateway.close();
    expect(await signOn(base)).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });

  it('takes the signed-on picker’s own position (blocked included), latest wins; refuses others with a code', async () => {
    const where = () => {
      const op = runner.twin.operatives.get(asOperativeId(OP));
      return op && { x: op.position.x, y: op.position.y, activity: op.activity };
    };
    expect(await position({ ...base, x: 2, y: 2 })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_ON_HERE' } });
    await signOn(base);
    // Sent back to back: each report is applied or replaced by a later one, and the last one is what the twin holds.
    const reports = [1, 2, 3, 4].map((i) => position({ ...base, x: 2, y: 1 + i * 0.5, activity: i === 4 ? 'blocked' : 'walking' }));
    const results = await Promise.all(reports);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.at(-1)).toEqual({ ok: true, applied: true });
    expect(where()).toEqual({ x: 2, y: 3, activity: 'blocked' });

    expect(await position({ ...base, x: 500, y: 2 })).toMatchObject({ ok: false, error: { code: 'OUT_OF_BOUNDS' } });
    expect(await position({ ...base, x: 2, y: 2, activity: 'dancing' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await position({ ...base, x: '2', y: 2 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await position({ ...base, siteId: 'nowhere', x: 2, y: 2 })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_ON_HERE' } });
    // Another connection did not sign this picker on.
    const other = await connectClient(running.url);
    try {
      expect(await position({ ...base, x: 2, y: 2 }, other)).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_ON_HERE' } });
    } finally {
      other.disconnect();
    }
    expect(where()).toEqual({ x: 2, y: 3, activity: 'blocked' });
    expect(await events('OperativeMoved')).toHaveLength(0);
  });

  it('keeps the latest position per operative: reports of two pickers on one connection do not replace each other', async () => {
    const other = { ...base, operativeId: 'HH-2' };
    await signOn(base);
    await signOn(other);
    const [a, b] = await Promise.all([position({ ...base, x: 2, y: 2 }), position({ ...other, x: 2, y: 3, activity: 'picking' })]);
    expect(a).toEqual({ ok: true, applied: true });
    expect(b).toEqual({ ok: true, applied: true });
    expect(runner.twin.operatives.get(asOperativeId('HH-2'))).toMatchObject({ position: { x: 2, y: 3 }, activity: 'picking' });
    expect(runner.twin.operatives.get(asOperativeId(OP))).toMatchObject({ position: { x: 2, y: 2 } });
  });
});

describe('picking gateway: serial-tracked picks (R78)', () => {
  const SERIAL_SITE = { ...SITE, id: asSiteId('pick-gw-serials'), skus: SITE.skus.map((sku) => ({ ...sku, serialTracked: true })) };
  const base = { siteId: SERIAL_SITE.id, operativeId: OP, deviceId: DEVICE };
  let running: RunningServer;
  let gateway: PickingGateway;
  let store: MemoryEventStore;
  let runner: SiteRunner;
  let socket: FloorClient;
  let scans = 0;

  const call = <R>(event: 'picker:signOn' | 'picker:next' | 'picker:scan', request: unknown): Promise<R> => socket.timeout(WAIT_MS).emitWithAck(event, request) as Promise<R>;
  const scan = (request: unknown): Promise<ScanResult> => call('picker:scan', request);
  const newScanId = (): string => `serial-scan-${++scans}`;
  const events = async (type: string): Promise<Record<string, unknown>[]> =>
    (await store.load(SERIAL_SITE.id)).map((e) => e.event as unknown as Record<string, unknown>).filter((e) => e['type'] === type);

  async function submit(command: Parameters<SiteRunner['submit']>[0]): Promise<void> {
    const result = await runner.submit(command);
    if (!result.ok) throw new Error(`${command.type}: ${result.error.code}`);
  }

  /** Receives `serials` at the dock, moves them into the first bin and releases a one-line order for `qty` of them. */
  async function stockAndRelease(orderId: string, serials: string[], qty: number): Promise<NextPickView> {
    await submit({ type: 'receiveGoods', receiptId: `R-${orderId}`, tenantId: TENANT, skuId: SKU, qty: serials.length, serials });
    await submit({ type: 'moveStock', tenantId: TENANT, skuId: SKU, fromLocationId: dockLocationId(SERIAL_SITE.id), toLocationId: BINS[0]!, qty: serials.length, serials });
    await submit({ type: 'createOrder', orderId: asOrderId(orderId), tenantId: TENANT, lines: [{ skuId: SKU, qty }] });
    await submit({ type: 'allocateOrder', orderId: asOrderId(orderId) });
    await submit({ type: 'releaseOrder', orderId: asOrderId(orderId) });
    expect(await call<SignOnResult>('picker:signOn', base)).toMatchObject({ ok: true });
    const next = await call<NextPickResult>('picker:next', base);
    if (!next.ok) throw new Error(`picker:next: ${next.error.code}`);
    return next.next;
  }

  beforeEach(async () => {
    let now = Date.UTC(2026, 10, 27, 8);
    store = new MemoryEventStore();
    await store.ensureSite(SERIAL_SITE.id, SERIAL_SITE);
    runner = await SiteRunner.open({ site: SERIAL_SITE, store, clock: { now: () => epochMs((now += 1000)) } });
    running = await startServer();
    gateway = attachPickingGateway(running.server.io, siteRegistry([runner]), { maxTasks: 5 });
    socket = await connectClient(running.url);
  });

  afterEach(async () => {
    socket.disconnect();
    gateway.close();
    await running.server.close();
    await runner.close();
  });

  it('[R78] tells the handheld the SKU is serial-tracked; a confirm carries one serial per unit to the twin', async () => {
    const view = await stockAndRelease('OS1', ['SN-1', 'SN-2', 'SN-3'], 2);
    const pick = view.pick!;
    expect(pick).toMatchObject({ skuId: SKU, qty: 2, serialTracked: true });
    const confirm = { ...base, taskId: pick.taskId, kind: 'confirm', scannedLocation: pick.locationId, scannedItem: BARCODE, qty: 2 };
    const before = await store.lastSeq(SERIAL_SITE.id);

    // Older handhelds send no serials: the twin refuses with its code and records nothing.
    expect(await scan({ ...confirm, scanId: newScanId() })).toMatchObject({ ok: false, error: { code: 'SERIAL_REQUIRED' } });
    // The edge answers a list that is not one distinct serial per unit with the twin's codes.
    expect(await scan({ ...confirm, scanId: newScanId(), serials: ['SN-1', 'SN-1'] })).toMatchObject({ ok: false, error: { code: 'DUPLICATE_SERIAL', details: { serial: 'SN-1' } } });
    expect(await scan({ ...confirm, scanId: newScanId(), serials: ['SN-1'] })).toMatchObject({ ok: false, error: { code: 'SERIAL_REQUIRED', details: { qty: 2, serials: 1 } } });
    // The twin's own checks: a serial not in stock here, a serial that is not serial text.
    expect(await scan({ ...confirm, scanId: newScanId(), serials: ['SN-1', 'SN-9'] })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_SERIAL' } });
    expect(await scan({ ...confirm, scanId: newScanId(), serials: ['SN-1', 'has space'] })).toMatchObject({ ok: false, error: { code: 'INVALID_SCAN' } });
    expect(await scan({ ...confirm, scanId: newScanId(), serials: 'SN-1' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await store.lastSeq(SERIAL_SITE.id)).toBe(before);

    const request = { ...confirm, scanId: newScanId(), serials: ['SN-3', 'SN-1'] };
    expect(await scan(request)).toMatchObject({ ok: true, duplicate: false });
    expect(await scan(request)).toMatchObject({ ok: true, duplicate: true });
    const picked = await events('PickConfirmed');
    expect(picked).toHaveLength(1);
    expect(picked[0]).toMatchObject({ taskId: pick.taskId, qty: 2, serials: ['SN-3', 'SN-1'] });
    expect(runner.twin.serials.get(serialKey(TENANT, SKU, 'SN-1'))).toMatchObject({ status: 'picked', orderId: 'OS1' });
    expect(runner.twin.serials.get(serialKey(TENANT, SKU, 'SN-2'))).toMatchObject({ status: 'in-stock' });
  });

  it('[R78] a short carries the serials of the units found; none for nothing found', async () => {
    const view = await stockAndRelease('OS2', ['SN-A', 'SN-B', 'SN-C'], 3);
    const pick = view.pick!;
    const short = { ...base, taskId: pick.taskId, kind: 'short', scannedLocation: pick.locationId };
    expect(await scan({ ...short, scanId: newScanId(), foundQty: 2, serials: ['SN-A'] })).toMatchObject({ ok: false, error: { code: 'SERIAL_REQUIRED' } });
    expect(await scan({ ...short, scanId: newScanId(), foundQty: 2 })).toMatchObject({ ok: false, error: { code: 'SERIAL_REQUIRED' } });
    expect(await events('PickShorted')).toHaveLength(0);
    expect(await scan({ ...short, scanId: newScanId(), foundQty: 2, serials: ['SN-B', 'SN-A'] })).toMatchObject({ ok: true, duplicate: false });
    expect((await events('PickShorted'))[0]).toMatchObject({ pickedQty: 2, shortQty: 1, serials: ['SN-B', 'SN-A'] });
    expect(runner.twin.serials.get(serialKey(TENANT, SKU, 'SN-B'))).toMatchObject({ status: 'picked' });
  });
});
