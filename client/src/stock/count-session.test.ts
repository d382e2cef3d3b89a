/** A blind count without React: the next count, lines from scans, the submission and what to say after it. */
import { describe, expect, it } from 'vitest';
import { addFound, addFoundSerial, countLines, describeSubmitted, nextCount, removeFoundSerial, removeLine, setFound, startDraft, unitsFound } from './count-session.ts';
import type { BlindCountView } from './stock-api.ts';

const count = (id: string, status: BlindCountView['status'], counterId: string | null = null): BlindCountView => ({ id, locationId: `LOC-${id}`, reason: 'scheduled', status, attempt: 1, counterId });
const A = { skuId: 'A', description: 'Item A' };
const B = { skuId: 'B', description: 'Item B' };

describe('nextCount', () => {
  it('[R34] resumes my own count first, then a recount, then an open one; another counter\'s count is not mine', () => {
    expect(nextCount([count('1', 'open'), count('2', 'counting', 'bob'), count('3', 'recount'), count('4', 'counting', 'ann')], 'ann')?.id).toBe('4');
    expect(nextCount([count('1', 'open'), count('2', 'counting', 'bob'), count('3', 'recount')], 'ann')?.id).toBe('3');
    expect(nextCount([count('2', 'counting', 'bob'), count('1', 'open')], 'ann')?.id).toBe('1');
    expect(nextCount([count('2', 'counting', 'bob')], 'ann')).toBeNull();
  });
});

describe('count draft', () => {
  it('[R35] adds one unit per scan to its (SKU, lot) line, or the GS1 count; the counter may set or remove a line', () => {
    let draft = startDraft(count('1', 'counting', 'ann'));
    draft = addFound(draft, A, '', null).draft;
    draft = addFound(draft, A, '', null).draft;
    draft = addFound(draft, B, 'L1', '2027-01-31', 12).draft;
    draft = addFound(draft, B, 'L2', '2027-03-31').draft;
    expect(draft.lines.map((l) => [l.skuId, l.lot, l.qty])).toEqual([['A', '', 2], ['B', 'L1', 12], ['B', 'L2', 1]]);
    expect(unitsFound(draft)).toBe(15);
    const key = draft.lines[2]?.key ?? '';
    draft = setFound(draft, key, 0);
    expect(setFound(draft, key, -1)).toBe(draft);
    expect(countLines(draft)).toEqual([{ skuId: 'A', qty: 2 }, { skuId: 'B', lot: 'L1', expiry: '2027-01-31', qty: 12 }, { skuId: 'B', lot: 'L2', expiry: '2027-03-31', qty: 0 }]);
    expect(countLines(removeLine(draft, key))).toHaveLength(2);
  });

  it('[R80] a serial-tracked item is counted by serial: distinct across the count, the figure is the serials', () => {
    const S = { skuId: 'S', description: 'Scanner' };
    let draft = startDraft(count('1', 'counting', 'ann'));
    draft = addFoundSerial(draft, S, '', null, ' SN-1 ').draft;
    draft = addFoundSerial(draft, S, '', null, 'SN-2').draft;
    const again = addFoundSerial(draft, S, 'L9', null, 'SN-1');
    expect(again.outcome).toEqual({ kind: 'duplicate', serial: 'SN-1' });
    expect(again.draft).toBe(draft);
    expect(addFoundSerial(draft, S, '', null, 'SN 3').outcome.kind).toBe('invalid');
    draft = addFound(draft, A, '', null).draft;
    const key = draft.lines[0]?.key ?? '';
    expect(setFound(draft, key, 7)).toBe(draft);
    expect(countLines(draft)).toEqual([{ skuId: 'S', qty: 2, serials: ['SN-1', 'SN-2'] }, { skuId: 'A', qty: 1 }]);
    draft = removeFoundSerial(draft, key, 'SN-1');
    expect(countLines(draft)[0]).toEqual({ skuId: 'S', qty: 1, serials: ['SN-2'] });
    // All removed: a line of none found, sent without serials.
    expect(countLines(removeFoundSerial(draft, key, 'SN-2'))[0]).toEqual({ skuId: 'S', qty: 0 });
  });

  it('[R34] is blind: nothing in a draft or a line is an expected quantity', () => {
    const { draft } = addFound(startDraft(count('1', 'counting', 'ann')), A, '', null);
    expect(Object.keys(draft).sort()).toEqual(['attempt', 'countId', 'lines', 'locationId']);
    expect(Object.keys(draft.lines[0] ?? {}).sort()).toEqual(['description', 'expiry', 'key', 'lot', 'qty', 'skuId']);
  });
});

describe('describeSubmitted', () => {
  it('[R36] says what follows — accepted, recount, approval — without a figure', () => {
    expect(describeSubmitted(count('1', 'adjusted'))).toEqual({ tone: 'good', text: 'Count of LOC-1 accepted.', recount: false });
    expect(describeSubmitted(count('1', 'recount'))).toMatchObject({ recount: true, text: expect.stringContaining('again') as string });
    expect(describeSubmitted(count('1', 'pending-approval')).text).toContain('supervisor');
  });
});
