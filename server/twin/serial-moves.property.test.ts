/**
 * [R80] Property: with every receipt, move, move task and count of a serial-tracked SKU naming its serials, the twin's
 * serials never drift from its units — per (location, lot) serials in stock = units on hand after every step, no SKU
 * becomes a gap, and the ledger balances. Random sequences of receipts, moves, put-away tasks (some short) and counts
 * (some serials missing, some found) on the 6-bin test site; a refused command must change nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command } from './commands.ts';
import { asCountId } from './counting.ts';
import type { LocationId } from './ids.ts';
import { asOperativeId } from './ids.ts';
import { checkTwinInvariants, ledgerBalances } from './invariants.ts';
import { serialsAt } from './serials.ts';
import type { SiteDefinition } from './site.ts';
import { dockLocationId } from './stock-status.ts';
import { LOC, SKU_D, T1, TEST_SITE, newTwin, type TestTwin } from './test-site.ts';
import { toSnapshotData } from './twin.ts';

const SITE: SiteDefinition = { ...TEST_SITE, skus: TEST_SITE.skus.map((s) => (s.id === SKU_D ? { ...s, serialTracked: true } : s)) };
const DOCK = dockLocationId(SITE.id);
const BINS: LocationId[] = LOC.slice(0, 3);
const PLACES = [DOCK, ...BINS];
const P1 = asOperativeId('op-1');

type Op =
  | { readonly k: 'receive'; readonly n: number }
  | { readonly k: 'move'; readonly from: number; readonly to: number; readonly units: number; readonly skip: number }
  | { readonly k: 'task'; readonly to: number; readonly units: number; readonly found: number }
  | { readonly k: 'count'; readonly bin: number; readonly drop: number; readonly add: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('receive' as const), n: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ k: fc.constant('move' as const), from: fc.nat(3), to: fc.nat(2), units: fc.integer({ min: 1, max: 4 }), skip: fc.nat(3) }),
  fc.record({ k: fc.constant('task' as const), to: fc.nat(2), units: fc.integer({ min: 1, max: 3 }), found: fc.nat(3) }),
  fc.record({ k: fc.constant('count' as const), bin: fc.nat(2), drop: fc.nat(2), add: fc.nat(2) }),
);

/** Runs a command; a refusal must leave the state and the log as they were. */
function attempt(t: TestTwin, c: Command): boolean {
  const before = JSON.stringify({ ...toSnapshotData(t.state), now: 0 });
  const logLength = t.log.length;
  const d = t.run(c);
  if (!d.ok) {
    expect(t.log.length).toBe(logLength);
    expect(JSON.stringify({ ...toSnapshotData(t.state), now: 0 })).toBe(before);
  }
  return d.ok;
}

function step(t: TestTwin, op: Op, n: { serial: number; id: number }): void {
  const here = (loc: LocationId): string[] => serialsAt(t.state, T1, SKU_D, '', loc);
  switch (op.k) {
    case 'receive': {
      const serials = Array.from({ length: op.n }, () => `P-${++n.serial}`);
      attempt(t, { type: 'receiveGoods', receiptId: `G-${++n.id}`, tenantId: T1, skuId: SKU_D, qty: op.n, serials });
      return;
    }
    case 'move': {
      const from = PLACES[op.from] as LocationId;
      const to = BINS[op.to] as LocationId;
      const pool = here(from);
      const serials = [...pool.slice(op.skip), ...pool.slice(0, op.skip)].slice(0, op.units);
      if (from === to || serials.length === 0) return;
      attempt(t, { type: 'moveStock', tenantId: T1, skuId: SKU_D, fromLocationId: from, toLocationId: to, qty: serials.length, serials });
      return;
    }
    case 'task': {
      const pool = here(DOCK);
      const qty = Math.min(op.units, pool.length);
      if (qty === 0) return;
      const taskId = `PA-${++n.id}`;
      if (!attempt(t, { type: 'createMoveTask', taskId, kind: 'putaway', tenantId: T1, skuId: SKU_D, fromLocationId: DOCK, toLocationId: BINS[op.to] as LocationId, qty })) return;
      if (t.state.operatives.get(P1) === undefined) t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
      t.ok({ type: 'assignMoveTask', taskId, operativeId: P1 });
      // Sometimes fewer found than the task's: a short move of the serials scanned.
      const serials = pool.slice(0, Math.min(qty, op.found === 0 ? qty : op.found));
      t.ok({ type: 'completeMoveTask', taskId, operativeId: P1, fromScan: DOCK, toScan: BINS[op.to] as LocationId, qty: serials.length, serials, scanId: `s-${taskId}` });
      return;
    }
    case 'count': {
      const bin = BINS[op.bin] as LocationId;
      if (t.state.openCountByLocation.has(bin)) return;
      const countId = asCountId(`C-${++n.id}`);
      t.ok({ type: 'createCounts', reason: 'manual', counts: [{ countId, locationId: bin }] });
      const found = [...here(bin).slice(op.drop), ...Array.from({ length: op.add }, () => `F-${++n.serial}`)];
      for (let attemptNo = 1; attemptNo <= 2; attemptNo++) {
        const counter = `k${attemptNo}`;
        t.ok({ type: 'startCount', countId, counterId: counter });
        t.ok({ type: 'submitCount', countId, counterId: counter, attempt: attemptNo, lines: found.length === 0 ? [] : [{ skuId: SKU_D, qty: found.length, serials: found }] });
        const status = t.state.counts.get(countId)?.status;
        if (status === 'pending-approval') t.ok({ type: 'approveCount', countId, approverId: 'boss' });
        if (status !== 'recount') return;
      }
      return;
    }
  }
}

describe('[R80] serials never drift from units (property)', () => {
  it('after every receipt, move, put-away and count by serial: serials in stock = units per place, no gap', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 25 }), (ops) => {
        const t = newTwin(SITE);
        const n = { serial: 0, id: 0 };
        for (const op of ops) {
          step(t, op, n);
          expect(checkTwinInvariants(t.state)).toEqual([]);
        }
        expect([...t.state.serialGaps]).toEqual([]);
        expect(ledgerBalances(t.log.map((s) => s.event)).problems).toEqual([]);
      }),
      { numRuns: 300, seed: 80 },
    );
  });
});
