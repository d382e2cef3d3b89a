/**
 * Receive at the dock: choose or scan the ASN (or a blind receipt for a chosen client), scan each item (GS1-128 with
 * lot, expiry and count, or the plain barcode), confirm the quantity, damaged units with a reason, and a reason for
 * units over the ASN; the receipt goes to `POST /receipts` and the units land on the dock (R43, R44). A serial-tracked
 * item is counted by its serials (R77): one scanned per unit, the units are the serials (a label's count must match).
 */
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { ScanField } from '../picker/ScanField.tsx';
import { SerialList } from '../views/SerialList.tsx';
import { addSerial, removeSerial, serialRefusal } from '../views/serial-scan.ts';
import { DAMAGE_REASONS, OVER_REASONS, itemFor, matchAsnLine, outstandingOf, overQtyOf, planReceipt, receiptQty, serialsExpected, type ReceiptField } from './receive-session.ts';
import { fetchAsn, fetchOpenAsns, fetchTenants, lookupCode, newRequestId, postReceipt, type AsnView, type CatalogueItem, type CatalogueLookup, type TenantView } from './stock-api.ts';
import { Field, MessageLine, ReasonField, explain, useBusyRun, useNotice } from './ui.tsx';

type Stage =
  | { readonly kind: 'choose' }
  | { readonly kind: 'client' }
  | { readonly kind: 'item'; readonly asn: AsnView | null; readonly tenant: TenantView | null }
  | { readonly kind: 'details'; readonly asn: AsnView | null; readonly tenant: TenantView | null; readonly scan: string; readonly lookup: CatalogueLookup; readonly item: CatalogueItem };

export function ReceiveMode({ siteId }: { siteId: string }) {
  const [stage, setStage] = useState<Stage>({ kind: 'choose' });
  const [asns, setAsns] = useState<AsnView[] | null>(null);
  const [tenants, setTenants] = useState<TenantView[]>([]);
  const { notice, say, clear } = useNotice();
  const { busy, setBusy, run } = useBusyRun(say);

  const loadAsns = useCallback(() => {
    fetchOpenAsns(siteId).then(setAsns, (e: unknown) => say('bad', explain(e).text));
  }, [siteId, say]);
  useEffect(() => {
    loadAsns();
    fetchTenants(siteId).then(setTenants, (e: unknown) => say('bad', explain(e).text));
  }, [siteId, loadAsns, say]);

  const openAsn = (code: string): Promise<void> =>
    run(async () => {
      const asn = await fetchAsn(siteId, code.trim());
      if (asn.status === 'closed') return say('bad', `ASN ${asn.asnRef} is closed: nothing more can be received against it.`, 'ASN_CLOSED');
      clear();
      setStage({ kind: 'item', asn, tenant: tenants.find((t) => t.id === asn.tenantId) ?? null });
    });

  const scanItem = (code: string, asn: AsnView | null, tenant: TenantView | null): Promise<void> =>
    run(async () => {
      const lookup = await lookupCode(siteId, code);
      const chosen = itemFor(lookup, asn?.tenantId ?? tenant?.id ?? null);
      if (!chosen.ok) return say('bad', chosen.message, 'TENANT_MISMATCH');
      clear();
      setStage({ kind: 'details', asn, tenant, scan: code.trim(), lookup, item: chosen.item });
    });

  let content;
  switch (stage.kind) {
    case 'choose':
      content = (
        <>
          <ScanField label="Scan the ASN" hint="The delivery's advance shipping notice (its reference), or choose it below." onScan={(code) => void openAsn(code)} active={!busy} testId="asn-scan" />
          <button type="button" className="action" data-testid="blind-receipt" onClick={() => setStage({ kind: 'client' })}>
            No ASN — blind receipt
          </button>
          <section aria-labelledby="asn-list-title">
            <h2 className="stops__title" id="asn-list-title">Open ASNs</h2>
            {asns === null ? (
              <p className="state__body">Loading…</p>
            ) : asns.length === 0 ? (
              <p className="state__body">No open ASNs.</p>
            ) : (
              <ul className="chooser" data-testid="asn-list">
                {asns.map((a) => (
                  <li key={a.asnRef}>
                    <button type="button" className="chooser__item" disabled={busy} onClick={() => void openAsn(a.asnRef)}>
                      <span className="chooser__name">{a.asnRef}</span>
                      <span className="chooser__meta">
                        {tenants.find((t) => t.id === a.tenantId)?.name ?? a.tenantId} · {a.lines.length} line{a.lines.length === 1 ? '' : 's'} · {a.lines.reduce((n, l) => n + outstandingOf(l), 0)} units to come
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      );
      break;
    case 'client':
      content = (
        <section aria-labelledby="client-title">
          <h2 className="stops__title" id="client-title">Blind receipt — whose goods?</h2>
          <ul className="chooser" data-testid="client-list">
            {tenants.map((t) => (
              <li key={t.id}>
                <button type="button" className="chooser__item" data-testid={`client-${t.id}`} onClick={() => setStage({ kind: 'item', asn: null, tenant: t })}>
                  <span className="chooser__name">{t.name}</span>
                  <span className="chooser__meta">{t.id}</span>
                </button>
              </li>
            ))}
          </ul>
          <button type="button" className="action stock-back" onClick={() => setStage({ kind: 'choose' })}>Back</button>
        </section>
      );
      break;
    case 'item':
      content = (
        <>
          <ReceiptHeader asn={stage.asn} tenant={stage.tenant} />
          <ScanField label="Scan the item" hint="GS1-128 label (GTIN, lot, expiry, count) or the item barcode." onScan={(code) => void scanItem(code, stage.asn, stage.tenant)} active={!busy} testId="item-scan" />
          <button type="button" className="action stock-back" onClick={() => { clear(); setStage({ kind: 'choose' }); loadAsns(); }}>
            Finish this delivery
          </button>
        </>
      );
      break;
    case 'details':
      content = (
        <ReceiptForm
          key={stage.scan}
          siteId={siteId}
          stage={stage}
          busy={busy}
          setBusy={setBusy}
          say={say}
          onDone={(asn) => setStage({ kind: 'item', asn, tenant: stage.tenant })}
          onCancel={() => { clear(); setStage({ kind: 'item', asn: stage.asn, tenant: stage.tenant }); }}
        />
      );
      break;
  }

  return (
    <>
      <MessageLine notice={notice} onDismiss={clear} />
      {content}
    </>
  );
}

function ReceiptHeader({ asn, tenant }: { asn: AsnView | null; tenant: TenantView | null }) {
  return (
    <section className="next stock-card" aria-label="Delivery" data-testid="receipt-header">
      <div className="next__head">
        <span>{asn === null ? 'Blind receipt' : `ASN ${asn.asnRef}`}</span>
        <span>{tenant?.name ?? asn?.tenantId ?? ''}</span>
      </div>
      {asn !== null && (
        <ul className="stock-lines">
          {asn.lines.map((l) => (
            <li key={l.lineNo} className="stock-lines__item">
              <span className="stock-lines__what">{l.skuId}{l.lot === null ? '' : ` · lot ${l.lot}`}</span>
              <span className="stock-lines__qty">{l.receivedQty}/{l.expectedQty}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ReceiptForm({
  siteId, stage, busy, setBusy, say, onDone, onCancel,
}: {
  siteId: string;
  stage: Extract<Stage, { kind: 'details' }>;
  busy: boolean;
  setBusy: (busy: boolean) => void;
  say: (tone: 'bad' | 'good' | 'info', text: string, code?: string | null) => void;
  onDone: (asn: AsnView | null) => void;
  onCancel: () => void;
}) {
  const { asn, lookup, item } = stage;
  const receiptId = useMemo(() => newRequestId('RCV'), []);
  const [qty, setQty] = useState('');
  const [damagedQty, setDamagedQty] = useState('');
  const [damagedReason, setDamagedReason] = useState('');
  const [overReason, setOverReason] = useState('');
  const [lot, setLot] = useState('');
  const [expiry, setExpiry] = useState('');
  const [serials, setSerials] = useState<readonly string[]>([]);
  const [bad, setBad] = useState<ReceiptField | null>(null);
  const entry = { receiptId, asn, tenantId: stage.tenant?.id ?? null, scan: stage.scan, lookup, item, qty, damagedQty, damagedReason, overReason, lot, expiry, serials };
  const expectedSerials = serialsExpected(lookup);
  const units = receiptQty(entry) ?? 0;
  const lotNow = lookup.lot ?? lot.trim();
  const over = overQtyOf(asn, item.skuId, lotNow, units);
  const line = asn === null ? undefined : matchAsnLine(asn, item.skuId, lotNow);
  const damaged = Number(damagedQty) > 0;

  const onSerial = (code: string): void => {
    // At most the label's count when it carries one; otherwise every unit in hand (the twin checks each is new here).
    const added = addSerial(serials, code, expectedSerials ?? 10_000);
    const refused = serialRefusal(added.outcome);
    if (refused !== null) return say('bad', `${refused.text} Nothing recorded.`, refused.code);
    setSerials(added.serials);
    setBad(null);
    say('info', `Serial ${added.serials.length}${expectedSerials === null ? '' : ` of ${expectedSerials}`} scanned.`);
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const plan = planReceipt(entry);
    if (!plan.ok) {
      setBad(plan.field);
      return say('bad', plan.message, 'INVALID_ENTRY');
    }
    setBad(null);
    setBusy(true);
    try {
      const result = await postReceipt(siteId, plan.request);
      const extras = [plan.damagedQty > 0 ? `${plan.damagedQty} damaged, held` : null, plan.overQty > 0 ? `${plan.overQty} over the ASN` : null].filter((x) => x !== null);
      say('good', result.duplicate ? `Receipt already recorded (${receiptId}).` : `Received ${plan.qty} × ${item.description} onto the dock${extras.length > 0 ? ` (${extras.join(', ')})` : ''}.`);
      onDone(asn === null ? null : await fetchAsn(siteId, asn.asnRef).catch(() => asn));
    } catch (error) {
      const { text, code } = explain(error);
      say('bad', text, code);
    } finally {
      setBusy(false);
    }
  };

  const itemCard = (
    <div className="stock-item">
      <span className="next__desc">{item.description}</span>
      <span className="next__skuid">
        {item.skuId} · {item.tenantName}
        {lookup.lot !== null && ` · lot ${lookup.lot}`}
        {lookup.expiry !== null && ` · exp ${lookup.expiry}`}
        {item.serialTracked && ' · serial-tracked'}
      </span>
      {asn !== null && (
        <span className="next__skuid" data-testid="asn-line">
          {line === undefined ? 'Not on this ASN: every unit is over.' : `ASN line ${line.lineNo}: ${outstandingOf(line)} still expected`}
        </span>
      )}
    </div>
  );

  return (
    <section className="signon stock-form" aria-label="Receipt" data-testid="receipt-form">
      {itemCard}
      {/* The serial scan is a form of its own, so it sits outside the receipt's form: one serial per unit received. */}
      {item.serialTracked && (
        <>
          <ScanField
            label={expectedSerials === null ? `Scan serial ${serials.length + 1}` : `Serial ${Math.min(serials.length + 1, expectedSerials)} of ${expectedSerials}`}
            hint={expectedSerials === null ? 'The serial label on each unit received; then Receive.' : `The label says ${expectedSerials} units: scan each one's serial, then Receive.`}
            onScan={onSerial}
            active={!busy}
            testId="receipt-serial-scan"
          />
          {serials.length > 0 && <SerialList serials={serials} onRemove={(s) => setSerials(removeSerial(serials, s))} />}
          <p className="next__skuid" data-testid="receipt-serial-count" aria-live="polite" aria-invalid={bad === 'serials' || undefined}>
            {serials.length} unit{serials.length === 1 ? '' : 's'} scanned
          </p>
        </>
      )}
      <form className="signon stock-form" onSubmit={(e) => void submit(e)} autoComplete="off">
        {!item.serialTracked && (
          <Field label="Units received" type="number" value={qty} onChange={setQty} testId="receipt-qty" invalid={bad === 'qty'} autoFocus placeholder={lookup.qty === null ? '' : String(lookup.qty)} hint={lookup.qty === null ? undefined : `The label says ${lookup.qty}; leave empty to take it.`} />
        )}
        {item.lotTracked && lookup.lot === null && (
          <>
            <Field label="Lot" value={lot} onChange={setLot} testId="receipt-lot" invalid={bad === 'lot'} />
            <Field label="Expiry (YYYY-MM-DD)" value={expiry} onChange={setExpiry} testId="receipt-expiry" invalid={bad === 'expiry'} />
          </>
        )}
        <Field label="Of which damaged" type="number" value={damagedQty} onChange={setDamagedQty} testId="receipt-damaged" invalid={bad === 'damagedQty'} />
        {damaged && <ReasonField label="Damage reason" reasons={DAMAGE_REASONS} value={damagedReason} onChange={setDamagedReason} testId="receipt-damage-reason" invalid={bad === 'damagedReason'} />}
        {over > 0 && (
          <>
            <p className="message message--info" data-testid="over-warning">{over} unit{over === 1 ? ' is' : 's are'} over the ASN.</p>
            <ReasonField label="Over reason" reasons={OVER_REASONS} value={overReason} onChange={setOverReason} testId="receipt-over-reason" invalid={bad === 'overReason'} />
          </>
        )}
        <div className="short__buttons">
          <button type="submit" className="action stock-primary" data-testid="receipt-submit" disabled={busy}>Receive</button>
          <button type="button" className="action" onClick={onCancel} disabled={busy}>Cancel</button>
        </div>
      </form>
    </section>
  );
}
