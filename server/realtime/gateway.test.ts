import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FloorDiff } from '../protocol/floor.ts';
import { PROTOCOL_VERSION } from '../protocol/floor.ts';
import type { JoinResult } from '../protocol/socket.ts';
import { attachFloorGateway, type FloorGateway } from './gateway.ts';
import { ALICE, BINS, BOB, TestSite, applyDiff, comparable, fromSnapshot, type ClientFloor } from './realtime.fixture.ts';
import { DiffRecorder, WAIT_MS, connectClient, join, startServer, type FloorClient, type RunningServer } from './socket-test-kit.ts';

const [A1, A2, B1, B2] = BINS as [(typeof BINS)[number], (typeof BINS)[number], (typeof BINS)[number], (typeof BINS)[number]];

/** Emits without an ack function, as a sloppy or hostile client may. */
function emitRaw(socket: FloorClient, event: string, ...args: unknown[]): void {
  (socket as unknown as { emit(event: string, ...args: unknown[]): void }).emit(event, ...args);
}

function viewOf(result: JoinResult): ClientFloor {
  if (!result.ok || result.kind !== 'snapshot') throw new Error(`snapshot expected, got ${JSON.stringify(result)}`);
  return fromSnapshot(result.snapshot);
}

/** A joined client that keeps its view current by applying every diff (applyDiff throws on a gap). */
class FollowingClient {
  readonly recorder: DiffRecorder;
  private applied = 0;

  constructor(
    readonly socket: FloorClient,
    readonly view: ClientFloor,
  ) {
    this.recorder = new DiffRecorder(socket);
  }

  /** Waits until the view is at `seq` (and, optionally, a diff matched), applying diffs in arrival order. */
  async catchUp(seq: number, match: (diff: FloorDiff) => boolean = () => true): Promise<void> {
    await this.recorder.waitFor((diff) => diff.toSeq >= seq && match(diff), `seq ${seq}`);
    for (; this.applied < this.recorder.diffs.length; this.applied++) {
      applyDiff(this.view, this.recorder.diffs[this.applied] as FloorDiff);
    }
  }
}

describe('floor gateway over real sockets', () => {
  let site: TestSite;
  let running: RunningServer;
  let gateway: FloorGateway;
  const clients: FloorClient[] = [];

  async function client(): Promise<FloorClient> {
    const socket = await connectClient(running.url);
    clients.push(socket);
    return socket;
  }

  /** Connects and joins; asserts nothing was streamed to the socket before its ack. */
  async function follower(request: Record<string, unknown> = {}): Promise<{ follower: FollowingClient; result: JoinResult }> {
    const socket = await client();
    const recorder = new DiffRecorder(socket);
    const result = await join(socket, { siteId: site.siteId, protocolVersion: PROTOCOL_VERSION, ...request });
    expect(recorder.diffs).toEqual([]);
    let view: ClientFloor;
    if (result.ok && result.kind === 'diff') {
      view = (request.view as ClientFloor | undefined) ?? expect.fail('a diff answers only a client with a view');
      applyDiff(view, result.diff);
    } else {
      view = viewOf(result);
    }
    return { follower: new FollowingClient(socket, view), result };
  }

  beforeEach(async () => {
    site = new TestSite(undefined, 50);
    running = await startServer();
    gateway = attachFloorGateway(running.server.io, { get: (id) => (id === site.siteId ? site.feed : undefined) }, { patchMs: 5 });
  });

  afterEach(async () => {
    for (const socket of clients.splice(0)) socket.disconnect();
    gateway.close();
    await running.server.close();
  });

  it('acks a join with a snapshot of the current floor', async () => {
    site.receive(A2, 30);
    site.signOn(ALICE, 'Alice');
    const { result } = await follower();
    expect(result).toMatchObject({ ok: true, kind: 'snapshot' });
    const view = viewOf(result);
    expect(view.seq).toBe(2);
    expect(view.fill).toEqual([0, 30, 0, 0]);
    expect([...view.operatives.keys()]).toEqual([ALICE]);
    expect(comparable(view)).toEqual(comparable(fromSnapshot(site.feed.snapshot())));
  });

  it('streams diffs with consecutive seqs that reproduce the server floor', async () => {
    site.receive(A1, 60);
    const { follower: alice } = await follower();
    site.signOn(ALICE, 'Alice');
    site.move(A1, A2, 10);
    await alice.catchUp(3);
    site.walk(ALICE, 3, 4);
    await alice.catchUp(3, (diff) => diff.operatives.some((o) => o.id === ALICE && o.x === 3));
    site.receive(B1, 5);
    site.move(A1, B2, 20);
    site.signOn(BOB, 'Bob');
    await alice.catchUp(6);

    const diffs = alice.recorder.diffs;
    expect(diffs[0]?.fromSeq).toBe(1);
    for (let i = 1; i < diffs.length; i++) expect(diffs[i]?.fromSeq).toBe(diffs[i - 1]?.toSeq);
    expect(comparable(alice.view)).toEqual(comparable(fromSnapshot(site.feed.snapshot())));
  });

  it('serves joins while changes are pending: the first diff after the ack starts at its seq', async () => {
    const { follower: watcher } = await follower();
    for (let round = 1; round <= 5; round++) {
      site.receive(BINS[round % 4] as (typeof BINS)[number], round);
      const { follower: late } = await follower(); // joins with the change not yet streamed
      site.receive(A1, 1);
      await late.catchUp(site.state.seq); // applyDiff throws on a gap
      await watcher.catchUp(site.state.seq);
      expect(comparable(late.view)).toEqual(comparable(watcher.view));
    }
  });

  it('catches up a client that missed diffs with one diff equal in effect to them', async () => {
    site.receive(A1, 50);
    site.signOn(ALICE, 'Alice');
    site.signOn(BOB, 'Bob');
    const { follower: first } = await follower();
    const held = structuredClone(first.view);
    first.socket.disconnect();

    site.move(A1, B1, 20);
    site.walk(ALICE, 7, 8);
    site.signOff(BOB);
    site.receive(A2, 9);

    const { follower: again, result } = await follower({ since: held.seq, view: held });
    expect(result).toMatchObject({ ok: true, kind: 'diff', diff: { fromSeq: 3, toSeq: 6, removedOperatives: [BOB] } });
    expect(comparable(again.view)).toEqual(comparable(fromSnapshot(site.feed.snapshot())));

    site.receive(B2, 1);
    await again.catchUp(7);
    expect(comparable(again.view)).toEqual(comparable(fromSnapshot(site.feed.snapshot())));
  });

  it('answers a `since` older than the history, or from the future, with a snapshot', async () => {
    site.receive(A1, 1);
    const { follower: first } = await follower();
    const oldSeq = first.view.seq;
    first.socket.disconnect();
    for (let i = 0; i < 60; i++) site.receive(A2, 1); // history holds 50 events

    const { result: tooOld, follower: rejoined } = await follower({ since: oldSeq });
    expect(tooOld).toMatchObject({ ok: true, kind: 'snapshot', snapshot: { seq: 61 } });
    const { result: future } = await follower({ since: 1_000 });
    expect(future).toMatchObject({ ok: true, kind: 'snapshot', snapshot: { seq: 61 } });

    site.receive(B1, 2);
    await rejoined.catchUp(62);
    expect(comparable(rejoined.view)).toEqual(comparable(fromSnapshot(site.feed.snapshot())));
  });

  it('answers a bad payload with BAD_REQUEST and keeps the socket usable', async () => {
    const socket = await client();
    const bad = await join(socket, { siteId: 42, since: -1 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    if (bad.ok) expect.fail('error expected');
    const paths = (bad.error.details as { path: string }[]).map((issue) => issue.path).sort();
    expect(paths).toEqual(['protocolVersion', 'since', 'siteId']);
    expect(await join(socket, 'not an object')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await socket.timeout(WAIT_MS).emitWithAck('site:leave', [])).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    expect(socket.connected).toBe(true);
    expect(await join(socket, { siteId: site.siteId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true, kind: 'snapshot' });
  });

  it('refuses an unknown site and another protocol version', async () => {
    const socket = await client();
    expect(await join(socket, { siteId: 'elsewhere', protocolVersion: PROTOCOL_VERSION })).toEqual({
      ok: false,
      error: { code: 'UNKNOWN_SITE', message: 'unknown site elsewhere' },
    });
    expect(await join(socket, { siteId: site.siteId, protocolVersion: PROTOCOL_VERSION + 1 })).toMatchObject({
      ok: false,
      error: { code: 'PROTOCOL_MISMATCH', details: { serverVersion: PROTOCOL_VERSION } },
    });
    expect(socket.connected).toBe(true);
  });

  it('survives events without an ack function', async () => {
    const socket = await client();
    const recorder = new DiffRecorder(socket);
    emitRaw(socket, 'site:join', { siteId: site.siteId, protocolVersion: PROTOCOL_VERSION });
    emitRaw(socket, 'site:join', { nonsense: true });
    emitRaw(socket, 'site:join', { siteId: site.siteId, protocolVersion: PROTOCOL_VERSION }, 'not a function');
    emitRaw(socket, 'site:join');
    emitRaw(socket, 'site:leave', null);
    emitRaw(socket, 'site:leave', { siteId: 'elsewhere' });
    emitRaw(socket, 'no:such:event', 1, 2, 3);

    // Packets are handled in order: once this ack arrives, the server has handled (and survived) all of the above.
    expect(await join(socket, { siteId: site.siteId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
    expect(socket.connected).toBe(true);
    site.receive(A1, 3);
    await recorder.reach(site.state.seq); // the ack-less join did join the room
  });

  it('stops streaming to a socket after site:leave', async () => {
    const { follower: leaving } = await follower();
    const { follower: staying } = await follower();
    expect(await leaving.socket.timeout(WAIT_MS).emitWithAck('site:leave', { siteId: site.siteId })).toEqual({ ok: true });

    site.receive(A1, 4);
    await staying.catchUp(1);
    // The diff was written to every member before this ack, so if `leaving` were still in the room it would have it.
    await leaving.socket.timeout(WAIT_MS).emitWithAck('site:leave', { siteId: site.siteId });
    expect(leaving.recorder.diffs).toEqual([]);
  });

  it('answers joins with UNAVAILABLE after close', async () => {
    const socket = await client();
    gateway.close();
    expect(await join(socket, { siteId: site.siteId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({
      ok: false,
      error: { code: 'UNAVAILABLE' },
    });
  });
});
