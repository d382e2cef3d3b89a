/** One move task's two scans without React: wrong source, suggested target, another target with a reason. */
import { describe, expect, it } from 'vitest';
import type { MoveTaskView } from '../../../server/protocol/move-tasks.ts';
import { OVERRIDE_REASONS, chooseReason, completionOf, finishSerials, removeMoveSerial, rescanTarget, scanMove, startMove, unitsOf } from './move-session.ts';

const TASK: MoveTaskView = {
  id: 'PA-1', kind: 'putaway', tenantId: 'bloom', skuId: 'SKU-1', skuName: 'Power bank', lot: '', expiry: null, qty: 6,
  fromLocationId: 'DOCK:demo', fromLabel: 'DOCK:demo', suggestedToLocationId: 'A01-02-L-1', toLocationId: null, toLabel: 'A01-02-L-1',
  priority: 0, status: 'assigned', operativeId: 'OP-1', createdAt: '2026-11-27T10:00:00.000Z', doneAt: null, movedQty: null, overrideReason: null, reason: null, cancelReason: null,
};

describe('move scans', () => {
  it('[R59] a wrong source records nothing; the source (any case) then the suggested target is ready at once', () => {
    let scans = startMove(TASK);
    const wrong = scanMove(scans, TASK, 'A01-01-L-1');
    expect(wrong.outcome).toEqual({ kind: 'wrong-source', scanned: 'A01-01-L-1', expected: 'DOCK:demo' });
    expect(wrong.scans).toBe(scans);
    scans = scanMove(scans, TASK, ' dock:demo\n').scans;
    expect(scans.step).toBe('target');
    const target = scanMove(scans, TASK, 'a01-02-l-1');
    expect(target.outcome.kind).toBe('target-suggested');
    expect(completionOf(target.scans, 'OP-1', 'S-1')).toEqual({ operativeId: 'OP-1', fromScan: 'dock:demo', toScan: 'a01-02-l-1', scanId: 'S-1' });
  });

  it('[R59] another target asks for a reason before anything can be sent; the reason goes with the scans', () => {
    let scans = scanMove(startMove(TASK), TASK, 'DOCK:demo').scans;
    const other = scanMove(scans, TASK, 'B02-01-R-0');
    expect(other.outcome).toEqual({ kind: 'target-other', target: 'B02-01-R-0', needsReason: true });
    scans = other.scans;
    expect(scans.step).toBe('reason');
    expect(completionOf(scans, 'OP-1', 'S-1')).toBeNull();
    expect(chooseReason(scans, '  ')).toBe(scans);
    scans = chooseReason(scans, OVERRIDE_REASONS[0]);
    expect(completionOf(scans, 'OP-1', 'S-1', 4)).toEqual({ operativeId: 'OP-1', fromScan: 'DOCK:demo', toScan: 'B02-01-R-0', scanId: 'S-1', qty: 4, overrideReason: 'Suggested bin is full' });
    expect(rescanTarget(scans)).toMatchObject({ step: 'target', toScan: null, overrideReason: null });
  });

  it('refuses the source as the target, and takes any bin without a reason when nothing was suggested', () => {
    const scans = scanMove(startMove(TASK), TASK, 'DOCK:demo').scans;
    expect(scanMove(scans, TASK, 'DOCK:demo').outcome.kind).toBe('same-as-source');
    const open = { ...TASK, suggestedToLocationId: null, toLabel: null };
    const any = scanMove(scans, open, 'C03-01-L-0');
    expect(any.outcome).toEqual({ kind: 'target-other', target: 'C03-01-L-0', needsReason: false });
    expect(any.scans.step).toBe('ready');
  });

  it('[R80] a serial-tracked SKU scans one distinct serial per unit after the source; the full list leads on to the target', () => {
    const task: MoveTaskView = { ...TASK, qty: 2, serialTracked: true };
    let scans = scanMove(startMove(task), task, 'DOCK:demo').scans;
    expect(scans.step).toBe('serials');
    const first = scanMove(scans, task, ' SN-1 ');
    expect(first.outcome).toEqual({ kind: 'serial-added', serial: 'SN-1', left: 1 });
    scans = first.scans;
    expect(scanMove(scans, task, 'SN-1').outcome).toEqual({ kind: 'serial-refused', text: 'Serial SN-1 is scanned already.', code: 'DUPLICATE_SERIAL' });
    expect(scanMove(scans, task, 'SN 2').outcome).toMatchObject({ kind: 'serial-refused', code: 'INVALID_SCAN' });
    scans = scanMove(scans, task, 'SN-2').scans;
    expect(scans).toMatchObject({ step: 'target', serials: ['SN-1', 'SN-2'] });
    // One scanned by mistake: removed, back to scanning serials.
    expect(removeMoveSerial(scans, 'SN-1')).toMatchObject({ step: 'serials', serials: ['SN-2'] });
    const done = scanMove(scans, task, 'A01-02-L-1');
    expect(done.outcome.kind).toBe('target-suggested');
    expect(unitsOf(done.scans, task, '7')).toBe(2);
    expect(completionOf(done.scans, 'OP-1', 'S-1')).toEqual({ operativeId: 'OP-1', fromScan: 'DOCK:demo', toScan: 'A01-02-L-1', scanId: 'S-1', serials: ['SN-1', 'SN-2'] });
  });

  it('[R80] fewer serials than units found is a short move of the units scanned', () => {
    const task: MoveTaskView = { ...TASK, qty: 3, serialTracked: true };
    let scans = scanMove(scanMove(startMove(task), task, 'DOCK:demo').scans, task, 'SN-1').scans;
    expect(scans.step).toBe('serials');
    scans = finishSerials(scans);
    expect(scans.step).toBe('target');
    scans = scanMove(scans, task, 'A01-02-L-1').scans;
    expect(unitsOf(scans, task, '')).toBe(1);
    expect(completionOf(scans, 'OP-1', 'S-1', 1)).toMatchObject({ qty: 1, serials: ['SN-1'] });
    // Not serial-tracked: the units are what the operative typed (the task's when left empty), and no serials step.
    expect(scanMove(startMove(TASK), TASK, 'DOCK:demo').scans.step).toBe('target');
    expect(unitsOf(startMove(TASK), TASK, '')).toBe(6);
    expect(unitsOf(startMove(TASK), TASK, '4')).toBe(4);
  });
});
