import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../protocol/floor.ts';
import { attachFloorGateway, siteRoom, type FloorGateway } from './gateway.ts';
import { BINS, TestSite, applyDiff, comparable, fromSnapshot } from './realtime.fixture.ts';
import { DiffRecorder, WAIT_MS, connectClient, join, startServer, type FloorClient, type RunningServer } from './socket-test-kit.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const [A1, A2] = BINS as [(typeof BINS)[number], (typeof BINS)[number]];

/** Waits until `check` holds, re-checking on each resolved round trip (no fixed sleeps); the deadline only guards a hang. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('floor gateway across processes (Redis adapter)', () => {
  const servers: RunningServer[] = [];
  const gateways: FloorGateway[] = [];
  const clients: FloorClient[] = [];

  afterEach(async () => {
    for (const socket of clients.splice(0)) socket.disconnect();
    for (const gateway of gateways.splice(0)) gateway.close();
    await Promise.all(servers.splice(0).map((s) => s.server.close()));
  });

  async function server(redisKey: string, log: (message: string) => void = () => undefined): Promise<RunningServer> {
    const running = await startServer({ redisUrl: REDIS_URL, redisKey, log });
    servers.push(running);
    expect(running.server.adapter).toBe('redis');
    return running;
  }

  it('delivers a diff broadcast by server A to a client of server B', async () => {
    const redisKey = `floortwin-test-${randomUUID()}`;
    const site = new TestSite();
    site.receive(A1, 20);
    const a = await server(redisKey);
    const b = await server(redisKey);
    // A owns the site and broadcasts it; B serves no site and only puts its clients in the room
    // (as a non-owning process would after forwarding the join).
    const gateway = attachFloorGateway(a.server.io, { get: (id) => (id === site.siteId ? site.feed : undefined) }, { patchMs: 5 });
    gateways.push(gateway);
    b.server.io.on('connection', (socket) => void socket.join(siteRoom(site.siteId)));
    // Both adapters subscribed (this key is unique to the run): A's broadcasts will reach B.
    await until(async () => (await a.server.io.of('/').adapter.serverCount()) === 2, 'both servers on the channel');

    const onA = await connectClient(a.url);
    clients.push(onA);
    const joined = await join(onA, { siteId: site.siteId, protocolVersion: PROTOCOL_VERSION });
    if (!joined.ok || joined.kind !== 'snapshot') expect.fail(`snapshot expected: ${JSON.stringify(joined)}`);
    const onB = await connectClient(b.url);
    clients.push(onB);
    const recorderB = new DiffRecorder(onB);
    const view = fromSnapshot(joined.snapshot);

    site.move(A1, A2, 5);
    const diff = await recorderB.reach(site.state.seq);
    expect(diff).toMatchObject({ siteId: site.siteId, fromSeq: 1, toSeq: 2, fill: [0, 15, 1, 5] });
    applyDiff(view, diff);
    expect(comparable(view)).toEqual(comparable(fromSnapshot(site.feed.snapshot())));
    // B has no broadcaster and no feed: the diff can only have come from A through Redis.
    expect(b.server.io.of('/').adapter.rooms.get(siteRoom(site.siteId))?.size).toBe(1);
  });

  it('survives Redis dropping its connections and shares rooms again once it reconnects', async () => {
    const redisKey = `floortwin-test-${randomUUID()}`;
    const site = new TestSite();
    const logged: string[] = [];
    const log = (message: string): void => {
      logged.push(message);
    };
    const a = await server(redisKey, log);
    const b = await server(redisKey);
    const gateway = attachFloorGateway(a.server.io, { get: (id) => (id === site.siteId ? site.feed : undefined) }, { patchMs: 5 });
    gateways.push(gateway);
    expect(gateway.watch(site.siteId)).toBe(true);
    b.server.io.on('connection', (socket) => void socket.join(siteRoom(site.siteId)));
    const onB = await connectClient(b.url);
    clients.push(onB);
    const recorderB = new DiffRecorder(onB);
    await until(async () => (await a.server.io.of('/').adapter.serverCount()) === 2, 'both servers on the channel');

    const admin = createClient({ url: REDIS_URL });
    await admin.connect();
    try {
      const list = await admin.sendCommand<string>(['CLIENT', 'LIST']);
      const ids = list
        .split('\n')
        .filter((line) => line.includes(` name=${redisKey}:`))
        .map((line) => /\bid=(\d+)/.exec(line)?.[1])
        .filter((id): id is string => id !== undefined);
      expect(ids.length).toBe(4); // pub and sub of both servers
      for (const id of ids) await admin.sendCommand(['CLIENT', 'KILL', 'ID', id]);
    } finally {
      await admin.close();
    }
    // Publishing while the connections are down fails; it must only be logged.
    site.receive(A1, 1);
    gateway.flush(site.siteId);
    await until(() => Promise.resolve(logged.length > 0), 'the outage to be logged');

    await until(async () => (await a.server.io.of('/').adapter.serverCount()) === 2, 'both servers back on the channel');
    site.receive(A2, 2);
    await recorderB.reach(site.state.seq);
  });

  it('serves locally and logs when Redis is unreachable', async () => {
    const logged: string[] = [];
    const running = await startServer({
      redisUrl: 'redis://127.0.0.1:1',
      redisConnectTimeoutMs: 200,
      log: (message) => logged.push(message),
    });
    servers.push(running);
    expect(running.server.adapter).toBe('local');
    expect(logged.some((m) => m.includes('unreachable'))).toBe(true);

    const site = new TestSite();
    gateways.push(attachFloorGateway(running.server.io, { get: () => site.feed }, { patchMs: 5 }));
    const socket = await connectClient(running.url);
    clients.push(socket);
    const recorder = new DiffRecorder(socket);
    expect(await join(socket, { siteId: site.siteId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
    site.receive(A1, 2);
    await recorder.reach(1);
  });
});
