/**
 * Transfer out (R71–R73, R78): choose or scan a transfer the desk created for another site, pick each line by scanning
 * its bin and — for a serial-tracked SKU — the serial of every unit, then despatch: the units leave their bins for
 * in-transit until the other site confirms the receipt. A wrong bin or serial is refused before anything is sent.
 * A despatched transfer the other site refused (R76a) is listed with the refusal's message; a supervisor returns it
 * into stock on this site's dock with a reason (route policy: a picker sees the refusal).
 */
import { useEffect, useState } from 'react';
import { ScanField } from '../picker/ScanField.tsx';
import { despatchTransfer, fetchTransfer, fetchTransfers, newRequestId, pickTransferLine, returnRefusedTransfer, type OutboundLineView, type OutboundTransferView } from './stock-api.ts';
import { SerialList } from '../views/SerialList.tsx';
import { serialRefusal } from '../views/serial-scan.ts';
import { awaitsReturn, nextLineToPick, outboundWork, pickRequestOf, readyToDespatch, removeSerial, returnReasonOf, scanLinePick, startLinePick, type LinePick } from './transfer-session.ts';
import { MessageLine, ReasonField, StateCard, useBusyRun, useNotice } from './ui.tsx';

const RETURN_REASONS = ['The other site does not stock it', 'Sent to the wrong site', 'The other site cannot take it now'] as const;

export function TransferOutMode({ siteId }: { siteId: string }) {
  const [open, setOpen] = useState<{ toPick: OutboundTransferView[]; refused: OutboundTransferView[] } | null>(null);
  const [transfer, setTransfer] = useState<OutboundTransferView | null>(null);
  const [pick, setPick] = useState<LinePick | null>(null);
  const { notice, say, clear } = useNotice();
  const { busy, run } = useBusyRun(say);

  const loadList = () =>
    run(async () => {
      const all = await fetchTransfers(siteId);
      setOpen(outboundWork(all.outbound));
    });
  // The list once, on entry.
  const [listed, setListed] = useState(false);
  useEffect(() => {
    if (listed) return;
    setListed(true);
    void loadList();
  }, [listed]); // loadList is new each render; `listed` keeps this to one load

  const line = transfer === null ? null : nextLineToPick(transfer);
  // The scans of the line in hand; a new line (or transfer: `pick` is cleared on choosing) starts at its bin.
  const linePick = line === null ? null : pick !== null && pick.lineNo === line.lineNo ? pick : startLinePick(line);

  const choose = (id: string) =>
    run(async () => {
      const found = await fetchTransfer(siteId, id.trim());
      if (found.direction !== 'out') return say('bad', `Transfer ${found.transferId} comes in from ${found.fromSiteId}: receive it under Transfer in.`, 'INVALID_STATE');
      clear();
      setPick(null);
      setTransfer(found);
      if (awaitsReturn(found)) say('bad', `${found.toSiteId} refused ${found.transferId}: ${found.refusal?.message ?? ''}. Return the units into stock here.`, found.refusal?.code ?? null);
      else if (found.status !== 'created') say('info', `Transfer ${found.transferId} is ${found.status}: nothing to pick.`);
      else {
        const first = nextLineToPick(found);
        if (first !== null) say('info', `Go to ${first.fromLocationId} and scan the bin.`);
      }
    });

  const send = (current: OutboundTransferView, l: OutboundLineView, state: LinePick) => {
    const request = pickRequestOf(state, l, newRequestId('TRP'));
    if (request === null) return;
    void run(async () => {
      const updated = await pickTransferLine(siteId, current.transferId, request);
      setPick(null);
      setTransfer(updated);
      const next = nextLineToPick(updated);
      say('good', `Picked ${l.qty} × ${l.skuName} from ${l.fromLocationId}.${next === null ? ' Every line is picked: despatch it.' : ` Next: ${next.fromLocationId}.`}`);
    });
  };

  const onScan = (code: string): void => {
    if (transfer === null || line === null || linePick === null) return;
    const step = scanLinePick(linePick, line, code);
    setPick(step.state);
    switch (step.outcome.kind) {
      case 'wrong-bin':
        return say('bad', `Wrong bin: scanned ${step.outcome.scanned}, line ${line.lineNo} is at ${step.outcome.expected}. Nothing recorded.`, 'WRONG_LOCATION_SCANNED');
      case 'bin-ok':
        return say('info', `Scan the serial of each of the ${line.qty} units.`);
      case 'serial': {
        const refused = serialRefusal(step.outcome.outcome);
        if (refused !== null) return say('bad', `${refused.text} Nothing recorded.`, refused.code);
        return say('info', `Serial ${step.state.serials.length} of ${line.qty} scanned.`);
      }
      case 'ready':
        return send(transfer, line, step.state);
    }
  };

  const despatch = (current: OutboundTransferView) =>
    run(async () => {
      const updated = await despatchTransfer(siteId, current.transferId);
      setTransfer(updated);
      const units = updated.lines.reduce((n, l) => n + l.qty, 0);
      say('good', `Despatched ${current.transferId} to ${updated.toSiteId}: ${units} unit${units === 1 ? '' : 's'} in transit.`);
    });

  const giveBack = (current: OutboundTransferView, raw: string) => {
    const checked = returnReasonOf(raw);
    if (!checked.ok) return say('bad', checked.problem, null);
    void run(async () => {
      const updated = await returnRefusedTransfer(siteId, current.transferId, checked.reason);
      setTransfer(updated);
      const units = updated.lines.reduce((n, l) => n + l.qty, 0);
      say('good', `Returned ${current.transferId}: ${units} unit${units === 1 ? '' : 's'} back in stock at ${updated.returnLocationId ?? 'the dock'}.`);
    });
  };

  if (transfer === null) {
    return (
      <>
        <MessageLine notice={notice} onDismiss={clear} />
        <ScanField label="Scan the transfer" hint="The transfer number on the pick list, or choose below." onScan={(code) => void choose(code)} active={!busy} testId="transfer-scan" />
        {open !== null && open.refused.length > 0 && (
          <section aria-labelledby="transfers-refused-title">
            <h2 className="stops__title" id="transfers-refused-title">Refused by the other site</h2>
            <ul className="chooser" data-testid="transfers-refused">
              {open.refused.map((t) => (
                <li key={t.transferId}>
                  <button type="button" className="chooser__item" data-testid={`transfer-${t.transferId}`} disabled={busy} onClick={() => void choose(t.transferId)}>
                    <span className="chooser__name">{t.transferId}</span>
                    <span className="chooser__meta" data-testid={`refusal-${t.transferId}`}>{t.toSiteId} refused: {t.refusal?.message}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
        {open !== null && open.toPick.length === 0 && <StateCard tone="muted" title="No transfers to pick" body="The desk has not created a transfer out of this site." testId="no-transfers" />}
        {open !== null && open.toPick.length > 0 && (
          <section aria-labelledby="transfers-out-title">
            <h2 className="stops__title" id="transfers-out-title">To pick and despatch</h2>
            <ul className="chooser" data-testid="transfers-out">
              {open.toPick.map((t) => (
                <li key={t.transferId}>
                  <button type="button" className="chooser__item" data-testid={`transfer-${t.transferId}`} disabled={busy} onClick={() => void choose(t.transferId)}>
                    <span className="chooser__name">{t.transferId}</span>
                    <span className="chooser__meta">to {t.toSiteId} · {t.lines.filter((l) => l.picked).length}/{t.lines.length} lines picked</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
      </>
    );
  }

  return (
    <>
      <MessageLine notice={notice} onDismiss={clear} />
      <TransferOutCard transfer={transfer} current={line} />
      {transfer.status === 'created' && line !== null && linePick !== null && (
        <LinePickSteps line={line} pick={linePick} busy={busy} onScan={onScan} onRemove={(s) => setPick({ ...linePick, serials: removeSerial(linePick.serials, s) })} />
      )}
      {awaitsReturn(transfer) && <ReturnForm busy={busy} onReturn={(reason) => giveBack(transfer, reason)} />}
      {readyToDespatch(transfer) && (
        <button type="button" className="big-button" data-testid="transfer-despatch" disabled={busy} onClick={() => void despatch(transfer)}>
          Despatch to {transfer.toSiteId}
        </button>
      )}
      <button type="button" className="action stock-back" onClick={() => { clear(); setTransfer(null); void loadList(); }}>Other transfer</button>
    </>
  );
}

function TransferOutCard({ transfer, current }: { transfer: OutboundTransferView; current: OutboundLineView | null }) {
  return (
    <section className="next stock-card" aria-label={`Transfer ${transfer.transferId}`} data-testid="transfer-card" data-status={transfer.status}>
      <div className="next__head">
        <span>{transfer.transferId}</span>
        <span data-testid="transfer-status">{awaitsReturn(transfer) ? 'refused' : transfer.status === 'despatched' ? 'in transit' : transfer.status}</span>
      </div>
      <p className="next__skuid">To {transfer.toSiteId}</p>
      {transfer.refusal !== null && transfer.status === 'despatched' && (
        <p className="next__skuid" role="status" data-testid="transfer-refusal">
          {transfer.toSiteId} refused it ({transfer.refusal.code}): {transfer.refusal.message}
        </p>
      )}
      {transfer.status === 'returned' && (
        <p className="next__skuid" data-testid="transfer-returned">
          Back in stock at {transfer.returnLocationId}: {transfer.returnReason}
        </p>
      )}
      <ul className="stock-lines">
        {transfer.lines.map((l) => (
          <li key={l.lineNo} className="stock-lines__item" aria-current={current?.lineNo === l.lineNo ? 'step' : undefined} data-testid={`transfer-line-${l.lineNo}`}>
            <span className="stock-lines__what">
              {l.skuName}
              <span className="next__skuid">{l.skuId}{l.lot === '' ? '' : ` · lot ${l.lot}`} · {l.fromLocationId}{l.serialTracked ? ' · serials' : ''}</span>
            </span>
            <span className="stock-lines__qty" aria-label={`${l.qty} units, ${l.picked ? 'picked' : 'to pick'}`}>{l.picked ? '✓ ' : ''}×{l.qty}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function LinePickSteps({ line, pick, busy, onScan, onRemove }: { line: OutboundLineView; pick: LinePick; busy: boolean; onScan: (code: string) => void; onRemove: (serial: string) => void }) {
  const atBin = pick.sourceScan === null;
  return (
    <div className="steps">
      <ol className="steps__track" aria-label="Scan steps">
        <li className={atBin ? 'step step--now' : 'step step--done'} aria-current={atBin ? 'step' : undefined}>1 · Bin{atBin ? '' : ' ✓'}</li>
        {line.serialTracked && <li className={atBin ? 'step' : 'step step--now'} aria-current={atBin ? undefined : 'step'}>2 · Serials {pick.serials.length}/{line.qty}</li>}
      </ol>
      <ScanField
        key={atBin ? 'bin' : 'serial'}
        label={atBin ? `Scan bin ${line.fromLocationId}` : `Scan serial ${pick.serials.length + 1} of ${line.qty}`}
        hint={atBin ? `Line ${line.lineNo}: ${line.qty} × ${line.skuName}` : 'The serial label on each unit.'}
        onScan={onScan}
        active={!busy}
        testId="transfer-pick-scan"
      />
      {pick.serials.length > 0 && <SerialList serials={pick.serials} onRemove={onRemove} />}
    </div>
  );
}

/** The supervisor's way out for a refused transfer (R76a): a reason, then the units come back onto this site's dock. */
function ReturnForm({ busy, onReturn }: { busy: boolean; onReturn: (reason: string) => void }) {
  const [reason, setReason] = useState('');
  const ready = returnReasonOf(reason).ok;
  return (
    <form
      className="signon stock-form"
      aria-label="Return into stock"
      data-testid="transfer-return-form"
      autoComplete="off"
      onSubmit={(e) => {
        e.preventDefault();
        onReturn(reason);
      }}
    >
      <ReasonField label="Reason to return" reasons={RETURN_REASONS} value={reason} onChange={setReason} testId="transfer-return-reason" />
      <button type="submit" className="big-button" data-testid="transfer-return" disabled={busy || !ready}>
        Return the units into stock here
      </button>
    </form>
  );
}
