import { describe, expect, it } from 'vitest';
import type { NextPickView, PickTaskView, ScanRequest, ScanResult } from '../../../server/protocol/picking.ts';
import { PickerSession, STORAGE_KEYS, cleanScan, randomId, type KeyValueStorage } from './picker-session.ts';
import type { PickingClient } from './picking-socket.ts';

function mapStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

const task = (n: number, qty = 2, serialTracked = false): PickTaskView => ({
  taskId: `T${n}`,
  orderId: `O${n}`,
  locationId: `A01-B1-00${n}-L1`,
  skuId: `SKU-${n}`,
  skuDescription: `Item ${n}`,
  barcode: `BC${n}`,
  qty,
  lot: '',
  expiry: null,
  serialTracked,
});

/**
 * A stand-in for the server at the far end of the socket: it keeps the operative's open tasks and applies scans the
 * way the twin does (the item must be the task's barcode; a resent scan id is a duplicate). `online` toggles the
 * connection; every scan it received is recorded in order.
 */
class FakeServer {
  connected = false;
  tasks: PickTaskView[];
  seq = 10;
  readonly received: ScanRequest[] = [];
  readonly applied = new Set<string>();
  /** Serials in stock, for serial-tracked tasks (R78). */
  readonly inStock = new Set<string>();
  private readonly handlers = new Map<string, Set<() => void>>();

  constructor(tasks: PickTaskView[]) {
    this.tasks = tasks;
  }

  view(): NextPickView {
    return { siteId: 'demo', operativeId: 'P1', seq: this.seq, pick: this.tasks[0] ?? null, tasks: [...this.tasks], remaining: this.tasks.length };
  }

  setOnline(online: boolean): void {
    this.connected = online;
    for (const handler of this.handlers.get(online ? 'connect' : 'disconnect') ?? []) handler();
  }

  readonly client = {
    socket: {
      on: (event: string, handler: () => void) => {
        const set = this.handlers.get(event) ?? new Set();
        set.add(handler);
        this.handlers.set(event, set);
      },
      off: (event: string, handler: () => void) => this.handlers.get(event)?.delete(handler),
    },
    connected: false,
    signOn: () => Promise.resolve(this.connected ? { ok: true, seq: this.seq, resumed: true } : { ok: false, error: { code: 'OFFLINE', message: 'offline' } }),
    signOff: () => Promise.resolve({ ok: true, seq: this.seq }),
    next: () => Promise.resolve(this.connected ? { ok: true, seq: this.seq, next: this.view() } : { ok: false, error: { code: 'OFFLINE', message: 'offline' } }),
    scanSender: {
      send: (scan: ScanRequest) => {
        if (!this.connected) return Promise.resolve({ kind: 'failed' as const, reason: 'offline' });
        this.received.push(scan);
        return Promise.resolve({ kind: 'answered' as const, result: this.apply(scan) });
      },
    },
  };

  private apply(scan: ScanRequest): ScanResult {
    if (this.applied.has(scan.scanId)) return { ok: true, seq: this.seq, duplicate: true, next: this.view() };
    const t = this.tasks.find((x) => x.taskId === scan.taskId);
    if (t === undefined) return { ok: false, error: { code: 'TASK_DONE', message: 'done' } };
    if (scan.kind === 'confirm' && scan.scannedItem !== t.barcode) return { ok: false, error: { code: 'WRONG_ITEM_SCANNED', message: 'wrong item' } };
    if (t.serialTracked) {
      const units = scan.kind === 'confirm' ? scan.qty : scan.foundQty;
      const serials = scan.serials ?? [];
      if (serials.length !== units) return { ok: false, error: { code: 'SERIAL_REQUIRED', message: 'one serial per unit', details: { qty: units } } };
      const unknown = serials.find((x) => !this.inStock.has(x));
      if (unknown !== undefined) return { ok: false, error: { code: 'UNKNOWN_SERIAL', message: `serial ${unknown} is not in stock here`, details: { serial: unknown } } };
      for (const x of serials) this.inStock.delete(x);
    }
    this.applied.add(scan.scanId);
    this.tasks = this.tasks.filter((x) => x !== t);
    this.seq++;
    return { ok: true, seq: this.seq, duplicate: false, next: this.view() };
  }
}

function session(server: FakeServer, storage: KeyValueStorage = mapStorage()): PickerSession {
  // The session reads `client.connected`: keep it in step with the fake's link.
  Object.defineProperty(server.client, 'connected', { get: () => server.connected });
  let n = 0;
  return new PickerSession({ client: server.client as unknown as PickingClient, storage, newId: () => `id-${++n}`, retryMinMs: 60_000 });
}

/** Lets queued promise callbacks (acks, flushes) run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('picker session', () => {
  it('takes the location, then the item; a wrong location is refused on the spot and nothing is sent', async () => {
    const server = new FakeServer([task(1), task(2)]);
    server.connected = true;
    const s = session(server);
    s.start('demo', 'P1');
    await settle();
    expect(s.getSnapshot()).toMatchObject({ operativeId: 'P1', live: true, current: { taskId: 'T1' }, step: 'location', remaining: 2 });

    s.scan('A01-B1-009-L1\n');
    expect(s.getSnapshot()).toMatchObject({ step: 'location', message: { tone: 'bad', code: 'WRONG_LOCATION_SCANNED' } });
    s.scan(' a01-b1-001-l1 ');
    expect(s.getSnapshot()).toMatchObject({ step: 'item', scannedLocation: 'a01-b1-001-l1' });
    s.scan('BC1\r\n');
    await settle();
    expect(server.received).toEqual([
      { siteId: 'demo', operativeId: 'P1', deviceId: 'id-1', scanId: 'id-2', taskId: 'T1', kind: 'confirm', scannedLocation: 'a01-b1-001-l1', scannedItem: 'BC1', qty: 2 },
    ]);
    expect(s.getSnapshot()).toMatchObject({ current: { taskId: 'T2' }, step: 'location', pending: 0, remaining: 1, message: { tone: 'good' } });
    expect(server.tasks.map((t) => t.taskId)).toEqual(['T2']);
  });

  it('a wrong item comes back with an error; the pick stays, still at the item step', async () => {
    const server = new FakeServer([task(1)]);
    server.connected = true;
    const s = session(server);
    s.start('demo', 'P1');
    await settle();
    s.scan('A01-B1-001-L1');
    s.scan('BC9');
    await settle();
    expect(s.getSnapshot()).toMatchObject({ current: { taskId: 'T1' }, step: 'item', pending: 0, message: { tone: 'bad', code: 'WRONG_ITEM_SCANNED' } });
    expect(server.tasks).toHaveLength(1);
    s.scan('BC1');
    await settle();
    expect(s.getSnapshot()).toMatchObject({ current: null, pending: 0 });
  });

  it('offline: keeps picking from the tasks it holds, keeps the scans in storage, and sends them in order on reconnect', async () => {
    const storage = mapStorage();
    const server = new FakeServer([task(1), task(2), task(3)]);
    server.connected = true;
    const s = session(server, storage);
    s.start('demo', 'P1');
    await settle();
    server.setOnline(false);
    await settle();
    expect(s.getSnapshot()).toMatchObject({ connected: false, live: false });

    s.scan('A01-B1-001-L1');
    s.scan('BC1');
    s.scan('A01-B1-002-L1');
    s.short(1);
    await settle();
    expect(s.getSnapshot()).toMatchObject({ pending: 2, current: { taskId: 'T3' } });
    const stored = JSON.parse(storage.map.get(STORAGE_KEYS.scans) ?? '[]') as ScanRequest[];
    expect(stored.map((scan) => [scan.taskId, scan.kind])).toEqual([
      ['T1', 'confirm'],
      ['T2', 'short'],
    ]);
    expect(server.received).toEqual([]);

    server.setOnline(true);
    await settle();
    expect(server.received.map((scan) => scan.taskId)).toEqual(['T1', 'T2']);
    expect(s.getSnapshot()).toMatchObject({ pending: 0, live: true, current: { taskId: 'T3' }, remaining: 1 });
    expect(storage.map.has(STORAGE_KEYS.scans)).toBe(false);
  });

  it('after a reload the device id, the operative, the picks held and the queue come back from storage', async () => {
    const storage = mapStorage();
    const server = new FakeServer([task(1), task(2)]);
    server.connected = true;
    const first = session(server, storage);
    first.start('demo', 'P1');
    await settle();
    server.setOnline(false);
    first.scan('A01-B1-001-L1');
    first.scan('BC1');
    first.close();

    const again = new FakeServer(server.tasks);
    const second = session(again, storage);
    second.start('demo', null);
    expect(second.deviceId).toBe(first.deviceId);
    expect(second.getSnapshot()).toMatchObject({ operativeId: 'P1', pending: 1, current: { taskId: 'T2' } });
    again.setOnline(true);
    await settle();
    expect(again.received.map((scan) => [scan.taskId, scan.deviceId])).toEqual([['T1', first.deviceId]]);
  });

  it('refuses a short outside 0 … qty − 1 and a sign-off while scans wait', async () => {
    const server = new FakeServer([task(1, 3), task(2)]);
    server.connected = true;
    const s = session(server);
    s.start('demo', 'P1');
    await settle();
    expect(s.short(3)).toBe(false);
    expect(s.short(-1)).toBe(false);
    expect(s.getSnapshot().message?.code).toBe('INVALID_QUANTITY');
    server.setOnline(false);
    expect(s.short(2)).toBe(true);
    expect(await s.signOff()).toBe(false);
    expect(s.getSnapshot().message?.code).toBe('SCANS_PENDING');
  });

  it('[R78] a serial-tracked pick asks one distinct serial per unit after the item, then sends them with it', async () => {
    const server = new FakeServer([task(1, 3, true), task(2)]);
    ['SN-1', 'SN-2', 'SN-3', 'SN-4'].forEach((x) => server.inStock.add(x));
    server.connected = true;
    const s = session(server);
    s.start('demo', 'P1');
    await settle();
    s.scan('A01-B1-001-L1');
    s.scan('BC1');
    expect(s.getSnapshot()).toMatchObject({ step: 'serial', serials: [], serialsNeeded: 3, message: { tone: 'info', text: 'Item scanned — now scan serial 1 of 3.' } });
    s.scan('SN-1');
    expect(s.getSnapshot()).toMatchObject({ serials: ['SN-1'], message: { text: 'Serial 1 of 3 scanned — scan the next.' } });
    // The same serial again, or text that is no serial: refused on the device, nothing sent.
    s.scan('SN-1');
    expect(s.getSnapshot()).toMatchObject({ serials: ['SN-1'], message: { tone: 'bad', code: 'DUPLICATE_SERIAL' } });
    s.scan('has space');
    expect(s.getSnapshot()).toMatchObject({ serials: ['SN-1'], message: { tone: 'bad', code: 'INVALID_SCAN' } });
    // One scanned by mistake is removed.
    s.scan('SN-4');
    s.removeSerial('SN-4');
    expect(s.getSnapshot()).toMatchObject({ step: 'serial', serials: ['SN-1'] });
    s.scan('SN-2');
    expect(server.received).toEqual([]);
    s.scan('SN-3');
    await settle();
    expect(server.received).toEqual([
      { siteId: 'demo', operativeId: 'P1', deviceId: 'id-1', scanId: 'id-2', taskId: 'T1', kind: 'confirm', scannedLocation: 'A01-B1-001-L1', scannedItem: 'BC1', qty: 3, serials: ['SN-1', 'SN-2', 'SN-3'] },
    ]);
    expect(s.getSnapshot()).toMatchObject({ current: { taskId: 'T2' }, step: 'location', serials: [], serialsNeeded: 0, message: { tone: 'good' } });
  });

  it('[R78] a serial the server refuses comes back off the list, the others kept; a replacement sends the pick again', async () => {
    const server = new FakeServer([task(1, 2, true)]);
    ['SN-1', 'SN-3'].forEach((x) => server.inStock.add(x));
    server.connected = true;
    const s = session(server);
    s.start('demo', 'P1');
    await settle();
    for (const code of ['A01-B1-001-L1', 'BC1', 'SN-1', 'SN-2']) s.scan(code);
    await settle();
    expect(s.getSnapshot()).toMatchObject({ current: { taskId: 'T1' }, step: 'serial', serials: ['SN-1'], serialsNeeded: 2, message: { tone: 'bad', code: 'UNKNOWN_SERIAL' } });
    expect(s.getSnapshot().message?.text).toContain('Serial SN-2 is not in stock here');
    s.scan('SN-3');
    await settle();
    expect(server.received.map((scan) => scan.serials)).toEqual([['SN-1', 'SN-2'], ['SN-1', 'SN-3']]);
    expect(s.getSnapshot()).toMatchObject({ current: null, pending: 0, message: { tone: 'good' } });
  });

  it('[R78] a short of a serial-tracked pick scans the serials of the units found (none when none found)', async () => {
    const server = new FakeServer([task(1, 3, true), task(2, 2, true)]);
    ['SN-1', 'SN-2'].forEach((x) => server.inStock.add(x));
    server.connected = true;
    const s = session(server);
    s.start('demo', 'P1');
    await settle();
    s.scan('A01-B1-001-L1');
    s.scan('BC1');
    s.scan('SN-1');
    s.scan('SN-2');
    // Three serials for two found would be too many; two found asks for the one still missing.
    expect(s.short(1)).toBe(false);
    expect(s.getSnapshot().message).toMatchObject({ tone: 'bad', code: 'SERIAL_REQUIRED' });
    s.removeSerial('SN-2');
    expect(s.short(2)).toBe(true);
    expect(s.getSnapshot()).toMatchObject({ step: 'serial', shortFound: 2, serials: ['SN-1'], serialsNeeded: 2 });
    expect(server.received).toEqual([]);
    s.scan('SN-2');
    await settle();
    expect(server.received[0]).toMatchObject({ taskId: 'T1', kind: 'short', foundQty: 2, scannedItem: 'BC1', serials: ['SN-1', 'SN-2'] });
    expect(s.getSnapshot()).toMatchObject({ current: { taskId: 'T2' }, step: 'location', shortFound: null });
    expect(s.short(0)).toBe(true);
    await settle();
    expect(server.received[1]).toMatchObject({ taskId: 'T2', kind: 'short', foundQty: 0 });
    expect(server.received[1]?.serials).toBeUndefined();
  });

  it('[R78] offline, the serials are kept with the scan in storage and resent with it after a reload', async () => {
    const storage = mapStorage();
    const server = new FakeServer([task(1, 2, true)]);
    ['SN-1', 'SN-2'].forEach((x) => server.inStock.add(x));
    server.connected = true;
    const first = session(server, storage);
    first.start('demo', 'P1');
    await settle();
    server.setOnline(false);
    for (const code of ['A01-B1-001-L1', 'BC1', 'SN-2', 'SN-1']) first.scan(code);
    await settle();
    expect((JSON.parse(storage.map.get(STORAGE_KEYS.scans) ?? '[]') as ScanRequest[]).map((scan) => scan.serials)).toEqual([['SN-2', 'SN-1']]);
    first.close();

    const again = new FakeServer(server.tasks);
    ['SN-1', 'SN-2'].forEach((x) => again.inStock.add(x));
    const second = session(again, storage);
    second.start('demo', null);
    expect(second.getSnapshot()).toMatchObject({ pending: 1 });
    again.setOnline(true);
    await settle();
    expect(again.received.map((scan) => [scan.taskId, scan.serials])).toEqual([['T1', ['SN-2', 'SN-1']]]);
    expect(second.getSnapshot()).toMatchObject({ pending: 0, current: null });
  });

  it('[R78] a view held from before serialTracked existed: the refusal for want of serials reloads the picks', async () => {
    const server = new FakeServer([task(1, 1, true)]);
    server.inStock.add('SN-1');
    server.connected = true;
    // The picks this device holds came from a server that did not say which SKUs are serial-tracked.
    let stale = true;
    const strip = (t: PickTaskView): PickTaskView => {
      const { serialTracked: _dropped, ...old } = t;
      return old as PickTaskView;
    };
    const fresh = server.view.bind(server);
    server.view = () => (stale ? { ...fresh(), pick: null, tasks: fresh().tasks.map(strip) } : fresh());
    let reads = 0;
    const next = server.client.next;
    server.client.next = () => {
      reads++;
      return next();
    };
    const s = session(server);
    s.start('demo', 'P1');
    await settle();
    expect(reads).toBe(1);
    s.scan('A01-B1-001-L1');
    s.scan('BC1');
    stale = false;
    await settle();
    expect(server.received[0]?.serials).toBeUndefined();
    expect(s.getSnapshot().message).toMatchObject({ tone: 'bad', code: 'SERIAL_REQUIRED' });
    expect(reads).toBe(2);
    expect(s.getSnapshot().current?.serialTracked).toBe(true);
    for (const code of ['A01-B1-001-L1', 'BC1', 'SN-1']) s.scan(code);
    await settle();
    expect(server.received[1]?.serials).toEqual(['SN-1']);
    expect(s.getSnapshot()).toMatchObject({ current: null, pending: 0 });
  });

  it('keeps GS1 group separators in a scan but drops the scanner terminator; ids are UUIDs', () => {
    expect(cleanScan(']C1010500000000000510LOT7\x1d17270101\r\n')).toBe(']C1010500000000000510LOT7\x1d17270101');
    expect(randomId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
