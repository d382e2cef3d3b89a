/**
 * Transfer in (R74, R75, R77): choose or scan a transfer another site despatched here, scan each item (it names its
 * line through the catalogue), then the units — for a serial-tracked SKU the serial of every unit — with damaged units
 * and a reason as at goods-in; the units land on the dock for put-away. Close it when all is in: a short transfer
 * needs a reason, which goes into the report the sending site confirms (R76). Closing is a supervisor's step (route
 * policy): a picker's handheld shows the refusal.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ScanField } from '../picker/ScanField.tsx';
import { DAMAGE_REASONS, OVER_REASONS } from './receive-session.ts';
import { closeTransfer, fetchTransfer, fetchTransfers, lookupCode, newRequestId, receiveTransfer, type InboundLineView, type InboundTransferView } from './stock-api.ts';
import { addSerial, lineForItem, planTransferReceipt, removeSerial, shortLines, stillToCome, type TransferReceiptPlan } from './transfer-session.ts';
import { SerialList } from '../views/SerialList.tsx';
import { serialRefusal } from '../views/serial-scan.ts';
import { Field, MessageLine, ReasonField, StateCard, useBusyRun, useNotice } from './ui.tsx';

const SHORT_REASONS = ['Units missing from the delivery', 'Sending site sent fewer', 'Damaged beyond receipt'] as const;

export function TransferInMode({ siteId }: { siteId: string }) {
  const [expected, setExpected] = useState<InboundTransferView[] | null>(null);
  const [transfer, setTransfer] = useState<InboundTransferView | null>(null);
  const [line, setLine] = useState<{ line: InboundLineView; labelQty: number | null } | null>(null);
  const [closing, setClosing] = useState(false);
  const { notice, say, clear } = useNotice();
  const { busy, run } = useBusyRun(say);

  const [listed, setListed] = useState(false);
  useEffect(() => {
    if (listed) return;
    setListed(true);
    void run(async () => {
      const all = await fetchTransfers(siteId);
      setExpected(all.inbound.filter((t) => t.status === 'expected'));
    });
  }, [listed, run, siteId]);

  const choose = (id: string) =>
    run(async () => {
      const found = await fetchTransfer(siteId, id.trim());
      if (found.direction !== 'in') return say('bad', `Transfer ${found.transferId} goes out to ${found.toSiteId}: pick it under Transfer out.`, 'INVALID_STATE');
      clear();
      setLine(null);
      setClosing(false);
      setTransfer(found);
      if (found.status === 'closed') say('info', `Transfer ${found.transferId} is closed: nothing more can be received.`);
    });

  const scanItem = (current: InboundTransferView, code: string) =>
    run(async () => {
      const lookup = await lookupCode(siteId, code.trim());
      const found = lineForItem(current, lookup.matches.map((m) => m.skuId), lookup.lot);
      if (found === null) return say('bad', `${code.trim()} is not on transfer ${current.transferId}. Nothing recorded.`, 'UNKNOWN_SKU');
      clear();
      setLine({ line: found, labelQty: lookup.qty });
      say('info', found.serialTracked ? `Line ${found.lineNo}: scan the serial of each unit.` : `Line ${found.lineNo}: confirm the units.`);
    });

  if (transfer === null) {
    return (
      <>
        <MessageLine notice={notice} onDismiss={clear} />
        <ScanField label="Scan the transfer" hint="The transfer number on the delivery note, or choose below." onScan={(code) => void choose(code)} active={!busy} testId="transfer-in-scan" />
        {expected !== null && expected.length === 0 && <StateCard tone="muted" title="No transfers expected" body="No other site has despatched a transfer here." testId="no-inbound" />}
        {expected !== null && expected.length > 0 && (
          <section aria-labelledby="transfers-in-title">
            <h2 className="stops__title" id="transfers-in-title">Expected here</h2>
            <ul className="chooser" data-testid="transfers-in">
              {expected.map((t) => (
                <li key={t.transferId}>
                  <button type="button" className="chooser__item" data-testid={`inbound-${t.transferId}`} disabled={busy} onClick={() => void choose(t.transferId)}>
                    <span className="chooser__name">{t.transferId}</span>
                    <span className="chooser__meta">from {t.fromSiteId} · {t.lines.reduce((n, l) => n + l.expectedQty, 0)} units</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
      </>
    );
  }

  const short = shortLines(transfer);
  return (
    <>
      <MessageLine notice={notice} onDismiss={clear} />
      <section className="next stock-card" aria-label={`Transfer ${transfer.transferId}`} data-testid="inbound-card" data-status={transfer.status}>
        <div className="next__head">
          <span>{transfer.transferId}</span>
          <span data-testid="inbound-status">{transfer.status}</span>
        </div>
        <p className="next__skuid">From {transfer.fromSiteId}</p>
        <ul className="stock-lines">
          {transfer.lines.map((l) => (
            <li key={l.lineNo} className="stock-lines__item" data-testid={`inbound-line-${l.lineNo}`} aria-current={line?.line.lineNo === l.lineNo ? 'step' : undefined}>
              <span className="stock-lines__what">
                {l.skuName}
                <span className="next__skuid">{l.skuId}{l.lot === '' ? '' : ` · lot ${l.lot}`}{l.serialTracked ? ' · serials' : ''}{l.damagedQty > 0 ? ` · ${l.damagedQty} damaged` : ''}</span>
              </span>
              <span className="stock-lines__qty" aria-label={`${l.receivedQty} of ${l.expectedQty} received`}>{l.receivedQty}/{l.expectedQty}</span>
            </li>
          ))}
        </ul>
      </section>
      {transfer.status === 'expected' && line !== null && (
        <TransferReceiptForm
          key={`${line.line.lineNo}-${line.line.receivedQty}`}
          line={line.line}
          labelQty={line.labelQty}
          busy={busy}
          onCancel={() => setLine(null)}
          onRefused={(plan) => say('bad', plan.message, 'INVALID_ENTRY')}
          onSerialRefused={(text, code) => say('bad', `${text} Nothing recorded.`, code)}
          onSubmit={(request) =>
            void run(async () => {
              const updated = await receiveTransfer(siteId, transfer.transferId, request);
              setTransfer(updated);
              setLine(null);
              const damaged = request.damagedQty ?? 0;
              say('good', `Received ${request.qty} × ${line.line.skuName} onto the dock${damaged > 0 ? ` (${damaged} damaged, held)` : ''}.`);
            })
          }
        />
      )}
      {transfer.status === 'expected' && line === null && !closing && (
        <>
          <ScanField label="Scan an item" hint="The item's barcode or GS1-128 label; it names its line." onScan={(code) => void scanItem(transfer, code)} active={!busy} testId="transfer-item-scan" />
          <button type="button" className="big-button" data-testid="transfer-close" disabled={busy} onClick={() => (short.length > 0 ? setClosing(true) : void run(async () => {
            setTransfer(await closeTransfer(siteId, transfer.transferId));
            say('good', `Transfer ${transfer.transferId} closed: everything arrived.`);
          }))}>
            Close transfer
          </button>
        </>
      )}
      {transfer.status === 'expected' && closing && (
        <CloseShortForm
          shortUnits={short.reduce((n, l) => n + stillToCome(l), 0)}
          busy={busy}
          onCancel={() => setClosing(false)}
          onClose={(reason) =>
            void run(async () => {
              setTransfer(await closeTransfer(siteId, transfer.transferId, reason));
              setClosing(false);
              say('good', `Transfer ${transfer.transferId} closed short (${reason}).`);
            })
          }
        />
      )}
      <button type="button" className="action stock-back" onClick={() => { clear(); setTransfer(null); setLine(null); setListed(false); }}>Other transfer</button>
    </>
  );
}

type ReceiptRequest = Extract<TransferReceiptPlan, { ok: true }>['request'];

function TransferReceiptForm({
  line, labelQty, busy, onSubmit, onRefused, onSerialRefused, onCancel,
}: {
  line: InboundLineView;
  labelQty: number | null;
  busy: boolean;
  onSubmit: (request: ReceiptRequest) => void;
  onRefused: (plan: Extract<TransferReceiptPlan, { ok: false }>) => void;
  onSerialRefused: (text: string, code: string) => void;
  onCancel: () => void;
}) {
  const receiptId = useMemo(() => newRequestId('TRR'), []);
  const [qty, setQty] = useState(String(labelQty ?? Math.max(1, stillToCome(line))));
  const [damaged, setDamaged] = useState('0');
  const [reason, setReason] = useState('');
  const [serials, setSerials] = useState<readonly string[]>([]);
  const [invalid, setInvalid] = useState<string | null>(null);
  const over = (line.serialTracked ? serials.length : Number(qty)) > stillToCome(line);
  const submit = (event?: FormEvent): void => {
    event?.preventDefault();
    const plan = planTransferReceipt(line, { qty, damaged, reason, serials }, receiptId);
    if (!plan.ok) {
      setInvalid(plan.field);
      return onRefused(plan);
    }
    setInvalid(null);
    onSubmit(plan.request);
  };
  const onSerial = (code: string): void => {
    // Serials of the units in hand: up to the units still to come (the twin refuses one not on the line).
    const added = addSerial(serials, code, Math.max(1, stillToCome(line)));
    const refused = serialRefusal(added.outcome);
    if (refused !== null) return onSerialRefused(refused.text, refused.code);
    setSerials(added.serials);
  };
  return (
    <section className="signon stock-form" aria-label={`Receive line ${line.lineNo}`} data-testid="transfer-receipt-form">
      <p className="next__desc">{line.skuName} · {stillToCome(line)} still to come</p>
      {/* The serial scan is a form of its own, so it sits outside the receipt's form. */}
      {line.serialTracked && (
        <>
          <ScanField label={`Scan serial ${serials.length + 1}`} hint="The serial label on each unit; then Receive." onScan={onSerial} active={!busy} testId="transfer-serial-scan" />
          {serials.length > 0 && <SerialList serials={serials} onRemove={(s) => setSerials(removeSerial(serials, s))} />}
          <p className="next__skuid" data-testid="serial-count" aria-live="polite">{serials.length} unit{serials.length === 1 ? '' : 's'} scanned</p>
        </>
      )}
      <form className="stock-form signon" onSubmit={submit} autoComplete="off">
        {!line.serialTracked && <Field label="Units received" type="number" value={qty} onChange={setQty} testId="transfer-receipt-qty" invalid={invalid === 'qty'} />}
        <Field label="Damaged units" type="number" value={damaged} onChange={setDamaged} testId="transfer-receipt-damaged" invalid={invalid === 'damaged'} />
        {(Number(damaged) > 0 || over) && (
          <ReasonField label={over ? 'Reason (over the line)' : 'Reason (damaged)'} reasons={over ? OVER_REASONS : DAMAGE_REASONS} value={reason} onChange={setReason} testId="transfer-receipt-reason" invalid={invalid === 'reason'} />
        )}
        <div className="short__buttons">
          <button type="submit" className="action stock-primary" data-testid="transfer-receipt-submit" disabled={busy}>Receive</button>
          <button type="button" className="action" onClick={onCancel} disabled={busy}>Cancel</button>
        </div>
      </form>
    </section>
  );
}

function CloseShortForm({ shortUnits, busy, onClose, onCancel }: { shortUnits: number; busy: boolean; onClose: (reason: string) => void; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (reason.trim() !== '') onClose(reason.trim());
  };
  return (
    <form className="signon stock-form" onSubmit={submit} aria-label="Close short" data-testid="close-short-form">
      <p className="next__desc" role="status">{shortUnits} unit{shortUnits === 1 ? '' : 's'} did not arrive: why?</p>
      <ReasonField label="Reason" reasons={SHORT_REASONS} value={reason} onChange={setReason} testId="close-reason" />
      <div className="short__buttons">
        <button type="submit" className="action stock-primary" data-testid="close-short-submit" disabled={busy || reason.trim() === ''}>Close short</button>
        <button type="button" className="action" onClick={onCancel} disabled={busy}>Back</button>
      </div>
    </form>
  );
}
