import { describe, expect, it } from 'vitest';
import type { BlockSegment } from './commands.ts';
import { checkTwinInvariants } from './invariants.ts';
import type { TestTwin } from './test-site.ts';
import { newTwin, TEST_SITE } from './test-site.ts';
import { applySequenced, createTwinState, effectiveLayout, fromSnapshotData, toSnapshotData } from './twin.ts';

const block = (a: number, b: number, reason = 'spill'): BlockSegment => ({ type: 'blockSegment', a, b, reason });
const codeOf = (t: TestTwin, command: Parameters<TestTwin['run']>[0]): string => {
  const d = t.run(command);
  return d.ok ? 'ok' : d.error.code;
};

describe('blocked segments', () => {
  it('[R28] blocks an edge named in either order, stored min-max with reason and time', () => {
    const t = newTwin();
    const d = t.ok(block(1, 0, 'broken glass'));
    expect(d.events).toEqual([{ type: 'SegmentBlocked', at: expect.any(Number) as unknown, a: 0, b: 1, reason: 'broken glass' }]);
    expect([...t.state.blockedEdges.entries()]).toEqual([['0-1', { a: 0, b: 1, reason: 'broken glass', at: d.events[0]?.at }]]);
    expect(t.state.seq).toBe(t.log.at(-1)?.seq);
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });

  it('[R28] refuses an unknown edge with UNKNOWN_SEGMENT, a blank reason and a double block with INVALID_STATE', () => {
    const t = newTwin();
    expect(codeOf(t, block(0, 3))).toBe('UNKNOWN_SEGMENT'); // both nodes exist, no edge between them
    expect(codeOf(t, block(0, 99))).toBe('UNKNOWN_SEGMENT');
    expect(codeOf(t, block(1, 1))).toBe('UNKNOWN_SEGMENT');
    expect(codeOf(t, block(0.5, 1))).toBe('UNKNOWN_SEGMENT');
    expect(codeOf(t, block(0, 1, '  '))).toBe('INVALID_STATE');
    expect(codeOf(t, block(0, 1, 'x'.repeat(201)))).toBe('INVALID_STATE');
    t.ok(block(0, 1));
    expect(codeOf(t, block(1, 0))).toBe('INVALID_STATE');
    expect(codeOf(t, { type: 'unblockSegment', a: 0, b: 2 })).toBe('INVALID_STATE');
    expect(codeOf(t, { type: 'unblockSegment', a: 5, b: 6 })).toBe('UNKNOWN_SEGMENT');
    expect(checkTwinInvariants(t.state)).toEqual([]);
    t.state.blockedEdges.set('0-3', { a: 0, b: 3, reason: 'x', at: t.now });
    expect(checkTwinInvariants(t.state)).toEqual(['blocked segment 0-3: no such walk-graph edge']);
  });

  it('[R28] unblocking reopens the edge', () => {
    const t = newTwin();
    t.ok(block(0, 2));
    const d = t.ok({ type: 'unblockSegment', a: 2, b: 0 });
    expect(d.events).toEqual([{ type: 'SegmentUnblocked', at: expect.any(Number) as unknown, a: 0, b: 2 }]);
    expect(t.state.blockedEdges.size).toBe(0);
    expect(codeOf(t, { type: 'unblockSegment', a: 0, b: 2 })).toBe('INVALID_STATE');
  });

  it('[R28] effectiveLayout flags the blocked edges and is the same object until the blocked set changes', () => {
    const t = newTwin();
    expect(effectiveLayout(t.state)).toBe(TEST_SITE.layout);
    t.ok(block(0, 1));
    const first = effectiveLayout(t.state);
    expect(first).not.toBe(TEST_SITE.layout);
    expect(effectiveLayout(t.state)).toBe(first);
    const flagged = first.graph.edges.filter((e) => e.blocked === true).map((e) => `${e.a}-${e.b}`);
    // 2-3 is blocked in the site itself and stays so.
    expect(flagged.sort()).toEqual(['0-1', '2-3']);
    expect(first.locations).toBe(TEST_SITE.layout.locations);
    t.ok(block(1, 3));
    const second = effectiveLayout(t.state);
    expect(second).not.toBe(first);
    expect(second.graph.edges.filter((e) => e.blocked === true)).toHaveLength(3);
    t.ok({ type: 'unblockSegment', a: 0, b: 1 });
    t.ok({ type: 'unblockSegment', a: 1, b: 3 });
    expect(effectiveLayout(t.state)).toBe(TEST_SITE.layout);
    expect(TEST_SITE.layout.graph.edges.filter((e) => e.blocked === true)).toHaveLength(1);
  });

  it('[R24][R28] blocked segments survive a snapshot round trip; replay equals the live state; old snapshots restore none', () => {
    const t = newTwin();
    t.ok(block(0, 1));
    t.ok(block(2, 0, 'forklift'));
    t.ok({ type: 'unblockSegment', a: 0, b: 1 });
    const data = JSON.parse(JSON.stringify(toSnapshotData(t.state))) as ReturnType<typeof toSnapshotData>;
    const restored = fromSnapshotData(TEST_SITE, data);
    expect(toSnapshotData(restored)).toEqual(toSnapshotData(t.state));
    expect([...restored.blockedEdges.keys()]).toEqual(['0-2']);
    const replayed = createTwinState(TEST_SITE, t.state.now);
    for (const entry of t.log) applySequenced(replayed, entry);
    expect(toSnapshotData(replayed)).toEqual(toSnapshotData(t.state));
    const { blockedEdges: _dropped, ...old } = data;
    expect(fromSnapshotData(TEST_SITE, old).blockedEdges.size).toBe(0);
  });
});
