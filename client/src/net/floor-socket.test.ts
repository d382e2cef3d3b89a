/**
 * The socket client against a real Socket.IO server (msgpack parser) that speaks the floor protocol for one scripted
 * site: join, live diffs, a gap answered with a catch-up, a dropped connection answered with a re-join `since`.
 * Waits are on store changes and server events, never on time.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { afterEach, describe, expect, it } from 'vitest';
import type { FloorCounters, FloorDiff, FloorSnapshot } from '../../../server/protocol/floor.ts';
import type { JoinRequest, JoinResult } from '../../../server/protocol/socket.ts';
import { connectFloor, HELD_DETAIL, openFloorSocket, type FloorConnection } from './floor-socket.ts';
import { FloorStore } from './floor-store.ts';

const counters: FloorCounters = {
  ordersReceived: 0, ordersOpen: 0, ordersPicked: 0, ordersDespatched: 0, linesPicked: 0, unitsPicked: 0, picksLastHour: 0,
};

const layout = {
  siteId: 's1', layoutId: 'l1', ids: ['a', 'b', 'c'], x: [0, 1, 2], y: [0, 0, 0], z: [0, 0, 0], w: [1, 1, 1], d: [1, 1, 1],
  h: [1, 1, 1], segments: [], depot: { x: 0, y: 0 }, bounds: { minX: 0, minY: 0, maxX: 2, maxY: 1 },
};

const diff = (fromSeq: number, toSeq: number, fill: number[]): FloorDiff =>
  ({ siteId: 's1', fromSeq, toSeq, at: toSeq, fill, operatives: [], removedOperatives: [], counters });

/** A minimal protocol-conformant site server; `answer` decides each join's reply. */
class ScriptedSite {
  readonly joins: JoinRequest[] = [];
  readonly sockets: Socket[] = [];
  answer: (request: JoinRequest) => JoinResult = () => ({ ok: true, kind: 'snapshot', snapshot: this.snapshot(10, [5, 6, 7]) });
  private readonly waiters: Array<() => void> = [];
  private constructor(readonly http: HttpServer, readonly io: Server, readonly url: string) {}

  static async start(): Promise<ScriptedSite> {
    const http = createServer();
    const io = new Server(http, { parser: msgpackParser, path: '/socket.io' });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const site = new ScriptedSite(http, io, `http://127.0.0.1:${(http.address() as AddressInfo).port}`);
    io.on('connection', (socket) => {
      site.sockets.push(socket);
      socket.on('site:join', (request: JoinRequest, ack: (r: JoinResult) => void) => {
        site.joins.push(request);
        void socket.join('s1');
        ack(site.answer(request));
        for (const w of site.waiters.splice(0)) w();
      });
    });
    return site;
  }

  snapshot(seq: number, fill: number[]): FloorSnapshot {
    return { siteId: 's1', seq, at: seq, fill, operatives: [], counters };
  }

  /** Resolves once `n` joins have been received. */
  async joined(n: number): Promise<void> {
    while (this.joins.length < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  broadcast(d: FloorDiff): void {
    this.io.to('s1').emit('site:diff', d);
  }

  async stop(): Promise<void> {
    await this.io.close();
  }
}

/** Resolves when `predicate` holds for the store (checked now and after every change). */
function until(store: FloorStore, predicate: (s: FloorStore) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (predicate(store)) return resolve();
    const off = store.subscribe(() => {
      if (predicate(store)) {
        off();
        resolve();
      }
    });
  });
}

let site: ScriptedSite | null = null;
let connection: FloorConnection | null = null;
afterEach(async () => {
  connection?.close();
  await site?.stop();
  connection = null;
  site = null;
});

describe('connectFloor', () => {
  it('joins with the protocol version, applies the snapshot, then live diffs', async () => {
    site = await ScriptedSite.start();
    const store = new FloorStore();
    store.setLayout(layout);
    connection = connectFloor(store, 's1', { url: site.url });
    await until(store, (s) => s.seq === 10 && s.status === 'live');
    expect(site.joins[0]).toEqual({ siteId: 's1', protocolVersion: 1 });
    expect(Array.from(store.fill)).toEqual([5, 6, 7]);

    site.broadcast(diff(10, 11, [1, 60]));
    await until(store, (s) => s.seq === 11);
    expect(store.fill[1]).toBe(60);
  });

  it('on a gap re-joins with since = its seq and applies the catch-up', async () => {
    site = await ScriptedSite.start();
    const s = site;
    const store = new FloorStore();
    store.setLayout(layout);
    connection = connectFloor(store, 's1', { url: s.url });
    await until(store, (st) => st.seq === 10 && st.status === 'live');

    s.answer = (request) => ({ ok: true, kind: 'diff', diff: diff(request.since ?? 0, 13, [0, 1, 2, 3]) });
    s.broadcast(diff(12, 13, [2, 3]));
    await s.joined(2);
    expect(s.joins[1]).toEqual({ siteId: 's1', since: 10, protocolVersion: 1 });
    await until(store, (st) => st.seq === 13 && st.status === 'live');
    expect(Array.from(store.fill)).toEqual([1, 6, 3]);
  });

  it('after a dropped connection re-joins with since and takes what the server sends', async () => {
    site = await ScriptedSite.start();
    const s = site;
    const store = new FloorStore();
    store.setLayout(layout);
    connection = connectFloor(store, 's1', { url: s.url });
    await until(store, (st) => st.seq === 10 && st.status === 'live');

    s.answer = () => ({ ok: true, kind: 'snapshot', snapshot: s.snapshot(20, [9, 9, 9]) });
    s.sockets[0]?.conn.close();
    await until(store, (st) => st.status === 'offline');
    await s.joined(2);
    expect(s.joins[1]?.since).toBe(10);
    await until(store, (st) => st.seq === 20 && st.status === 'live');
    expect(Array.from(store.fill)).toEqual([9, 9, 9]);
  });

  it('reconnects by itself when the server closed the socket (a graceful restart)', async () => {
    site = await ScriptedSite.start();
    const s = site;
    const store = new FloorStore();
    store.setLayout(layout);
    connection = connectFloor(store, 's1', { url: s.url });
    await until(store, (st) => st.seq === 10 && st.status === 'live');

    s.answer = (request) => ({ ok: true, kind: 'diff', diff: diff(request.since ?? 0, 11, [2, 1]) });
    s.sockets[0]?.disconnect(true);
    await s.joined(2);
    expect(s.joins[1]?.since).toBe(10);
    await until(store, (st) => st.seq === 11 && st.status === 'live');
  });

  it('asks for a snapshot when the catch-up ends before its seq (the server has another history)', async () => {
    site = await ScriptedSite.start();
    const s = site;
    const store = new FloorStore();
    store.setLayout(layout);
    connection = connectFloor(store, 's1', { url: s.url });
    await until(store, (st) => st.seq === 10 && st.status === 'live');

    s.answer = (request) =>
      request.since === undefined
        ? { ok: true, kind: 'snapshot', snapshot: s.snapshot(4, [0, 0, 0]) }
        : { ok: true, kind: 'diff', diff: diff(request.since, 3, []) };
    s.broadcast(diff(11, 12, []));
    await s.joined(3);
    expect(s.joins[1]?.since).toBe(10);
    expect(s.joins[2]?.since).toBeUndefined();
    await until(store, (st) => st.seq === 4 && st.status === 'live');
  });

  it('joins before the layout is in, holds the answer and the diffs after it, and applies them once it is', async () => {
    site = await ScriptedSite.start();
    const s = site;
    // The first diff goes out right behind the join's answer, before the page has its layout.
    s.answer = () => {
      setImmediate(() => s.broadcast(diff(10, 11, [2, 70])));
      return { ok: true, kind: 'snapshot', snapshot: s.snapshot(10, [5, 6, 7]) };
    };
    const store = new FloorStore();
    let layoutIn = (): void => undefined;
    const layoutReady = new Promise<void>((resolve) => (layoutIn = resolve));
    connection = connectFloor(store, 's1', { url: s.url, layoutReady });
    await s.joined(1);
    await until(store, (st) => st.statusDetail === HELD_DETAIL);
    expect(store.seq).toBeNull();

    store.setLayout(layout);
    layoutIn();
    await until(store, (st) => st.seq === 11 && st.status === 'live');
    expect(Array.from(store.fill)).toEqual([5, 6, 70]);
    expect(s.joins).toHaveLength(1);
  });

  it('joins on a socket opened (and connected) before it was handed over', async () => {
    site = await ScriptedSite.start();
    const socket = openFloorSocket(site.url);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const store = new FloorStore();
    store.setLayout(layout);
    connection = connectFloor(store, 's1', { socket });
    await until(store, (st) => st.seq === 10 && st.status === 'live');
    expect(site.joins).toHaveLength(1);
    connection.close();
    expect(socket.connected).toBe(false);
  });

  it('shows a join refusal as an error', async () => {
    site = await ScriptedSite.start();
    site.answer = () => ({ ok: false, error: { code: 'unknown_site', message: 'no such site' } });
    const store = new FloorStore();
    store.setLayout(layout);
    connection = connectFloor(store, 's1', { url: site.url });
    await until(store, (st) => st.status === 'error');
    expect(store.statusDetail).toBe('unknown_site: no such site');
    expect(store.seq).toBeNull();
  });
});
