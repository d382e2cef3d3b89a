/** A tiny hand-made site for the core's tests (independent of the layout generator). */
import { asLocationId, asSiteId, asSkuId, asTenantId, epochMs } from './ids.ts';
import type { EpochMs } from './ids.ts';
import type { Location, Layout } from './layout/types.ts';
import type { SiteDefinition, Sku } from './site.ts';
import type { Command } from './commands.ts';
import type { SequencedEvent } from './events.ts';
import type { TwinState } from './state.ts';
import type { Decision } from './decide.ts';
import { decide } from './decide.ts';
import { applyEvents } from './apply.ts';
import { createTwinState } from './twin.ts';

/** Tenants of the test site. */
export const T1 = asTenantId('acme');
export const T2 = asTenantId('globex');
/** SKUs: A, C and D plain (of acme, globex, acme); B lot-tracked (acme). */
export const SKU_A = asSkuId('A');
export const SKU_B = asSkuId('B');
export const SKU_C = asSkuId('C');
export const SKU_D = asSkuId('D');
/** Start of twin time in the tests: 2026-11-27T06:00:00Z. */
export const T0: EpochMs = epochMs(Date.UTC(2026, 10, 27, 6));

/** Locations L1..L6 hold 50 units each: L1–L3 on aisle 1, L4–L6 on aisle 2. */
export const LOC = [1, 2, 3, 4, 5, 6].map((n) => asLocationId(`L${n}`));

function location(i: number): Location {
  const aisle = i < 3 ? 1 : 2;
  const bay = (i % 3) + 1;
  const x = aisle === 1 ? 1 : 5;
  const y = 2 + bay * 2;
  return {
    id: LOC[i] ?? asLocationId('?'),
    index: i,
    x,
    y,
    z: 0,
    width: 1.2,
    depth: 1,
    height: 1,
    capacityUnits: 50,
    zone: 'Z1',
    aisle,
    block: 1,
    bay,
    side: 'L',
    level: 0,
    access: { x: x + 1, y },
    accessNode: aisle,
  };
}

const sku = (id: Sku['id'], tenantId: Sku['tenantId'], lotTracked: boolean): Sku => ({
  id,
  tenantId,
  description: `item ${id}`,
  barcode: `BC-${id}`,
  lengthM: 0.1,
  widthM: 0.1,
  heightM: 0.1,
  weightKg: 0.5,
  demandWeight: 1,
  lotTracked,
});

const layout: Layout = {
  id: 'tiny',
  name: 'Tiny test layout',
  locations: [0, 1, 2, 3, 4, 5].map(location),
  zones: [{ id: 'Z1', name: 'Zone 1' }],
  graph: {
    nodes: [
      { id: 0, x: 4, y: 0, kind: 'depot' },
      { id: 1, x: 2, y: 6, kind: 'access' },
      { id: 2, x: 6, y: 6, kind: 'access' },
      { id: 3, x: 4, y: 12, kind: 'junction' },
    ],
    edges: [
      { a: 0, b: 1, length: 6.3 },
      { a: 0, b: 2, length: 6.3 },
      { a: 1, b: 3, length: 6.3 },
      { a: 2, b: 3, length: 6.3, blocked: true },
    ],
    depotNode: 0,
  },
  depot: { x: 4, y: 0 },
};

/** The test site: 6 bins, 2 tenants, 4 SKUs. */
export const TEST_SITE: SiteDefinition = {
  id: asSiteId('test-site'),
  name: 'Test site',
  layout,
  skus: [sku(SKU_A, T1, false), sku(SKU_B, T1, true), sku(SKU_C, T2, false), sku(SKU_D, T1, false)],
  tenants: [
    { id: T1, name: 'Acme' },
    { id: T2, name: 'Globex' },
  ],
};


/** A twin under test with its own log and a clock that ticks one second per command. */
export interface TestTwin {
  readonly state: TwinState;
  readonly log: SequencedEvent[];
  now: EpochMs;
  /** Decides at the current time, applies what was decided, advances the clock by 1 s. */
  run(command: Command): Decision;
  /** Like `run` but fails the test (throws) when the command is refused. */
  ok(command: Command): Decision & { ok: true };
}

/** A fresh twin on the test site. */
export function newTwin(site: SiteDefinition = TEST_SITE): TestTwin {
  const state = createTwinState(site, T0);
  const twin: TestTwin = {
    state,
    log: [],
    now: T0,
    run(command) {
      const decision = decide(state, command, { now: twin.now });
      if (decision.ok) twin.log.push(...applyEvents(state, decision.events));
      twin.now = epochMs(twin.now + 1000);
      return decision;
    },
    ok(command) {
      const decision = twin.run(command);
      if (!decision.ok) throw new Error(`${command.type} refused: ${decision.error.code} ${decision.error.message}`);
      return decision;
    },
  };
  return twin;
}
