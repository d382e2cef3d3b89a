/**
 * The portal's forms for client admins: a new ASN (goods on their way in) and a new return (RMA) of a despatched
 * order. Closed behind a button until asked for; every field has a label; a refusal shows the server's words.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { fetchOrders } from './portal-api.ts';
import { RETURN_REASONS, parseAsnLines, parseRef, parseReturnLines } from './portal-forms.ts';
import { createAsn, createReturn } from './portal-writes.ts';
import { useLoad } from './use-load.ts';

type Message = { readonly tone: 'good' | 'bad'; readonly text: string } | null;
const formText = (value: FormDataEntryValue | null): string => (typeof value === 'string' ? value : '');
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function Said({ message }: { message: Message }) {
  if (message === null) return null;
  return (
    <p role={message.tone === 'bad' ? 'alert' : 'status'} className={message.tone === 'bad' ? 'portal__error' : 'portal__good'}>
      {message.text}
    </p>
  );
}

/** What a form's fields amount to: a problem to show (nothing is sent), or the request, resolving to what to say. */
type Prepared = { readonly problem: string } | { readonly send: () => Promise<string> };

/**
 * The frame both forms share: closed behind a button until asked for; on submit the fields are checked (`prepare`),
 * then sent once (the button says so meanwhile); success closes the form and says what was made, a refusal shows the
 * server's words. The message of the last attempt stays shown after the form closes.
 */
function WriteForm({ title, openLabel, submitLabel, prepare, onCreated, children }: {
  title: string;
  openLabel: string;
  submitLabel: string;
  prepare: (data: FormData) => Prepared;
  onCreated: () => void;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>(null);
  if (!open)
    return (
      <div className="portal__controls">
        <button type="button" onClick={() => setOpen(true)}>
          {openLabel}
        </button>
        <Said message={message} />
      </div>
    );
  const submit = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const prepared = prepare(new FormData(e.currentTarget));
    if ('problem' in prepared) return setMessage({ tone: 'bad', text: prepared.problem });
    setBusy(true);
    prepared
      .send()
      .then((said) => {
        setMessage({ tone: 'good', text: said });
        setOpen(false);
        onCreated();
      })
      .catch((error: unknown) => setMessage({ tone: 'bad', text: messageOf(error) }))
      .finally(() => setBusy(false));
  };
  return (
    <form className="portal__form" aria-label={title} onSubmit={submit}>
      {children}
      <div className="portal__form-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : submitLabel}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      <Said message={message} />
    </form>
  );
}

/** A new ASN: an optional reference and `SKU quantity [lot] [expiry]` lines. */
export function NewAsnForm({ siteId, onCreated }: { siteId: string; onCreated: () => void }) {
  const prepare = (data: FormData): Prepared => {
    const ref = parseRef(formText(data.get('asnRef')), 'ASN');
    if (!ref.ok) return { problem: ref.error };
    const lines = parseAsnLines(formText(data.get('lines')));
    if (!lines.ok) return { problem: lines.error };
    return {
      send: () =>
        createAsn(siteId, { lines: lines.lines, ...(ref.ref === undefined ? {} : { asnRef: ref.ref }) }).then(
          (asn) => `ASN ${asn.asnRef} announced (${asn.lines.length} ${asn.lines.length === 1 ? 'line' : 'lines'}).`,
        ),
    };
  };
  return (
    <WriteForm title="New ASN" openLabel="New ASN…" submitLabel="Announce the ASN" prepare={prepare} onCreated={onCreated}>
      <label htmlFor="asn-ref">ASN reference (optional; one is made up when empty)</label>
      <input id="asn-ref" name="asnRef" maxLength={64} />
      <label htmlFor="asn-lines">Lines: one “SKU quantity [lot] [expiry YYYY-MM-DD]” per line</label>
      <textarea id="asn-lines" name="lines" rows={4} required placeholder={'SKU-00002 120\nSKU-00010 48 L2405 2027-03-31'} />
    </WriteForm>
  );
}

/** The client's despatched orders as suggestions: rendered (and fetched) only while the return form is open. */
function DespatchedOrders({ siteId, id }: { siteId: string; id: string }) {
  const despatched = useLoad(`${siteId}|despatched`, (signal) => fetchOrders(siteId, { status: 'despatched', limit: 100 }, signal));
  return (
    <datalist id={id}>
      {(despatched.data?.orders ?? []).map((o) => (
        <option key={o.id} value={o.id}>
          {o.externalRef ?? ''}
        </option>
      ))}
    </datalist>
  );
}

/** A new return: a despatched order (suggested from the client's own), an optional RMA id, `SKU quantity reason` lines. */
export function NewReturnForm({ siteId, onCreated }: { siteId: string; onCreated: () => void }) {
  const prepare = (data: FormData): Prepared => {
    const orderId = formText(data.get('orderId')).trim();
    if (orderId === '') return { problem: 'name the despatched order the goods come back from' };
    const ref = parseRef(formText(data.get('rmaId')), 'RMA');
    if (!ref.ok) return { problem: ref.error };
    const lines = parseReturnLines(formText(data.get('lines')));
    if (!lines.ok) return { problem: lines.error };
    return {
      send: () =>
        createReturn(siteId, { orderId, lines: lines.lines, ...(ref.ref === undefined ? {} : { rmaId: ref.ref }) }).then(
          (rma) => `Return ${rma.rmaId} authorised for order ${rma.orderId}.`,
        ),
    };
  };
  return (
    <WriteForm title="New return" openLabel="New return…" submitLabel="Authorise the return" prepare={prepare} onCreated={onCreated}>
      <label htmlFor="rma-order">Order (despatched)</label>
      <input id="rma-order" name="orderId" list="rma-orders" required maxLength={64} autoComplete="off" />
      <DespatchedOrders siteId={siteId} id="rma-orders" />
      <label htmlFor="rma-id">RMA id (optional; one is made up when empty)</label>
      <input id="rma-id" name="rmaId" maxLength={48} />
      <label htmlFor="rma-lines">Lines: one “SKU quantity reason” per line; reasons: {RETURN_REASONS.join(', ')}</label>
      <textarea id="rma-lines" name="lines" rows={3} required placeholder="SKU-00002 1 damaged" />
    </WriteForm>
  );
}
