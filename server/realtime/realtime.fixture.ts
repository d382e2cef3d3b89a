/**
 * Test support for the realtime layer: a four-bin site literal, a minimal site runner that drives the real twin
 * core (decide, then apply, then tell the feed, as the real runner does after its commit) and a client-side model
 * that applies snapshots and diffs the way a floor view does.
 */
import type { FloorCounters, FloorDiff, FloorSnapshot, OperativeView } from '../protocol/floor.ts';
import type { Command } from '../twin/commands.ts';
import type { OperativeMoved } from '../twin/events.ts';
import {
  asLocationId,
  asOperativeId,
  asSiteId,
  asSkuId,
  asTenantId,
  epochMs,
  type LocationId,
  type OperativeId,
  type SkuId,
  type TenantId,
} from '../twin/ids.ts';
import type { Location } from '../twin/layout/types.ts';
import type { SiteDefinition } from '../twin/site.ts';
import type { TwinState } from '../twin/state.ts';
import { applyEvents, createTwinState, decide } from '../twin/twin.ts';
import { FloorFeed } from './floor-feed.ts';

export const TENANT: TenantId = asTenantId('T1');
export const SKU: SkuId = asSkuId('SKU-1');
export const BINS: readonly LocationId[] = ['A-01', 'A-02', 'B-01', 'B-02'].map(asLocationId);
export const ALICE: OperativeId = asOperativeId('op-alice');
export const BOB: OperativeId = asOperativeId('op-bob');

function bin(index: number, aisle: number, bay: number): Location {
  const id = BINS[index] as LocationId;
  const x = aisle * 3;
  const y = 2 + bay;
  return {
    id,
    index,
    x,
    y,
    z: 0,
    width: 1,
    depth: 1,
    height: 1,
    capacityUnits: 100,
    zone: 'Z1',
    aisle,
    block: 1,
    bay,
    side: 'L',
    level: 1,
    access: { x: x + 1, y },
    accessNode: 1 + index,
  };
}

/** A tiny site: two aisles of two bins, capacity 100 units each, one tenant and one SKU. */
export function tinySite(siteId = 'site-tiny'): SiteDefinition {
  const locations = [bin(0, 1, 1), bin(1, 1, 2), bin(2, 2, 1), bin(3, 2, 2)];
  return {
    id: asSiteId(siteId),
    name: 'Tiny test site',
    layout: {
      id: 'tiny',
      name: 'Tiny',
      locations,
      zones: [{ id: 'Z1', name: 'Zone 1' }],
      graph: {
        nodes: [
          { id: 0, x: 0, y: 0, kind: 'depot' },
          ...locations.map((l, i) => ({ id: 1 + i, x: l.access.x, y: l.access.y, kind: 'access' as const })),
        ],
        edges: locations.map((l, i) => ({ a: 0, b: 1 + i, length: Math.hypot(l.access.x, l.access.y) })),
        depotNode: 0,
      },
      depot: { x: 0, y: 0 },
    },
    skus: [
      {
        id: SKU,
        tenantId: TENANT,
        description: 'Widget',
        barcode: '5000000000005',
        lengthM: 0.1,
        widthM: 0.1,
        heightM: 0.1,
        weightKg: 0.2,
        demandWeight: 1,
        lotTracked: false,
      },
    ],
    tenants: [{ id: TENANT, name: 'Tenant one' }],
  };
}

/**
 * Stands in for the site runner (not part of the core): decides each command with the real twin, applies the
 * events (the commit is instantaneous here) and reports them to the feed.
 */
export class TestSite {
  readonly state: TwinState;
  readonly feed: FloorFeed;
  private nowMs = 1_700_000_000_000;

  constructor(site: SiteDefinition = tinySite(), historySize = 1_000) {
    this.state = createTwinState(site, epochMs(this.nowMs));
    this.feed = new FloorFeed(() => this.state, { historySize });
  }

  get siteId(): string {
    return this.state.site.id;
  }

  /** Runs commands in order; throws on a domain error (a test setup mistake). */
  run(...commands: Command[]): void {
    for (const command of commands) {
      this.nowMs += 1_000;
      const decision = decide(this.state, command, { now: epochMs(this.nowMs) });
      if (!decision.ok) throw new Error(`${command.type} refused: ${decision.error.code} ${decision.error.message}`);
      const durable = applyEvents(this.state, decision.events);
      const moved = decision.events.filter((e): e is OperativeMoved => e.type === 'OperativeMoved');
      if (durable.length > 0) this.feed.committed(durable);
      if (moved.length > 0) this.feed.volatile(moved);
    }
  }

  receive(bin: LocationId, qty: number): void {
    this.run({ type: 'receiveStock', tenantId: TENANT, locationId: bin, skuId: SKU, qty });
  }

  move(from: LocationId, to: LocationId, qty: number): void {
    this.run({ type: 'moveStock', tenantId: TENANT, fromLocationId: from, toLocationId: to, skuId: SKU, qty });
  }

  signOn(operativeId: OperativeId, name: string): void {
    this.run({ type: 'signOn', operativeId, name });
  }

  signOff(operativeId: OperativeId): void {
    this.run({ type: 'signOff', operativeId });
  }

  walk(operativeId: OperativeId, x: number, y: number): void {
    this.run({ type: 'updatePosition', operativeId, position: { x, y }, activity: 'walking' });
  }
}

/** A floor view as a client holds it: what snapshot + diffs must reproduce. */
export interface ClientFloor {
  seq: number;
  fill: number[];
  operatives: Map<string, OperativeView>;
  counters: FloorCounters;
}

/** A client's view from a snapshot. */
export function fromSnapshot(snapshot: FloorSnapshot): ClientFloor {
  return {
    seq: snapshot.seq,
    fill: [...snapshot.fill],
    operatives: new Map(snapshot.operatives.map((o) => [o.id, o])),
    counters: snapshot.counters,
  };
}

/** Applies a diff as the protocol says: only at `fromSeq`, otherwise the client has a gap (throws here). */
export function applyDiff(view: ClientFloor, diff: FloorDiff): void {
  if (diff.fromSeq !== view.seq) throw new Error(`gap: client at ${view.seq}, diff from ${diff.fromSeq}`);
  for (let i = 0; i + 1 < diff.fill.length; i += 2) view.fill[diff.fill[i] as number] = diff.fill[i + 1] as number;
  for (const id of diff.removedOperatives) view.operatives.delete(id);
  for (const o of diff.operatives) view.operatives.set(o.id, o);
  view.counters = diff.counters;
  view.seq = diff.toSeq;
}

/** Comparable form of a view (operatives sorted by id). */
export function comparable(view: ClientFloor): unknown {
  return {
    seq: view.seq,
    fill: view.fill,
    operatives: [...view.operatives.values()].sort((a, b) => a.id.localeCompare(b.id)),
    counters: view.counters,
  };
}
