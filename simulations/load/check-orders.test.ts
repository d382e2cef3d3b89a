import { describe, expect, it } from 'vitest';
import { reconcileOrders } from './check-orders.ts';
import { History, errorsByKind } from './history.ts';

/** A history of order ops: [externalRef, outcome, acknowledged id]. */
function historyOf(ops: readonly (readonly [string, 'ok' | 'fail' | 'info', string?])[]) {
  const history = new History();
  ops.forEach(([externalRef, outcome, orderId], i) => {
    const op = history.invoke('order', i, { externalRef, key: externalRef, ...(orderId ? { orderId } : {}) });
    op.tries = 1;
    history.complete(op, i + 1, outcome, outcome === 'ok' ? { status: 201 } : outcome === 'fail' ? { status: 422, code: 'IDEMPOTENCY_KEY_REUSED' } : { code: 'TIMEOUT' });
  });
  return history;
}

describe('reconcileOrders', () => {
  it('is clean when every acknowledged order is on the server once under its id', () => {
    const history = historyOf([['R-0', 'ok', 'O0'], ['R-1', 'ok', 'O1'], ['R-2', 'fail']]);
    const check = reconcileOrders(history.all, [{ id: 'O1', externalRef: 'R-1' }, { id: 'O0', externalRef: 'R-0' }, { id: 'X', externalRef: 'other-run' }], 'R-');
    expect(check).toEqual({ acknowledged: 2, lost: [], duplicates: [], unexpected: [], indeterminate: 0, indeterminateApplied: 0, mismatched: [] });
  });

  it('[LM5] reports an acknowledged order missing from the server as lost', () => {
    const history = historyOf([['R-0', 'ok', 'O0'], ['R-1', 'ok', 'O1']]);
    const check = reconcileOrders(history.all, [{ id: 'O0', externalRef: 'R-0' }], 'R-');
    expect(check.lost).toEqual([{ externalRef: 'R-1', orderIds: ['O1'] }]);
  });

  it('[LM5] reports duplicates, effects of refused requests, orders never sent and ids that differ', () => {
    const history = historyOf([['R-0', 'ok', 'O0'], ['R-1', 'fail'], ['R-2', 'ok', 'O2']]);
    const check = reconcileOrders(
      history.all,
      [
        { id: 'O0', externalRef: 'R-0' },
        { id: 'O0b', externalRef: 'R-0' },
        { id: 'O1', externalRef: 'R-1' },
        { id: 'O9', externalRef: 'R-9' },
        { id: 'Z2', externalRef: 'R-2' },
      ],
      'R-',
    );
    expect(check.duplicates).toEqual([{ externalRef: 'R-0', orderIds: ['O0', 'O0b'] }]);
    expect(check.unexpected).toEqual([{ externalRef: 'R-1', orderIds: ['O1'] }, { externalRef: 'R-9', orderIds: ['O9'] }]);
    expect(check.mismatched).toEqual([{ externalRef: 'R-2', orderIds: ['O2', 'Z2'] }]);
    expect(check.lost).toEqual([]);
  });

  it('[LM5] lets an indeterminate request end with at most one effect', () => {
    const history = historyOf([['R-0', 'info'], ['R-1', 'info']]);
    const check = reconcileOrders(history.all, [{ id: 'O0', externalRef: 'R-0' }], 'R-');
    expect(check).toMatchObject({ indeterminate: 2, indeterminateApplied: 1, lost: [], unexpected: [], duplicates: [] });
  });
});

describe('errorsByKind', () => {
  it('counts failed and indeterminate operations by kind, outcome and code', () => {
    const history = historyOf([['R-0', 'ok', 'O0'], ['R-1', 'fail'], ['R-2', 'fail'], ['R-3', 'info']]);
    history.invoke('scan', 5);
    expect(errorsByKind(history.all)).toEqual({ 'order fail IDEMPOTENCY_KEY_REUSED': 2, 'order info TIMEOUT': 1, 'scan unfinished': 1 });
  });
});
