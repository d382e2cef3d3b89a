/**
 * The staff billing page at /billing (site managers): choose a client and a period → the invoice, line by line, each
 * line down to the events it counts, as CSV or PDF; the client's rate card (edit → a new version); re-rating the period
 * with edited prices → the difference line by line; and a prospect's invoice simulated from volumes. Tabs follow the
 * WAI-ARIA tab pattern; every table has a caption and header cells; every input a label.
 */
import { useMemo, useState, type FormEvent } from 'react';
import { useChosenSite } from '../views/use-chosen-site.ts';
import { useLoad } from '../portal/use-load.ts';
import { TabList } from '../views/TabList.tsx';
import { tabIds } from '../views/tab-list.ts';
import {
  fetchCard, fetchClientCards, fetchDrillDown, fetchInvoice, invoiceFileUrl, putCard, rerateWith, simulateProspect,
  type InvoiceLineView, type InvoiceView, type Period, type RerateView,
} from './billing-api.ts';
import {
  DEFAULT_VOLUMES, VOLUME_FIELDS, applyFields, cardBody, cardFields, changedLines, checkTotal, drillItemText, fieldId, fieldText, formatDelta, formatMoney,
  formatQuantity, formatUnitPrice, monthOf, parseVolumes, periodProblem,
} from './billing-model.ts';

const TABS = [
  { id: 'invoice', label: 'Invoice' },
  { id: 'card', label: 'Rate card & re-rating' },
  { id: 'simulate', label: 'Prospect simulation' },
] as const;
type TabId = (typeof TABS)[number]['id'];

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Root of the billing page. */
export function BillingApp() {
  const params = useMemo(() => new URLSearchParams(window.location.search), []);
  const { siteId, error, retry } = useChosenSite(params);
  return (
    <div className="bill">
      <header className="bill__bar">
        <h1 className="bill__title">Billing</h1>
        {siteId !== null && <span className="bill__muted">Site {siteId}</span>}
      </header>
      {error !== null ? (
        <section className="bill__card bill__card--bad" role="alert">
          <p>Cannot reach the server: {error}</p>
          <button type="button" onClick={retry}>
            Try again
          </button>
        </section>
      ) : siteId === null ? (
        <p role="status">Connecting…</p>
      ) : (
        <Billing siteId={siteId} params={params} />
      )}
    </div>
  );
}

function Billing({ siteId, params }: { siteId: string; params: URLSearchParams }) {
  const clients = useLoad(`${siteId}|clients`, (signal) => fetchClientCards(siteId, signal));
  const initial = useMemo(() => monthOf(Date.now()), []);
  const [chosenTenant, setChosenTenant] = useState<string | null>(params.get('client'));
  const [from, setFrom] = useState(params.get('from') ?? initial.from);
  const [to, setTo] = useState(params.get('to') ?? initial.to);
  const [period, setPeriod] = useState<Period>({ from, to });
  const [problem, setProblem] = useState<string | null>(null);
  const [tab, setTab] = useState<TabId>('invoice');
  const list = clients.data?.cards ?? [];
  const tenantId = list.find((c) => c.tenantId === chosenTenant)?.tenantId ?? list[0]?.tenantId ?? null;
  const client = list.find((c) => c.tenantId === tenantId) ?? null;

  const show = (e: FormEvent): void => {
    e.preventDefault();
    const wrong = periodProblem(from, to);
    setProblem(wrong);
    if (wrong === null) setPeriod({ from, to });
  };
  return (
    <>
      <form className="bill__controls" onSubmit={show} aria-label="Client and period">
        <label htmlFor="bill-client">Client</label>
        <select id="bill-client" value={tenantId ?? ''} onChange={(e) => setChosenTenant(e.target.value)} disabled={list.length === 0}>
          {list.map((c) => (
            <option key={c.tenantId} value={c.tenantId}>
              {c.name} ({c.tenantId})
            </option>
          ))}
        </select>
        <label htmlFor="bill-from">From</label>
        <input id="bill-from" type="date" value={from} required onChange={(e) => setFrom(e.target.value)} />
        <label htmlFor="bill-to">To (included)</label>
        <input id="bill-to" type="date" value={to} required onChange={(e) => setTo(e.target.value)} />
        <button type="submit">Show</button>
        {problem !== null && (
          <span role="alert" className="bill__bad">
            {problem}
          </span>
        )}
      </form>
      {clients.error !== null && (
        <p role="alert" className="bill__bad">
          Could not load the clients: {clients.error}
        </p>
      )}
      <TabList tabs={TABS} selected={tab} onSelect={setTab} label="Billing sections" idPrefix="bill-" block="bill" />
      <section role="tabpanel" id={tabIds('bill-', tab).panel} aria-labelledby={tabIds('bill-', tab).tab} className="bill__panel">
        {tenantId === null || client === null ? (
          <p role="status">{clients.loading ? 'Loading the clients…' : 'No clients on this site.'}</p>
        ) : tab === 'invoice' ? (
          <InvoicePanel siteId={siteId} tenantId={tenantId} clientName={client.name} period={period} />
        ) : tab === 'card' ? (
          <CardPanel key={`${siteId}|${tenantId}`} siteId={siteId} tenantId={tenantId} clientName={client.name} period={period} />
        ) : (
          <SimulatePanel siteId={siteId} tenantId={tenantId} clientName={client.name} period={period} />
        )}
      </section>
    </>
  );
}

function Status({ loading, error }: { loading: boolean; error: string | null }) {
  if (error !== null)
    return (
      <p role="alert" className="bill__bad">
        {error}
      </p>
    );
  return loading ? <p role="status">Loading…</p> : null;
}

function InvoicePanel({ siteId, tenantId, clientName, period }: { siteId: string; tenantId: string; clientName: string; period: Period }) {
  const invoice = useLoad(`${siteId}|${tenantId}|${period.from}|${period.to}`, (signal) => fetchInvoice(siteId, tenantId, period, signal));
  const [openLine, setOpenLine] = useState<string | null>(null);
  return (
    <div>
      <div className="bill__actions">
        <a className="bill__button" href={invoiceFileUrl(siteId, tenantId, period, 'csv')} download data-testid="invoice-csv">
          Download CSV
        </a>
        <a className="bill__button" href={invoiceFileUrl(siteId, tenantId, period, 'pdf')} download data-testid="invoice-pdf">
          Download PDF
        </a>
        <button type="button" onClick={() => invoice.reload()} disabled={invoice.loading}>
          Refresh
        </button>
      </div>
      <Status loading={invoice.loading && invoice.data === null} error={invoice.error} />
      {invoice.data !== null && (
        <InvoiceTable
          invoice={invoice.data}
          caption={`Invoice of ${clientName}, ${period.from} to ${period.to}${invoice.data.cardVersion === null ? '' : `, rate card version ${invoice.data.cardVersion}`}`}
          testId="invoice-table"
          drill={{ siteId, tenantId, period, openLine, toggle: (code) => setOpenLine(openLine === code ? null : code) }}
        />
      )}
    </div>
  );
}

interface DrillProps {
  readonly siteId: string;
  readonly tenantId: string;
  readonly period: Period;
  readonly openLine: string | null;
  readonly toggle: (code: string) => void;
}

function InvoiceTable({ invoice, caption, testId, drill }: { invoice: InvoiceView; caption: string; testId: string; drill?: DrillProps }) {
  const currency = invoice.currency;
  const check = checkTotal(invoice);
  const columns = drill === undefined ? 5 : 6;
  return (
    <>
      <table className="bill__table" data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Charge</th>
            <th scope="col" className="num">
              Quantity
            </th>
            <th scope="col">Unit</th>
            <th scope="col" className="num">
              Unit price
            </th>
            <th scope="col" className="num">
              Amount
            </th>
            {drill !== undefined && <th scope="col">Why</th>}
          </tr>
        </thead>
        <tbody>
          {invoice.lines.map((line) => (
            <LineRow key={line.code} line={line} currency={currency} drill={drill} columns={columns} />
          ))}
          {invoice.lines.length === 0 && (
            <tr>
              <td colSpan={columns}>Nothing to charge in this period.</td>
            </tr>
          )}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={4}>
              Total
            </th>
            <td className="num" data-testid={`${testId}-total`} data-minor={invoice.total}>
              {formatMoney(invoice.total, currency)}
            </td>
            {drill !== undefined && <td />}
          </tr>
        </tfoot>
      </table>
      <p className={check.matches ? 'bill__good' : 'bill__bad'} data-testid={`${testId}-check`}>
        {check.matches
          ? `The ${invoice.lines.length} line amounts add up to the total, ${formatMoney(check.sum, currency)}.`
          : `The line amounts add up to ${formatMoney(check.sum, currency)}, not the total ${formatMoney(invoice.total, currency)}.`}
      </p>
    </>
  );
}

const DRILL_PAGE = 50;

function LineRow({ line, currency, drill, columns }: { line: InvoiceLineView; currency: string; drill: DrillProps | undefined; columns: number }) {
  const open = drill !== undefined && drill.openLine === line.code;
  const [offset, setOffset] = useState(0);
  const detail = useLoad(open && drill ? `${drill.siteId}|${drill.tenantId}|${drill.period.from}|${drill.period.to}|${line.code}|${offset}` : null, (signal) =>
    fetchDrillDown(drill?.siteId ?? '', drill?.tenantId ?? '', drill?.period ?? { from: '', to: '' }, line.code, { offset, limit: DRILL_PAGE }, signal),
  );
  return (
    <>
      <tr data-code={line.code}>
        <th scope="row">
          {line.description}
          <span className="bill__code">{line.code}</span>
        </th>
        <td className="num">{formatQuantity(line.quantity)}</td>
        <td>{line.unit}</td>
        <td className="num">{formatUnitPrice(line.unitPrice, currency)}</td>
        <td className="num" data-minor={line.amount}>
          {formatMoney(line.amount, currency)}
        </td>
        {drill !== undefined && (
          <td>
            {line.eventSeqs.length > 0 ? (
              <button type="button" className="bill__link" aria-expanded={open} onClick={() => drill.toggle(line.code)}>
                {open ? 'Hide' : 'Show'} {formatQuantity(line.eventSeqs.length)} events
              </button>
            ) : (
              <span className="bill__muted">no events</span>
            )}
          </td>
        )}
      </tr>
      {open && (
        <tr className="bill__drill">
          <td colSpan={columns}>
            <Status loading={detail.loading} error={detail.error} />
            {detail.data !== null && (
              <>
                <p className="bill__muted">
                  {formatQuantity(detail.data.total)} counted facts behind “{line.description}”, from {formatQuantity(detail.data.line.events)} events:
                </p>
                <ul aria-label={`What ${line.description} counts`} data-testid="drill-items">
                  {detail.data.items.map((item, i) => (
                    <li key={`${item.ref}|${item.day}|${i}`}>{drillItemText(item, line.unit)}</li>
                  ))}
                </ul>
                {detail.data.total > DRILL_PAGE && (
                  <nav className="bill__pager" aria-label="Drill-down pages">
                    <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - DRILL_PAGE))}>
                      Previous
                    </button>
                    <span>
                      {offset + 1}–{Math.min(detail.data.total, offset + DRILL_PAGE)} of {formatQuantity(detail.data.total)}
                    </span>
                    <button type="button" disabled={offset + DRILL_PAGE >= detail.data.total} onClick={() => setOffset(offset + DRILL_PAGE)}>
                      Next
                    </button>
                  </nav>
                )}
              </>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function CardPanel({ siteId, tenantId, clientName, period }: { siteId: string; tenantId: string; clientName: string; period: Period }) {
  const [attempt, setAttempt] = useState(0);
  const card = useLoad(`${siteId}|${tenantId}|card|${attempt}`, (signal) => fetchCard(siteId, tenantId, undefined, signal));
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [effectiveFrom, setEffectiveFrom] = useState(() => new Date().toISOString().slice(0, 10));
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'good' | 'bad'; text: string } | null>(null);
  const [rerating, setRerating] = useState<RerateView | null>(null);
  const body = card.data === null ? null : cardBody(card.data.card.card);
  const fields = body === null ? [] : cardFields(body);
  const groups = [...new Set(fields.map((f) => f.group))];
  const currency = body?.currency ?? 'GBP';

  const edited = (): ReturnType<typeof applyFields> | null => {
    if (body === null) return null;
    const result = applyFields(body, texts);
    setErrors(result.ok ? {} : result.errors);
    return result;
  };
  const act = (what: 'rerate' | 'save') => {
    const result = edited();
    if (result === null) return;
    if (!result.ok) return setMessage({ tone: 'bad', text: `Check ${Object.keys(result.errors).length === 1 ? 'the marked price' : 'the marked prices'}.` });
    setBusy(true);
    setMessage(null);
    const work =
      what === 'rerate'
        ? rerateWith(siteId, tenantId, period, result.card).then((r) => {
            setRerating(r);
            setMessage({ tone: 'good', text: `Re-rated ${period.from} to ${period.to}: ${formatDelta(r.totalDelta, currency)} on the total.` });
          })
        : putCard(siteId, tenantId, result.card, effectiveFrom).then((stored) => {
            setMessage({ tone: 'good', text: `Saved as version ${stored.version}, in force for periods from ${stored.effectiveFrom}.` });
            setTexts({});
            setAttempt((n) => n + 1);
          });
    work.catch((e: unknown) => setMessage({ tone: 'bad', text: messageOf(e) })).finally(() => setBusy(false));
  };

  return (
    <div>
      <Status loading={card.loading && card.data === null} error={card.error} />
      {card.data !== null && body !== null && (
        <form
          className="bill__card-form"
          aria-label={`Rate card of ${clientName}`}
          onSubmit={(e) => {
            e.preventDefault();
            act('rerate');
          }}
        >
          <p className="bill__muted">
            Version {card.data.card.version} of {card.data.versions.length}, in force from {card.data.card.effectiveFrom}
            {card.data.card.createdBy === null ? '' : `, by ${card.data.card.createdBy}`}. Storage is charged per {body.storage.basis}; prices in {currency}.
          </p>
          <div className="bill__groups">
            {groups.map((group) => (
              <fieldset key={group} className="bill__group">
                <legend>{group}</legend>
                {fields
                  .filter((f) => f.group === group)
                  .map((f) => {
                    const id = fieldId(f);
                    const wrong = errors[id];
                    return (
                      <div key={id} className="bill__field">
                        <label htmlFor={id}>{f.label}</label>
                        <input
                          id={id}
                          inputMode="decimal"
                          value={texts[id] ?? fieldText(f)}
                          aria-invalid={wrong !== undefined}
                          aria-describedby={wrong === undefined ? undefined : `${id}-error`}
                          onChange={(e) => setTexts({ ...texts, [id]: e.target.value })}
                        />
                        {wrong !== undefined && (
                          <span id={`${id}-error`} className="bill__bad bill__field-error">
                            {wrong}
                          </span>
                        )}
                      </div>
                    );
                  })}
              </fieldset>
            ))}
          </div>
          <div className="bill__actions">
            <button type="submit" disabled={busy}>
              Re-rate {period.from} to {period.to} with these prices
            </button>
            <label htmlFor="card-effective">Effective from</label>
            <input id="card-effective" type="date" value={effectiveFrom} required onChange={(e) => setEffectiveFrom(e.target.value)} />
            <button type="button" disabled={busy} onClick={() => act('save')}>
              Save as a new version
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() => {
                setTexts({});
                setErrors({});
                setRerating(null);
                setMessage(null);
              }}
            >
              Reset
            </button>
          </div>
          {message !== null && (
            <p role={message.tone === 'bad' ? 'alert' : 'status'} className={message.tone === 'bad' ? 'bill__bad' : 'bill__good'}>
              {message.text}
            </p>
          )}
        </form>
      )}
      {rerating !== null && <RerateTable rerating={rerating} period={period} currency={currency} />}
    </div>
  );
}

function RerateTable({ rerating, period, currency }: { rerating: RerateView; period: Period; currency: string }) {
  const changed = new Set(changedLines(rerating.lines).map((l) => l.code));
  const side = (s: RerateView['lines'][number]['before']) => (s === null ? '—' : `${formatQuantity(s.quantity)} × ${formatUnitPrice(s.unitPrice, currency)} = ${formatMoney(s.amount, currency)}`);
  return (
    <table className="bill__table" data-testid="rerate-table">
      <caption>
        Re-rating {period.from} to {period.to}: {changed.size} of {rerating.lines.length} lines change
      </caption>
      <thead>
        <tr>
          <th scope="col">Charge</th>
          <th scope="col" className="num">
            Card in force{rerating.before.cardVersion === null ? '' : ` (v${rerating.before.cardVersion})`}
          </th>
          <th scope="col" className="num">
            Edited card
          </th>
          <th scope="col" className="num">
            Difference
          </th>
        </tr>
      </thead>
      <tbody>
        {rerating.lines.map((l) => (
          <tr key={l.code} className={changed.has(l.code) ? 'bill__changed' : undefined} data-code={l.code} data-quantity={(l.after ?? l.before)?.quantity ?? 0}>
            <th scope="row">
              {l.description}
              <span className="bill__code">{l.code}</span>
            </th>
            <td className="num">{side(l.before)}</td>
            <td className="num">{side(l.after)}</td>
            <td className="num" data-minor={l.delta}>
              {formatDelta(l.delta, currency)}
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Total</th>
          <td className="num">{formatMoney(rerating.before.total, currency)}</td>
          <td className="num">{formatMoney(rerating.after.total, currency)}</td>
          <td className="num" data-testid="rerate-total-delta" data-minor={rerating.totalDelta}>
            {formatDelta(rerating.totalDelta, currency)}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}

function SimulatePanel({ siteId, tenantId, clientName, period }: { siteId: string; tenantId: string; clientName: string; period: Period }) {
  const [texts, setTexts] = useState<Record<string, string>>({ ...DEFAULT_VOLUMES });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [invoice, setInvoice] = useState<InvoiceView | null>(null);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const parsed = parseVolumes(texts);
    setErrors(parsed.ok ? {} : parsed.errors);
    if (!parsed.ok) return setProblem('Check the marked volumes.');
    setBusy(true);
    setProblem(null);
    simulateProspect(siteId, period, parsed.volumes, tenantId)
      .then(setInvoice)
      .catch((error: unknown) => setProblem(messageOf(error)))
      .finally(() => setBusy(false));
  };
  return (
    <div>
      <form className="bill__card-form" aria-label="Prospect volumes" onSubmit={submit}>
        <p className="bill__muted">
          What would a prospect pay over {period.from} to {period.to} on {clientName}’s rate card? Per-day figures apply to every day; per-period ones are spread
          over the days.
        </p>
        <fieldset className="bill__group bill__group--wide">
          <legend>Volumes</legend>
          {VOLUME_FIELDS.map((f) => {
            const id = `vol-${f.key}`;
            const wrong = errors[f.key];
            return (
              <div key={f.key} className="bill__field">
                <label htmlFor={id}>
                  {f.label}
                  {f.optional ? ' (optional)' : ''}
                </label>
                <input
                  id={id}
                  inputMode="decimal"
                  value={texts[f.key] ?? ''}
                  aria-invalid={wrong !== undefined}
                  aria-describedby={wrong === undefined ? undefined : `${id}-error`}
                  onChange={(e) => setTexts({ ...texts, [f.key]: e.target.value })}
                />
                {wrong !== undefined && (
                  <span id={`${id}-error`} className="bill__bad bill__field-error">
                    {wrong}
                  </span>
                )}
              </div>
            );
          })}
        </fieldset>
        <div className="bill__actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Simulating…' : 'Simulate the invoice'}
          </button>
        </div>
        {problem !== null && (
          <p role="alert" className="bill__bad">
            {problem}
          </p>
        )}
      </form>
      {invoice !== null && <InvoiceTable invoice={invoice} caption={`Simulated invoice, ${period.from} to ${period.to}, on ${clientName}’s card`} testId="simulated-table" />}
    </div>
  );
}
