/**
 * Returns desk: scan the RMA, scan each returned item in (it lands on the returns desk, held for inspection, R51),
 * then inspect: grade and disposition per line (R52, R53). Restocked units are then put away by a restock task. A
 * serial-tracked item is scanned in by its serial, one unit per serial (R79): the item, then the serial label.
 */
import { useMemo, useState, type FormEvent } from 'react';
import { ScanField } from '../picker/ScanField.tsx';
import { DISPOSITION_LABELS, GRADE_LABELS, RETURN_GRADES, awaitingInspection, dispositionsFor, isFinished, planInspection, planReturnReceipt, planSerialReturn, returnItemOf, toReceive, type ReturnDisposition, type ReturnGrade } from './returns-session.ts';
import { StockApiError, fetchRma, inspectReturn, lookupCode, newRequestId, receiveReturn, type CatalogueItem, type CatalogueLookup, type RmaLineView, type RmaView } from './stock-api.ts';
import { Field, MessageLine, SelectField, useBusyRun, useNotice } from './ui.tsx';

export function ReturnsMode({ siteId }: { siteId: string }) {
  const [rma, setRma] = useState<RmaView | null>(null);
  const [inspecting, setInspecting] = useState<RmaLineView | null>(null);
  const [qty, setQty] = useState('1');
  /** A serial-tracked item scanned: its serial is scanned next (R79). */
  const [serialOf, setSerialOf] = useState<{ scan: string; item: CatalogueItem } | null>(null);
  const { notice, say, clear } = useNotice();
  const { busy, run } = useBusyRun(say);

  const open = (code: string) =>
    run(async () => {
      const found = await fetchRma(siteId, code.trim());
      clear();
      setRma(found);
      setSerialOf(null);
      setInspecting(null);
      if (found.status === 'closed') say('info', `RMA ${found.rmaId} is closed.`);
    });

  /** What the scanned code names, to know whether it is serial-tracked; null if the catalogue does not know it. */
  const lookup = async (code: string): Promise<CatalogueLookup | null> => {
    try {
      return await lookupCode(siteId, code.trim());
    } catch (error) {
      // An unknown code goes to the server as it is, which answers for it.
      if (error instanceof StockApiError && error.status !== 0) return null;
      throw error;
    }
  };

  const receive = (current: RmaView, code: string) => {
    void run(async () => {
      const found = await lookup(code);
      const item = found === null ? null : returnItemOf(current, found);
      if (item?.serialTracked === true) {
        setSerialOf({ scan: code.trim(), item });
        say('info', `${item.description} is serial-tracked: scan the serial of the returned unit.`);
        return;
      }
      const plan = planReturnReceipt(current, qty);
      if (!plan.ok) return say('bad', plan.message, 'INVALID_ENTRY');
      const updated = await receiveReturn(siteId, current.rmaId, { receiptId: newRequestId('RTN'), scan: code.trim(), qty: plan.qty });
      setRma(updated);
      setQty('1');
      say('good', `Received ${plan.qty} unit${plan.qty === 1 ? '' : 's'} (${code.trim()}) at the returns desk, held for inspection.`);
    });
  };

  const receiveSerial = (current: RmaView, pending: { scan: string; item: CatalogueItem }, code: string) => {
    const plan = planSerialReturn(current, pending.item, pending.scan, code, newRequestId('RTN'));
    if (!plan.ok) return say('bad', `${plan.message} Nothing recorded.`, plan.code);
    void run(async () => {
      const updated = await receiveReturn(siteId, current.rmaId, plan.request);
      setRma(updated);
      setSerialOf(null);
      say('good', `Received 1 × ${pending.item.description} (serial ${plan.request.serial}) at the returns desk, held for inspection.`);
    });
  };

  if (rma === null) {
    return (
      <>
        <MessageLine notice={notice} onDismiss={clear} />
        <ScanField label="Scan the RMA" hint="The return label's RMA number." onScan={(code) => void open(code)} active={!busy} testId="rma-scan" />
      </>
    );
  }

  const waiting = awaitingInspection(rma);
  const toCome = rma.lines.reduce((n, l) => n + toReceive(l), 0);
  return (
    <>
      <MessageLine notice={notice} onDismiss={clear} />
      <section className="next stock-card" aria-label={`RMA ${rma.rmaId}`} data-testid="rma-card">
        <div className="next__head">
          <span>RMA {rma.rmaId}</span>
          <span>{rma.status}</span>
        </div>
        <p className="next__skuid">Order {rma.orderId} · {rma.tenantId}</p>
        <ul className="stock-lines">
          {rma.lines.map((l) => (
            <li key={l.lineNo} className="stock-lines__item">
              <span className="stock-lines__what">
                {l.skuId}
                <span className="next__skuid">{l.reason} · inspected {l.inspectedQty}</span>
              </span>
              <span className="stock-lines__qty" aria-label={`${l.receivedQty} of ${l.qty} received`}>{l.receivedQty}/{l.qty}</span>
            </li>
          ))}
        </ul>
      </section>
      {inspecting !== null ? (
        <InspectForm
          key={inspecting.lineNo}
          line={inspecting}
          busy={busy}
          onCancel={() => setInspecting(null)}
          onInspect={(entry) => {
            const plan = planInspection(rma, entry);
            if (!plan.ok) return say('bad', plan.message, 'INVALID_ENTRY');
            void run(async () => {
              setRma(await inspectReturn(siteId, rma.rmaId, plan.request));
              setInspecting(null);
              say('good', `Inspected ${plan.request.qty} × ${plan.request.skuId}: grade ${plan.request.grade}, ${plan.request.disposition}.`);
            });
          }}
        />
      ) : (
        <>
          {rma.status === 'open' && toCome > 0 && serialOf === null && (
            <div className="signon stock-form">
              <Field label="Units in this scan" type="number" value={qty} onChange={setQty} testId="return-qty" />
              <ScanField label="Scan a returned item" hint={`${toCome} unit${toCome === 1 ? '' : 's'} still expected.`} onScan={(code) => receive(rma, code)} active={!busy} testId="return-item-scan" />
            </div>
          )}
          {rma.status === 'open' && serialOf !== null && (
            <div className="signon stock-form" data-testid="return-serial">
              <p className="next__desc">{serialOf.item.description} · one unit</p>
              <ScanField
                label="Scan the serial"
                hint={`The serial label of the returned ${serialOf.item.description} (it must be one shipped on order ${rma.orderId}).`}
                onScan={(code) => receiveSerial(rma, serialOf, code)}
                active={!busy}
                testId="return-serial-scan"
              />
              <button type="button" className="action" onClick={() => { clear(); setSerialOf(null); }} disabled={busy}>Another item</button>
            </div>
          )}
          {waiting.length > 0 && (
            <section aria-labelledby="inspect-title">
              <h2 className="stops__title" id="inspect-title">To inspect</h2>
              <ul className="chooser">
                {waiting.map((l) => (
                  <li key={l.lineNo}>
                    <button type="button" className="chooser__item" data-testid={`inspect-${l.skuId}`} onClick={() => setInspecting(l)}>
                      <span className="chooser__name">Inspect {l.skuId}</span>
                      <span className="chooser__meta">{l.awaitingInspection} unit{l.awaitingInspection === 1 ? '' : 's'} waiting</span>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {isFinished(rma) && <p className="message message--good" role="status">Nothing more to do for this RMA at the desk.</p>}
          <button type="button" className="action stock-back" onClick={() => { clear(); setRma(null); setSerialOf(null); }}>Next RMA</button>
        </>
      )}
    </>
  );
}

function InspectForm({
  line, busy, onInspect, onCancel,
}: {
  line: RmaLineView;
  busy: boolean;
  onInspect: (entry: { skuId: string; qty: string; grade: ReturnGrade | null; disposition: ReturnDisposition | null; note: string; inspectionId: string }) => void;
  onCancel: () => void;
}) {
  const inspectionId = useMemo(() => newRequestId('INS'), []);
  const [qty, setQty] = useState(String(line.awaitingInspection));
  const [grade, setGrade] = useState<ReturnGrade | ''>('');
  const [disposition, setDisposition] = useState<ReturnDisposition | ''>('');
  const [note, setNote] = useState('');
  const allowed = grade === '' ? [] : dispositionsFor(grade);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    onInspect({ skuId: line.skuId, qty, grade: grade === '' ? null : grade, disposition: disposition === '' ? null : disposition, note, inspectionId });
  };
  return (
    <form className="signon stock-form" onSubmit={submit} aria-label={`Inspect ${line.skuId}`} data-testid="inspect-form">
      <p className="next__desc">Inspect {line.skuId}</p>
      <Field label={`Units (1–${line.awaitingInspection})`} type="number" value={qty} onChange={setQty} testId="inspect-qty" />
      <SelectField
        label="Grade"
        value={grade}
        testId="inspect-grade"
        onChange={(v) => {
          const g = v as ReturnGrade | '';
          setGrade(g);
          if (g !== '' && disposition !== '' && !dispositionsFor(g).includes(disposition)) setDisposition('');
        }}
        options={[['', 'Choose a grade…'], ...RETURN_GRADES.map((g) => [g, GRADE_LABELS[g]] as const)]}
      />
      <SelectField
        label="Disposition"
        value={disposition}
        testId="inspect-disposition"
        onChange={(v) => setDisposition(v as ReturnDisposition | '')}
        options={[['', grade === '' ? 'Choose a grade first' : 'Choose what happens…'], ...allowed.map((d) => [d, DISPOSITION_LABELS[d]] as const)]}
      />
      <Field label="Note (optional)" value={note} onChange={setNote} testId="inspect-note" />
      <div className="short__buttons">
        <button type="submit" className="action stock-primary" data-testid="inspect-submit" disabled={busy}>Record</button>
        <button type="button" className="action" onClick={onCancel} disabled={busy}>Cancel</button>
      </div>
    </form>
  );
}
