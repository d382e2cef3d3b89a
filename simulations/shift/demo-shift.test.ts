import { describe, expect, it } from 'vitest';
import type { Command } from '../../server/twin/commands.ts';
import type { TwinEvent } from '../../server/twin/events.ts';
import { epochMs } from '../../server/twin/ids.ts';
import type { EpochMs, OperativeId } from '../../server/twin/ids.ts';
import { checkTwinInvariants, ledgerBalances } from '../../server/twin/invariants.ts';
import { generateSite, type SiteParams } from '../../server/twin/layout/generator.ts';
import type { SiteDefinition } from '../../server/twin/site.ts';
import type { TwinState } from '../../server/twin/state.ts';
import { applyEvents, createTwinState, decide } from '../../server/twin/twin.ts';
import { isRouteError, planRoute } from '../../solver/routing/plan-route.ts';
import { createDemoShift, SUBMIT_FAILED, type DemoShift, type DemoShiftOptions, type TwinPort } from './demo-shift.ts';

const HOUR_MS = 3_600_000;
const T0: EpochMs = epochMs(Date.UTC(2026, 10, 27, 8));

/** A small site: 6 aisles × 2 blocks × 8 bays × 2 levels × 2 sides = 384 bins, 120 SKUs, 2 tenants. */
const SMALL_SITE: SiteParams = {
  id: 'sim-small',
  name: 'Simulator test site',
  aisles: 6,
  blocks: 2,
  baysPerBlock: 8,
  levels: 2,
  capacityUnits: 40,
  skuCount: 120,
  tenants: 2,
  stockFillRatio: 0.7,
  baseDate: '2026-11-01',
};
const generated = generateSite(SMALL_SITE, 7);

/** The test's twin: the real core (decide + apply) in memory, stamped with the simulation's virtual clock. */
interface MemoryTwin {
  readonly state: TwinState;
  readonly events: TwinEvent[];
  readonly port: TwinPort;
  /** Runs a command outside the shift (setup, interference); throws if refused. */
  run(command: Command): void;
  /** Where the twin takes its time from; set once the shift (and its clock) exists. */
  clock: { now(): EpochMs };
}

function memoryTwin(site: SiteDefinition = generated.site): MemoryTwin {
  const state = createTwinState(site, T0);
  const twin: MemoryTwin = {
    state,
    events: [],
    clock: { now: () => T0 },
    port: {
      state: () => state,
      submit(command) {
        const decision = decide(state, command, { now: twin.clock.now() });
        if (!decision.ok) return Promise.resolve({ ok: false, error: decision.error });
        applyEvents(state, decision.events);
        twin.events.push(...decision.events);
        return Promise.resolve({ ok: true });
      },
    },
    run(command) {
      const decision = decide(state, command, { now: twin.clock.now() });
      if (!decision.ok) throw new Error(`${command.type} refused: ${decision.error.code} ${decision.error.message}`);
      applyEvents(state, decision.events);
      twin.events.push(...decision.events);
    },
  };
  return twin;
}

function stockedTwin(): MemoryTwin {
  const twin = memoryTwin();
  for (const receipt of generated.initialStock) twin.run(receipt);
  return twin;
}

type ShiftParams = Omit<DemoShiftOptions, 'port'>;
const BASE: ShiftParams = { seed: 11, pickers: 4, ordersPerHour: 90, startAt: T0 };

async function runShift(twin: MemoryTwin, params: ShiftParams, durationMs: number): Promise<DemoShift> {
  const shift = createDemoShift({ ...params, port: twin.port });
  twin.clock = shift.sim.clock;
  shift.start();
  await shift.sim.advanceTo(params.startAt + durationMs);
  return shift;
}

describe('demo shift, one hour on a small generated site', () => {
  it('[S1][S2][S3] creates, picks and despatches orders with no command refused and the twin healthy', async () => {
    const twin = stockedTwin();
    const shift = await runShift(twin, BASE, HOUR_MS);
    const { stats } = shift;
    expect(stats.rejected).toEqual({});
    expect(stats.routeFallbacks).toBe(0);
    // ~90 orders/hour: the Poisson count lands well inside these bounds for this seed.
    expect(stats.ordersCreated).toBeGreaterThan(60);
    expect(stats.ordersReleased).toBe(stats.ordersCreated);
    expect(stats.picksConfirmed + stats.shorts).toBeGreaterThan(stats.ordersCreated);
    // Orders arriving in the last minutes may still be on a trolley; nearly all the rest are gone.
    expect(stats.ordersDespatched).toBeGreaterThan(stats.ordersCreated * 0.85);
    expect(stats.ordersPacked).toBe(stats.ordersDespatched);
    expect(twin.state.counters.ordersDespatched).toBe(stats.ordersDespatched);
    expect(stats.positionUpdates).toBeGreaterThan(1000);
    expect(checkTwinInvariants(twin.state)).toEqual([]);
    expect(ledgerBalances(twin.events).problems).toEqual([]);
    expect(shift.sim.now()).toBe(T0 + HOUR_MS);
    // Every event is stamped with virtual time inside the shift, in order.
    const times = twin.events.map((e) => e.at);
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
    expect(times.at(-1)).toBeLessThanOrEqual(T0 + HOUR_MS);
  });

  it('[E8] the same seed twice gives the same event stream byte for byte; another seed does not', async () => {
    const a = stockedTwin();
    await runShift(a, BASE, HOUR_MS);
    const b = stockedTwin();
    await runShift(b, BASE, HOUR_MS);
    const c = stockedTwin();
    await runShift(c, { ...BASE, seed: 12 }, HOUR_MS);
    const json = JSON.stringify(a.events);
    expect(JSON.stringify(b.events)).toBe(json);
    expect(JSON.stringify(c.events)).not.toBe(json);
  });

  it('[S3] pickers walk the route at walking speed and confirm each pick standing at its location', async () => {
    const twin = stockedTwin();
    const params: ShiftParams = { ...BASE, walkSpeedMps: 1.2, positionIntervalMs: 500 };
    await runShift(twin, params, HOUR_MS / 2);
    const depot = twin.state.site.layout.depot;
    const last = new Map<OperativeId, { x: number; y: number; at: number }>();
    let checkedPicks = 0;
    for (const e of twin.events) {
      if (e.type === 'OperativeMoved') {
        const prev = last.get(e.operativeId);
        const atDepot = e.position.x === depot.x && e.position.y === depot.y;
        if (prev !== undefined && !atDepot) {
          // Never faster than walking speed (a little slack for rounding to whole ms).
          const metres = Math.hypot(e.position.x - prev.x, e.position.y - prev.y);
          expect(metres).toBeLessThanOrEqual(1.2 * ((e.at - prev.at) / 1000) + 0.01);
        }
        last.set(e.operativeId, { ...e.position, at: e.at });
      } else if (e.type === 'PickConfirmed' || e.type === 'PickShorted') {
        const access = twin.state.locationsById.get(e.locationId)?.access;
        const here = last.get(e.operativeId);
        expect(access).toBeDefined();
        expect(here).toBeDefined();
        if (access !== undefined && here !== undefined) {
          expect(Math.hypot(here.x - access.x, here.y - access.y)).toBeLessThan(0.05);
          // Picking takes pickSecondsPerLine after arriving.
          expect(e.at - here.at).toBeGreaterThanOrEqual(8000);
        }
        checkedPicks++;
      }
    }
    expect(checkedPicks).toBeGreaterThan(50);
  });

  it('[E5][S1] a port that commits later (like the server) gives the same shift as one that answers at once', async () => {
    const immediate = stockedTwin();
    await runShift(immediate, BASE, HOUR_MS / 6);

    // Each command waits a macrotask before it is decided, as a real commit would; the adapter drives the
    // simulation with plain runUntil calls from its "timer", one virtual minute at a time.
    const later = stockedTwin();
    const slowPort: TwinPort = {
      state: () => later.port.state(),
      submit: (command) => new Promise((resolve) => setImmediate(resolve)).then(() => later.port.submit(command)),
    };
    const shift = createDemoShift({ ...BASE, port: slowPort });
    later.clock = shift.sim.clock;
    shift.start();
    for (let t = T0 + 60_000; t <= T0 + HOUR_MS / 6; t += 60_000) {
      shift.sim.runUntil(t);
      await shift.sim.idle();
    }
    expect(shift.sim.now()).toBe(T0 + HOUR_MS / 6);
    expect(later.events.length).toBeGreaterThan(100);
    expect(JSON.stringify(later.events)).toBe(JSON.stringify(immediate.events));
  });

  it('[S2][E6] adding a picker does not move order arrival times', async () => {
    const orderTimes = async (pickers: number): Promise<number[]> => {
      const twin = stockedTwin();
      await runShift(twin, { ...BASE, pickers }, HOUR_MS);
      return twin.events.filter((e) => e.type === 'OrderCreated').map((e) => e.at);
    };
    const four = await orderTimes(4);
    expect(four.length).toBeGreaterThan(60);
    expect(await orderTimes(5)).toEqual(four);
  });

  it('[S4] goods-in tops up SKUs that run low, within capacity, so the shift keeps ordering', async () => {
    const twin = stockedTwin();
    const setupEvents = twin.events.length;
    // A busy hour with a high threshold makes replenishment happen often.
    const shift = await runShift(twin, { ...BASE, ordersPerHour: 300, replenishBelowUnits: 60, replenishIntervalMs: 120_000 }, HOUR_MS);
    const { stats } = shift;
    expect(stats.stockReceipts).toBeGreaterThan(0);
    expect(stats.rejected).toEqual({});
    expect(stats.ordersSkipped).toBe(0);
    const receipts = twin.events.slice(setupEvents).filter((e) => e.type === 'StockReceived');
    expect(receipts.length).toBe(stats.stockReceipts);
    expect(receipts.reduce((sum, e) => sum + e.qty, 0)).toBe(stats.unitsReceived);
    // Within capacity: no bin holds more than it can.
    for (const location of twin.state.site.layout.locations) {
      let onHand = 0;
      for (const key of twin.state.quantsByLocation.get(location.id) ?? []) onHand += twin.state.quants.get(key)?.onHand ?? 0;
      expect(onHand).toBeLessThanOrEqual(location.capacityUnits);
    }
    expect(checkTwinInvariants(twin.state)).toEqual([]);
  });
});

describe('demo shift, resilience', () => {
  it('[S5] counts failing submits and refused commands, carries on, and finishes the orders later', async () => {
    const twin = stockedTwin();
    // Fault injection at the edge: every 40th submission fails in transport, and every 15th pick confirmation
    // arrives with a mistyped barcode (the twin refuses it; the task stays with the picker for its next trip).
    let submissions = 0;
    let confirmations = 0;
    const faulty: TwinPort = {
      state: () => twin.port.state(),
      submit(command) {
        submissions++;
        if (submissions % 40 === 0) return Promise.reject(new Error('connection reset'));
        if (command.type === 'confirmPick' && ++confirmations % 15 === 0) {
          return twin.port.submit({ ...command, scannedItem: `${command.scannedItem}X` });
        }
        return twin.port.submit(command);
      },
    };
    const shift = createDemoShift({ ...BASE, port: faulty });
    twin.clock = shift.sim.clock;
    shift.start();
    await shift.sim.advanceTo(T0 + HOUR_MS / 4);
    // A supervisor signs a picker off mid-shift: its tasks go back to the pool and it signs on again later.
    const picker = shift.pickerIds[0] as OperativeId;
    expect(twin.state.operatives.has(picker)).toBe(true);
    twin.run({ type: 'signOff', operativeId: picker });
    await shift.sim.advanceTo(T0 + HOUR_MS);
    const { stats } = shift;
    expect(stats.rejected[SUBMIT_FAILED]).toBeGreaterThan(10);
    expect(stats.rejectedByCommand['confirmPick:WRONG_ITEM_SCANNED']).toBeGreaterThan(5);
    expect(twin.state.operatives.has(picker)).toBe(true);
    // Orders whose steps failed were retried; all but the latest arrivals and a few lost in transport are gone.
    expect(stats.ordersDespatched).toBeGreaterThan(stats.ordersCreated * 0.7);
    expect(checkTwinInvariants(twin.state)).toEqual([]);
    expect(ledgerBalances(twin.events).problems).toEqual([]);
  });

  it('[S6] a restarted shift adopts signed-on pickers and their tasks, without duplicate sign-ons or order ids', async () => {
    const twin = stockedTwin();
    const first = await runShift(twin, BASE, HOUR_MS / 3);
    first.stop();
    const held = [...twin.state.operatives.values()].reduce((sum, op) => sum + op.taskIds.length, 0);
    expect(held).toBeGreaterThan(0);
    const restartAt = epochMs(first.sim.now());
    const second = await runShift(twin, { ...BASE, startAt: restartAt }, HOUR_MS / 3);
    expect(second.stats.rejected).toEqual({});
    expect(second.stats.ordersDespatched).toBeGreaterThan(0);
    // What the first run left on trolleys or in packing has been finished by the second.
    const leftover = [...twin.state.orders.values()].filter((o) => o.createdAt < restartAt && o.status !== 'despatched');
    expect(leftover).toEqual([]);
    expect(checkTwinInvariants(twin.state)).toEqual([]);
  });
});

describe('route source (S7)', () => {
  /**
   * A memory twin with a stand-in for the server's route service: whenever a submit leaves a picker holding tasks not
   * covered by its route, it plans them (shortest walk, 'nearest-neighbour' so the order differs from the model's
   * default) and records the route with `setRoute`, as the service would a moment later.
   */
  function routedTwin(delayLooks: number): MemoryTwin & { routesSet: number } {
    const twin = stockedTwin() as MemoryTwin & { routesSet: number };
    twin.routesSet = 0;
    const inner = twin.port.submit.bind(twin.port);
    const waited = new Map<string, number>();
    const plan = (): void => {
      for (const op of twin.state.operatives.values()) {
        if (op.taskIds.length === 0) continue;
        const covered = op.route !== null && op.taskIds.every((id) => op.route?.taskIds.includes(id));
        if (covered) continue;
        // Let the picker find no route a few times first, as it would while the service is planning.
        const n = (waited.get(op.id) ?? 0) + 1;
        waited.set(op.id, n);
        if (n <= delayLooks) continue;
        waited.delete(op.id);
        const locs = [...new Set(op.taskIds.map((id) => twin.state.tasks.get(id)!.locationId))];
        const planned = planRoute({ layout: twin.state.site.layout, picks: locs, method: 'nearest-neighbour' });
        if (isRouteError(planned)) continue;
        const taskIds = planned.sequence.flatMap((loc) => op.taskIds.filter((id) => twin.state.tasks.get(id)!.locationId === loc));
        twin.run({ type: 'setRoute', operativeId: op.id, taskIds: [...new Set(taskIds)], distanceM: planned.distance, method: planned.method });
        twin.routesSet++;
      }
    };
    (twin as { port: TwinPort }).port = {
      // Every look at the twin gives the stand-in service a turn, as time passing would.
      state() {
        plan();
        return twin.state;
      },
      async submit(command) {
        const result = await inner(command);
        plan();
        return result;
      },
    };
    return twin;
  }

  it('[S7] pickers walk the twin’s route: picks follow the route order, and the shift stays deterministic', async () => {
    const twin = routedTwin(3);
    const shift = await runShift(twin, { ...BASE, routeSource: 'twin' }, HOUR_MS / 2);
    expect(shift.stats.twinRoutes).toBeGreaterThan(5);
    expect(shift.stats.twinRouteTimeouts).toBe(0);
    expect(shift.stats.rejected).toEqual({});
    expect(twin.routesSet).toBeGreaterThanOrEqual(shift.stats.twinRoutes);
    // Each picker's picks after a route was set come in that route's order.
    const routeOf = new Map<string, string[]>();
    const progress = new Map<string, number>();
    let checked = 0;
    for (const e of twin.events) {
      if (e.type === 'RoutePlanned') {
        routeOf.set(e.operativeId, [...e.taskIds]);
        progress.set(e.operativeId, -1);
      } else if (e.type === 'PickConfirmed' || e.type === 'PickShorted') {
        const route = routeOf.get(e.operativeId) ?? [];
        const at = route.indexOf(e.taskId);
        expect(at).toBeGreaterThan(progress.get(e.operativeId) ?? -1);
        progress.set(e.operativeId, at);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(checkTwinInvariants(twin.state)).toEqual([]);

    const again = routedTwin(3);
    await runShift(again, { ...BASE, routeSource: 'twin' }, HOUR_MS / 2);
    expect(JSON.stringify(again.events)).toBe(JSON.stringify(twin.events));
  });

  it('[S7] with no route service a picker waits routeWaitTries looks, then plans the trip itself', async () => {
    const twin = stockedTwin();
    const shift = await runShift(twin, { ...BASE, pickers: 1, routeSource: 'twin', routeWaitMs: 1_000, routeWaitTries: 3 }, HOUR_MS / 4);
    expect(shift.stats.twinRoutes).toBe(0);
    expect(shift.stats.twinRouteTimeouts).toBe(shift.stats.trips);
    expect(shift.stats.trips).toBeGreaterThan(0);
    expect(shift.stats.picksConfirmed).toBeGreaterThan(0);
    expect(shift.stats.rejected).toEqual({});
  });
});

describe('demo shift, pickers sharing aisles', () => {
  /** Two short aisles and many pickers, so they meet at their stops. */
  const crowded = generateSite({ ...SMALL_SITE, id: 'sim-crowded', aisles: 2, blocks: 1, baysPerBlock: 6, skuCount: 24, tenants: 1 }, 3);
  const crowdedTwin = (): MemoryTwin => {
    const twin = memoryTwin(crowded.site);
    for (const receipt of crowded.initialStock) twin.run(receipt);
    return twin;
  };
  const params: ShiftParams = { ...BASE, pickers: 6, ordersPerHour: 400, maxTasksPerTrip: 4 };

  it('[S8] a picker waits, reported blocked, while another picks in the same aisle segment; never two at once', async () => {
    const twin = crowdedTwin();
    const shift = await runShift(twin, params, HOUR_MS / 2);
    const { layout } = twin.state.site;
    const nodeAt = new Map(layout.graph.nodes.map((n) => [`${n.x},${n.y}`, n.id]));
    const adjacent = new Set(layout.graph.edges.flatMap((e) => [`${e.a}-${e.b}`, `${e.b}-${e.a}`]));
    /** Access node under each picker while it is picking; a picker that is not picking is absent. */
    const picking = new Map<OperativeId, number>();
    const blockedAt = new Map<OperativeId, { x: number; y: number }>();
    let blockedReports = 0;
    let resumed = 0;
    for (const e of twin.events) {
      if (e.type !== 'OperativeMoved') continue;
      picking.delete(e.operativeId);
      if (e.activity === 'blocked') {
        blockedReports++;
        blockedAt.set(e.operativeId, e.position);
        // Blocked means someone else is picking within one edge of this stop.
        const node = nodeAt.get(`${e.position.x},${e.position.y}`);
        expect(node).toBeDefined();
        expect([...picking.values()].some((n) => n === node || adjacent.has(`${n}-${node}`))).toBe(true);
      } else if (e.activity === 'picking') {
        const node = nodeAt.get(`${e.position.x},${e.position.y}`);
        expect(node).toBeDefined();
        if (node === undefined) continue;
        for (const other of picking.values()) expect(other === node || adjacent.has(`${other}-${node}`)).toBe(false);
        picking.set(e.operativeId, node);
        // A blocked picker picks at the very place it waited.
        const waited = blockedAt.get(e.operativeId);
        if (waited !== undefined) {
          expect(waited).toEqual(e.position);
          resumed++;
        }
        blockedAt.delete(e.operativeId);
      } else {
        // Walking on from a wait is only allowed after picking there.
        expect(blockedAt.has(e.operativeId)).toBe(false);
      }
    }
    expect(shift.stats.blockedWaits).toBe(blockedReports);
    expect(blockedReports).toBeGreaterThan(5);
    expect(resumed).toBeGreaterThan(0);
    expect(shift.stats.blockedMs).toBeGreaterThan(0);
    expect(shift.stats.rejected).toEqual({});
    expect(checkTwinInvariants(twin.state)).toEqual([]);

    const again = crowdedTwin();
    await runShift(again, params, HOUR_MS / 2);
    expect(JSON.stringify(again.events)).toBe(JSON.stringify(twin.events));
  });
});
