/**
 * Put away and replenish: the next move task of the kind, then two scans — the source, then the target. A target
 * other than the suggestion asks for a reason from a list (recorded with the move). Move tasks go to signed-on
 * operatives only, so the handheld signs the operative on over the picking socket (as the picker's handheld does)
 * before asking for work. Put-away offers to create the dock's tasks when none is open; replenishment to plan them.
 * A serial-tracked SKU scans one serial per unit between the two (twin R80): the serials moved are the units moved.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { MoveTaskKindWire, MoveTaskView } from '../../../server/protocol/move-tasks.ts';
import { PickingClient, openPickerSocket } from '../picker/picking-socket.ts';
import { ScanField } from '../picker/ScanField.tsx';
import { SerialList } from '../views/SerialList.tsx';
import { OVERRIDE_REASONS, chooseReason, completionOf, finishSerials, removeMoveSerial, rescanTarget, scanMove, startMove, unitsOf, type MoveScans } from './move-session.ts';
import { StockApiError, completeMoveTask, newRequestId, nextMoveTask, planPutaway, planReplenishment } from './stock-api.ts';
import { Field, MessageLine, StateCard, useBusyRun, useNotice } from './ui.tsx';

const WORDS: Readonly<Record<'putaway' | 'replenish', { task: string; done: string; plan: string }>> = {
  putaway: { task: 'put-away', done: 'Put away', plan: 'Create put-away tasks for the dock' },
  replenish: { task: 'replenishment', done: 'Replenished', plan: 'Plan replenishment now' },
};

/** Signs the operative on over one picking socket, once per page (the server resumes a sign-on). */
function useFloorSignOn(siteId: string, operativeId: string, deviceId: string): () => Promise<void> {
  const client = useRef<PickingClient | null>(null);
  useEffect(() => {
    const socket = openPickerSocket();
    client.current = new PickingClient(socket);
    return () => {
      socket.close();
      client.current = null;
    };
  }, []);
  return useMemo(
    () => async () => {
      const c = client.current;
      if (c === null) throw new StockApiError(0, 'OFFLINE', 'Not connected to the floor yet. Try again.');
      if (!c.connected) await new Promise<void>((resolve) => c.socket.once('connect', () => resolve()));
      const result = await c.signOn({ siteId, operativeId, deviceId });
      if (!result.ok) throw new StockApiError(0, result.error.code, result.error.message);
    },
    [siteId, operativeId, deviceId],
  );
}

export function MoveMode({ siteId, operativeId, deviceId, kind }: { siteId: string; operativeId: string; deviceId: string; kind: 'putaway' | 'replenish' }) {
  const words = WORDS[kind];
  const [task, setTask] = useState<MoveTaskView | null>(null);
  const [scans, setScans] = useState<MoveScans | null>(null);
  const [qty, setQty] = useState('');
  const [none, setNone] = useState(false);
  const [unavailable, setUnavailable] = useState(false);
  const { notice, say, clear } = useNotice();
  const { busy, run } = useBusyRun(say, (error) => {
    if (error instanceof StockApiError && error.status === 404 && error.code === 'NOT_FOUND') setUnavailable(true);
  });
  const signOn = useFloorSignOn(siteId, operativeId, deviceId);
  // Put away also takes restocks from the returns desk and re-slot moves of a slotting plan: all are bin-to-bin moves.
  const kinds: readonly MoveTaskKindWire[] = kind === 'putaway' ? ['putaway', 'restock', 'reslot'] : ['replenish'];


  const askNext = async (): Promise<MoveTaskView | null> => {
    try {
      return await nextMoveTask(siteId, operativeId, kinds);
    } catch (error) {
      if (!(error instanceof StockApiError) || error.code !== 'OPERATIVE_NOT_SIGNED_ON') throw error;
      await signOn();
      return nextMoveTask(siteId, operativeId, kinds);
    }
  };

  const takeNext = () =>
    run(async () => {
      const next = await askNext();
      setNone(next === null);
      setTask(next);
      setScans(next === null ? null : startMove(next));
      setQty(next === null ? '' : String(next.qty));
      if (next !== null) say('info', `Go to ${next.fromLabel} and scan it.`);
    });

  const plan = () =>
    run(async () => {
      if (kind === 'putaway') {
        const created = await planPutaway(siteId);
        say('info', created.length === 0 ? 'Nothing on the dock to put away.' : `${created.length} put-away task${created.length === 1 ? '' : 's'} created.`);
      } else {
        await planReplenishment(siteId);
        say('info', 'Replenishment planned.');
      }
      const next = await askNext();
      setNone(next === null);
      setTask(next);
      setScans(next === null ? null : startMove(next));
      setQty(next === null ? '' : String(next.qty));
    });

  const send = (current: MoveTaskView, ready: MoveScans) => {
    const units = unitsOf(ready, current, qty);
    if (!Number.isSafeInteger(units) || units < 0 || units > current.qty) return say('bad', `Units moved must be a whole number from 0 to ${current.qty}.`, 'INVALID_QUANTITY');
    const body = completionOf(ready, operativeId, newRequestId('MV'), units === current.qty ? undefined : units);
    if (body === null) return;
    void run(async () => {
      await completeMoveTask(siteId, current.id, body);
      say('good', `${words.done} ${units} × ${current.skuName} into ${body.toScan}${ready.overrideReason === null ? '' : ` (${ready.overrideReason})`}.`);
      setTask(null);
      setScans(null);
      setNone(false);
    });
  };

  const onScan = (code: string): void => {
    if (task === null || scans === null) return;
    const step = scanMove(scans, task, code);
    setScans(step.scans);
    switch (step.outcome.kind) {
      case 'source-ok':
        if (step.scans.step === 'serials') return say('info', `Scan the serial of each unit (${task.qty}).`);
        return say('info', task.toLabel === null ? 'Scan the bin you put it in.' : `Take it to ${task.toLabel} and scan the bin.`);
      case 'serial-added':
        if (step.outcome.left > 0) return say('info', `Serial ${step.outcome.serial} scanned: ${step.outcome.left} to go.`);
        return say('info', task.toLabel === null ? 'All serials scanned. Scan the bin you put it in.' : `All serials scanned. Take them to ${task.toLabel} and scan the bin.`);
      case 'serial-refused':
        return say('bad', step.outcome.text, step.outcome.code);
      case 'wrong-source':
        return say('bad', `Wrong location: scanned ${step.outcome.scanned}, the stock is at ${step.outcome.expected}. Nothing recorded.`, 'WRONG_LOCATION_SCANNED');
      case 'same-as-source':
        return say('bad', `That is where the stock is now (${step.outcome.scanned}): scan the target bin.`, 'INVALID_STATE');
      case 'target-suggested':
        return send(task, step.scans);
      case 'target-other':
        if (!step.outcome.needsReason) return send(task, step.scans);
        return say('info', `${step.outcome.target} is not the suggested bin (${task.toLabel ?? '—'}): choose why.`);
      case 'ignored':
        return undefined;
    }
  };

  if (unavailable) {
    return <StateCard tone="warn" title="Move tasks are not available" body="This server has no move-task API yet." testId="moves-unavailable" />;
  }

  return (
    <>
      <MessageLine notice={notice} onDismiss={clear} />
      {task === null || scans === null ? (
        none ? (
          <StateCard tone="muted" title={`No ${words.task} tasks for you`} testId="no-move-task">
            <button type="button" className="big-button" data-testid="plan-moves" disabled={busy} onClick={() => void plan()}>{words.plan}</button>
            <button type="button" className="action stock-back" disabled={busy} onClick={() => void takeNext()}>Check again</button>
          </StateCard>
        ) : (
          <StateCard tone="muted" title={kind === 'putaway' ? 'Put away' : 'Replenish'} body="Scan the source, then the target bin.">
            <button type="button" className="big-button" data-testid="next-move" disabled={busy} onClick={() => void takeNext()}>Next {words.task}</button>
          </StateCard>
        )
      ) : (
        <section className="next stock-card" aria-label={`Next ${words.task}`} data-testid="move-task" data-task-id={task.id}>
          <div className="next__head">
            <span>{kind === 'putaway' ? 'Put away' : 'Replenish'}</span>
            <span>×{task.qty}</span>
          </div>
          <dl className="stock-route">
            <div><dt>From</dt><dd data-testid="move-from">{task.fromLabel}</dd></div>
            <div><dt>To</dt><dd data-testid="move-to">{task.toLabel ?? 'any bin'}</dd></div>
          </dl>
          <div className="next__what">
            <span className="next__sku">
              <span className="next__desc">{task.skuName}</span>
              <span className="next__skuid">{task.skuId}{task.lot === '' ? '' : ` · lot ${task.lot}`}{task.reason === null ? '' : ` · ${task.reason}`}</span>
            </span>
          </div>
          <div className="steps">
            <ol className="steps__track" aria-label="Scan steps">
              <li className={scans.step === 'source' ? 'step step--now' : 'step step--done'} aria-current={scans.step === 'source' ? 'step' : undefined}>1 · Source{scans.step === 'source' ? '' : ' ✓'}</li>
              {task.serialTracked === true && (
                <li className={scans.step === 'serials' ? 'step step--now' : scans.step === 'source' ? 'step' : 'step step--done'} aria-current={scans.step === 'serials' ? 'step' : undefined}>
                  2 · Serials {scans.serials.length}/{task.qty}
                </li>
              )}
              <li className={scans.step === 'source' || scans.step === 'serials' ? 'step' : 'step step--now'} aria-current={scans.step === 'source' || scans.step === 'serials' ? undefined : 'step'}>
                {task.serialTracked === true ? 3 : 2} · Target
              </li>
            </ol>
            {task.serialTracked === true && scans.serials.length > 0 && <SerialList serials={scans.serials} onRemove={(s) => setScans(removeMoveSerial(scans, s))} />}
            {scans.step === 'reason' ? (
              <section aria-labelledby="reason-title" data-testid="override-reasons">
                <h3 className="field__label" id="reason-title">Why {scans.toScan} instead of {task.toLabel}?</h3>
                <ul className="chooser">
                  {OVERRIDE_REASONS.map((r) => (
                    <li key={r}>
                      <button type="button" className="chooser__item" disabled={busy} onClick={() => send(task, chooseReason(scans, r))}>
                        <span className="chooser__name">{r}</span>
                      </button>
                    </li>
                  ))}
                </ul>
                <button type="button" className="action stock-back" onClick={() => setScans(rescanTarget(scans))}>Scan another bin</button>
              </section>
            ) : (
              <>
                <ScanField
                  key={scans.step}
                  label={scans.step === 'source' ? 'Scan the source' : scans.step === 'serials' ? `Scan serial ${scans.serials.length + 1} of ${task.qty}` : 'Scan the target bin'}
                  hint={scans.step === 'source' ? `Label ${task.fromLabel}` : scans.step === 'serials' ? 'One serial per unit' : task.toLabel === null ? 'Any bin that takes it' : `Suggested ${task.toLabel}`}
                  onScan={onScan}
                  active={!busy}
                  testId="move-scan"
                />
                {scans.step === 'serials' && (
                  <button type="button" className="action stock-back" data-testid="move-serials-done" disabled={busy} onClick={() => setScans(finishSerials(scans))}>
                    Found only {scans.serials.length}: scan the target
                  </button>
                )}
                {scans.step === 'target' && task.serialTracked !== true && <Field label={`Units moved (0–${task.qty})`} type="number" value={qty} onChange={setQty} testId="move-qty" />}
              </>
            )}
          </div>
        </section>
      )}
    </>
  );
}
