/**
 * The portal's forms for client admins: a new ASN (goods on their way in) and a new return (RMA) of a despatched
 * order. Closed behind a button until asked for; every field has a label; a refusal shows the server's words.
 */
import { useState, type FormEvent } from 'react';
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

/** `open` toggled by a button; the message of the last attempt stays shown after the form closes. */
function useFormState() {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>(null);
  return { open, setOpen, busy, setBusy, message, setMessage };
}

/** A new ASN: an optional reference and `SKU quantity [lot] [expiry]` lines. */
export function NewAsnForm({ siteId, onCreated }: { siteId: string; onCreated: () => void }) {
  const f = useFormState();
  if (!f.open)
    return (
      <div className="portal__controls">
        <button type="button" onClick={() => f.setOpen(true)}>
          New ASN…
        </button>
        <Said message={f.message} />
      </div>
    );
  const submit = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const ref = parseRef(formText(data.get('asnRef')), 'ASN');
    if (!ref.ok) return f.setMessage({ tone: 'bad', text: ref.error });
    const lines = parseAsnLines(formText(data.get('lines')));
    if (!lines.ok) return f.setMessage({ tone: 'bad', text: lines.error });
    f.setBusy(true);
    createAsn(siteId, { lines: lines.lines, ...(ref.ref === undefined ? {} : { asnRef: ref.ref }) })
      .then((asn) => {
        f.setMessage({ tone: 'good', text: `ASN ${asn.asnRef} announced (${asn.lines.length} ${asn.lines.length === 1 ? 'line' : 'lines'}).` });
        f.setOpen(false);
        onCreated();
      })
      .catch((error: unknown) => f.setMessage({ tone: 'bad', text: messageOf(error) }))
      .finally(() => f.setBusy(false));
  };
  return (
    <form className="portal__form" aria-label="New ASN" onSubmit={submit}>
      <label htmlFor="asn-ref">ASN reference (optional; one is made up when empty)</label>
      <input id="asn-ref" name="asnRef" maxLength={64} />
      <label htmlFor="asn-lines">Lines: one “SKU quantity [lot] [expiry YYYY-MM-DD]” per line</label>
      <textarea id="asn-lines" name="lines" rows={4} required placeholder={'SKU-00002 120\nSKU-00010 48 L2405 2027-03-31'} />
      <div className="portal__form-actions">
        <button type="submit" disabled={f.busy}>
          {f.busy ? 'Sending…' : 'Announce the ASN'}
        </button>
        <button type="button" onClick={() => f.setOpen(false)}>
          Cancel
        </button>
      </div>
      <Said message={f.message} />
    </form>
  );
}

/** A new return: a despatched order (suggested from the client's own), an optional RMA id, `SKU quantity reason` lines. */
export function NewReturnForm({ siteId, onCreated }: { siteId: string; onCreated: () => void }) {
  const f = useFormState();
  const despatched = useLoad(f.open ? `${siteId}|despatched` : null, (signal) => fetchOrders(siteId, { status: 'despatched', limit: 100 }, signal));
  if (!f.open)
    return (
      <div className="portal__controls">
        <button type="button" onClick={() => f.setOpen(true)}>
          New return…
        </button>
        <Said message={f.message} />
      </div>
    );
  const submit = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const orderId = formText(data.get('orderId')).trim();
    if (orderId === '') return f.setMessage({ tone: 'bad', text: 'name the despatched order the goods come back from' });
    const ref = parseRef(formText(data.get('rmaId')), 'RMA');
    if (!ref.ok) return f.setMessage({ tone: 'bad', text: ref.error });
    const lines = parseReturnLines(formText(data.get('lines')));
    if (!lines.ok) return f.setMessage({ tone: 'bad', text: lines.error });
    f.setBusy(true);
    createReturn(siteId, { orderId, lines: lines.lines, ...(ref.ref === undefined ? {} : { rmaId: ref.ref }) })
      .then((rma) => {
        f.setMessage({ tone: 'good', text: `Return ${rma.rmaId} authorised for order ${rma.orderId}.` });
        f.setOpen(false);
        onCreated();
      })
      .catch((error: unknown) => f.setMessage({ tone: 'bad', text: messageOf(error) }))
      .finally(() => f.setBusy(false));
  };
  return (
    <form className="portal__form" aria-label="New return" onSubmit={submit}>
      <label htmlFor="rma-order">Order (despatched)</label>
      <input id="rma-order" name="orderId" list="rma-orders" required maxLength={64} autoComplete="off" />
      <datalist id="rma-orders">
        {(despatched.data?.orders ?? []).map((o) => (
          <option key={o.id} value={o.id}>
            {o.externalRef ?? ''}
          </option>
        ))}
      </datalist>
      <label htmlFor="rma-id">RMA id (optional; one is made up when empty)</label>
      <input id="rma-id" name="rmaId" maxLength={48} />
      <label htmlFor="rma-lines">Lines: one “SKU quantity reason” per line; reasons: {RETURN_REASONS.join(', ')}</label>
      <textarea id="rma-lines" name="lines" rows={3} required placeholder="SKU-00002 1 damaged" />
      <div className="portal__form-actions">
        <button type="submit" disabled={f.busy}>
          {f.busy ? 'Sending…' : 'Authorise the return'}
        </button>
        <button type="button" onClick={() => f.setOpen(false)}>
          Cancel
        </button>
      </div>
      <Said message={f.message} />
    </form>
  );
}
