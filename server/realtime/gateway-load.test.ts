/**
 * The floor stream under steady load: when a commit is in flight at every patch tick (as with hundreds of pickers),
 * diffs must still go out — each tick's patch is sent the moment the commit resolves. Skipping such ticks sent nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../protocol/floor.ts';
import { applyEvents, createTwinState, decide } from '../twin/twin.ts';
import { epochMs } from '../twin/ids.ts';
import type { TwinState } from '../twin/state.ts';
import { FloorFeed } from './floor-feed.ts';
import { attachFloorGateway, type FloorGateway } from './gateway.ts';
import { BINS, SKU, TENANT, tinySite } from './realtime.fixture.ts';
import { DiffRecorder, connectClient, join, startServer, type FloorClient, type RunningServer } from './socket-test-kit.ts';

describe('floor gateway with a commit always in flight', () => {
  let running: RunningServer;
  let gateway: FloorGateway;
  let client: FloorClient;
  let state: TwinState;
  let feed: FloorFeed;
  let settled = true;

  beforeEach(async () => {
    state = createTwinState(tinySite(), epochMs(1_700_000_000_000));
    feed = new FloorFeed(() => state, { historySize: 100, isSettled: () => settled });
    running = await startServer();
    gateway = attachFloorGateway(running.server.io, { get: (id) => (id === state.site.id ? feed : undefined) }, { patchMs: 5 });
  });

  afterEach(async () => {
    client?.disconnect();
    gateway.close();
    await running.server.close();
  });

  /** One "commit": the change is applied and reported in one synchronous run, and the next batch is in flight at once. */
  function commitThenBusy(qty: number): void {
    const decision = decide(state, { type: 'receiveStock', tenantId: TENANT, locationId: BINS[0]!, skuId: SKU, qty }, { now: epochMs(state.now + 1000) });
    if (!decision.ok) throw new Error(decision.error.message);
    settled = true;
    feed.committed(applyEvents(state, decision.events));
    // The runner starts deciding the next batch right after answering this one: unsettled before any timer runs.
    setImmediate(() => {
      settled = false;
    });
  }

  it('sends diffs although every timer tick finds the runner unsettled', async () => {
    client = await connectClient(running.url);
    const recorder = new DiffRecorder(client);
    const result = await join(client, { siteId: state.site.id, protocolVersion: PROTOCOL_VERSION });
    expect(result.ok).toBe(true);
    settled = false;
    for (let i = 1; i <= 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      commitThenBusy(i);
    }
    const last = await recorder.reach(state.seq);
    expect(last.toSeq).toBe(state.seq);
  });
});
