/**
 * C8 at CI size: `C8_SEEDS` seeds (default 10) × `C8_OPS` ticks (default 1,000) of the fault simulation, 0 violations
 * (about 20 s on a loaded 2-core box); a seed replays identically. The full size (100 × 2,000 per PR target, 10,000
 * seeds weekly) runs in `npm run --silent cli -- faults-sim --seeds 100 --ops 2000`; `C8_SEED` moves the first seed.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FAULTS, runFaultSim } from './faults-sim.ts';

const SEEDS = Number(process.env['C8_SEEDS'] ?? 10);
const OPS = Number(process.env['C8_OPS'] ?? 1_000);
const FIRST_SEED = Number(process.env['C8_SEED'] ?? 1);

describe('C8 fault simulation (VOPR-lite)', () => {
  it('[F1-F6] duplicate and reordered deliveries, crashes between steps, lost acks and clock jumps: 0 violations', { timeout: 300_000 }, () => {
    const totals = { intents: 0, commits: 0, crashes: 0, duplicates: 0, reorders: 0, lostAcks: 0, idempotentReplays: 0, clockJumps: 0 };
    const violations: string[] = [];
    for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
      const r = runFaultSim({ seed, ops: OPS });
      violations.push(...r.violations);
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r.stats[k];
    }
    expect(violations).toEqual([]);
    // Every fault happened, and the workload did real work: a run without them would prove nothing.
    expect(totals.commits).toBeGreaterThan(SEEDS * OPS * 0.15);
    for (const k of ['crashes', 'duplicates', 'reorders', 'lostAcks', 'idempotentReplays', 'clockJumps'] as const) expect(totals[k], k).toBeGreaterThan(0);
  });

  it('[F7] a seed replays identically: same trace hash, different seeds differ', () => {
    const a = runFaultSim({ seed: 42, ops: 500 });
    const b = runFaultSim({ seed: 42, ops: 500 });
    const c = runFaultSim({ seed: 43, ops: 500 });
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.stats).toEqual(a.stats);
    expect(c.traceHash).not.toBe(a.traceHash);
  });

  it('[F8] the checker bites: a server that forgets its idempotency table applies resent commands twice', () => {
    // Heavy duplication and lost acks without the adapter's dedupe must show up as double effects.
    const r = runFaultSim({ seed: 5, ops: 600, faults: { ...DEFAULT_FAULTS, duplicate: 0.5, lostAck: 0.3 }, forgetIdempotency: true });
    expect(r.violations.some((v) => v.includes('[F3]'))).toBe(true);
  });
});
