/**
 * The 3PL client portal at /portal: a signed-in client sees its own stock (by SKU, lot, location class), orders and
 * their status, ASNs, returns, invoices (CSV/PDF, each line down to the events it counts), KPIs and the on-time SLA,
 * and its bins lit on a read-only 3D floor. Tabs follow the WAI-ARIA tab pattern (arrows, Home, End); every table
 * has a caption and header cells. The floor is a lazy chunk of its own (three.js loads only when the tab opens).
 */
import { lazy, Suspense, useEffect, useMemo, useState, type ReactNode } from 'react';
import {
  createOrder, fetchAsns, fetchDrillDown, fetchInvoice, fetchOrder, fetchOrders, fetchReturns, fetchSeries, fetchSites, fetchSla, fetchStock, fetchSummary,
  invoiceFileUrl, type InvoiceLine, type PortalSummary, type StockBy, type StockRow,
} from './portal-api.ts';
import { formatInstant, formatMoney, formatRate, formatUnits, missedCutoff, monthPeriod, orderProgress, parseOrderLines } from './portal-model.ts';
import { TabList } from '../views/TabList.tsx';
import { tabIds } from '../views/tab-list.ts';
import { fetchMe } from '../auth/auth-api.ts';
import { followOrders } from './portal-socket.ts';
import { useLoad } from './use-load.ts';
import { NewAsnForm, NewReturnForm } from './PortalForms.tsx';

const PortalFloor = lazy(() => import('./PortalFloor.tsx'));
// Charts of the KPIs tab: uPlot loads only when that tab opens.
const PortalKpiCharts = lazy(() => import('./PortalKpiCharts.tsx'));

const TABS = [
  { id: 'stock', label: 'Stock' },
  { id: 'orders', label: 'Orders' },
  { id: 'asns', label: 'ASNs' },
  { id: 'returns', label: 'Returns' },
  { id: 'invoices', label: 'Invoices' },
  { id: 'kpis', label: 'KPIs & SLA' },
  { id: 'floor', label: 'Floor' },
] as const;
type TabId = (typeof TABS)[number]['id'];

const tabFromHash = (): TabId => {
  const hash = window.location.hash.slice(1);
  return TABS.find((t) => t.id === hash)?.id ?? 'stock';
};

export function PortalApp() {
  const sites = useLoad('sites', (signal) => fetchSites(signal));
  const [chosenSite, setChosenSite] = useState<string | null>(() => new URLSearchParams(window.location.search).get('site'));
  const siteId = chosenSite ?? sites.data?.sites[0]?.id ?? null;
  const summary = useLoad(siteId, (signal) => fetchSummary(siteId ?? '', signal));
  const me = useLoad('me', (signal) => fetchMe(signal));
  const canOrder = me.data?.role === 'client-admin';
  const [tab, setTab] = useState<TabId>(tabFromHash);
  const choose = (id: TabId): void => {
    setTab(id);
    window.history.replaceState(null, '', `#${id}`);
  };

  const tenant = summary.data?.tenant;
  return (
    <div className="portal">
      <header className="portal__bar">
        <h1 className="portal__title">{tenant ? `${tenant.name} — client portal` : 'Client portal'}</h1>
        {summary.data && <span className="portal__muted">{summary.data.siteName} · as of {formatInstant(summary.data.at)} UTC</span>}
        {sites.data !== null && sites.data.sites.length > 1 && (
          <label className="portal__site">
            Site{' '}
            <select value={siteId ?? ''} onChange={(e) => setChosenSite(e.target.value)}>
              {sites.data.sites.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </header>
      {sites.error !== null && <p role="alert" className="portal__error">Could not load your sites: {sites.error}</p>}
      {summary.error !== null && <p role="alert" className="portal__error">Could not load the portal: {summary.error}</p>}
      {summary.data !== null && <SummaryCards summary={summary.data} />}
      <TabList tabs={TABS} selected={tab} onSelect={choose} label="Portal sections" idPrefix="" block="portal" />
      <section role="tabpanel" id={tabIds('', tab).panel} aria-labelledby={tabIds('', tab).tab} className="portal__panel" tabIndex={0}>
        {siteId === null ? (
          <p role="status">{sites.loading ? 'Loading…' : 'No site to show.'}</p>
        ) : tab === 'stock' ? (
          <StockPanel siteId={siteId} />
        ) : tab === 'orders' ? (
          <OrdersPanel siteId={siteId} at={summary.data?.at ?? null} canOrder={canOrder} />
        ) : tab === 'asns' ? (
          <AsnsPanel siteId={siteId} canWrite={canOrder} />
        ) : tab === 'returns' ? (
          <ReturnsPanel siteId={siteId} canWrite={canOrder} />
        ) : tab === 'invoices' ? (
          <InvoicesPanel siteId={siteId} at={summary.data?.at ?? null} />
        ) : tab === 'kpis' ? (
          <KpisPanel siteId={siteId} at={summary.data?.at ?? null} />
        ) : tenant ? (
          <Suspense fallback={<p role="status">Loading the 3D floor…</p>}>
            <PortalFloor siteId={siteId} tenant={tenant} />
          </Suspense>
        ) : (
          <p role="status">Loading…</p>
        )}
      </section>
    </div>
  );
}

function SummaryCards({ summary }: { summary: PortalSummary }) {
  const open = Object.entries(summary.orders)
    .filter(([status]) => status !== 'despatched' && status !== 'cancelled')
    .reduce((n, [, count]) => n + count, 0);
  const cards: [string, string][] = [
    ['Units on hand', formatUnits(summary.stock.onHand)],
    ['Available', formatUnits(summary.stock.available)],
    ['SKUs in stock', formatUnits(summary.stock.skus)],
    ['Orders in progress', formatUnits(open)],
    ['Orders despatched', formatUnits(summary.orders['despatched'] ?? 0)],
    ['Open ASNs', formatUnits(summary.openAsns)],
    ['Open returns', formatUnits(summary.openRmas)],
  ];
  return (
    <dl className="portal__cards" data-testid="portal-summary">
      {cards.map(([label, value]) => (
        <div key={label} className="portal__card">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Status({ loading, error, children }: { loading: boolean; error: string | null; children?: ReactNode }) {
  if (error !== null) return <p role="alert" className="portal__error">{error}</p>;
  if (loading) return <p role="status">Loading…</p>;
  return children ?? null;
}

const PAGE = 50;

function Pager({ offset, total, onChange, page = PAGE }: { offset: number; total: number; onChange: (offset: number) => void; page?: number }) {
  if (total <= page) return null;
  return (
    <nav className="portal__pager" aria-label="Pages">
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - page))}>
        Previous
      </button>
      <span>
        {offset + 1}–{Math.min(total, offset + page)} of {formatUnits(total)}
      </span>
      <button type="button" disabled={offset + page >= total} onClick={() => onChange(offset + page)}>
        Next
      </button>
    </nav>
  );
}

const CLASS_LABELS: Record<string, string> = { 'pick-face': 'Pick faces', reserve: 'Reserve racking', dock: 'Goods-in dock', returns: 'Returns desk' };

function StockPanel({ siteId }: { siteId: string }) {
  const [by, setBy] = useState<StockBy>('sku');
  const [offset, setOffset] = useState(0);
  const [skuFilter, setSkuFilter] = useState('');
  const sku = skuFilter.trim() === '' ? undefined : skuFilter.trim();
  const stock = useLoad(`${siteId}|${by}|${offset}|${sku ?? ''}`, (signal) => fetchStock(siteId, by, { limit: PAGE, offset, ...(sku === undefined ? {} : { skuId: sku }) }, signal));
  const units = (r: StockRow) => (
    <>
      <td className="num">{formatUnits(r.onHand)}</td>
      <td className="num">{formatUnits(r.reserved)}</td>
      <td className="num">{formatUnits(r.held)}</td>
      <td className="num">{formatUnits(r.available)}</td>
      <td className="num">{formatUnits(r.bins)}</td>
    </>
  );
  return (
    <div>
      <div className="portal__controls">
        <fieldset className="portal__segmented">
          <legend>Group stock by</legend>
          {(['sku', 'lot', 'class'] as const).map((b) => (
            <label key={b}>
              <input
                type="radio"
                name="stock-by"
                value={b}
                checked={by === b}
                onChange={() => {
                  setBy(b);
                  setOffset(0);
                }}
              />
              {b === 'sku' ? 'SKU' : b === 'lot' ? 'Lot' : 'Location class'}
            </label>
          ))}
        </fieldset>
        <form
          className="portal__filter"
          onSubmit={(e) => {
            e.preventDefault();
            const input = new FormData(e.currentTarget).get('sku');
            setSkuFilter(typeof input === 'string' ? input : '');
            setOffset(0);
          }}
        >
          <label htmlFor="stock-sku">SKU</label>
          <input id="stock-sku" name="sku" defaultValue={skuFilter} placeholder="e.g. SKU-00002" />
          <button type="submit">Filter</button>
        </form>
      </div>
      <Status loading={stock.loading} error={stock.error}>
        {stock.data && (
          <>
            <p className="portal__muted">
              {formatUnits(stock.data.totals.onHand)} units of {formatUnits(stock.data.totals.skus)} SKUs in {formatUnits(stock.data.totals.bins)} locations.
            </p>
            <table className="portal__table" data-testid="portal-stock">
              <caption>Stock by {by === 'sku' ? 'SKU' : by === 'lot' ? 'lot' : 'location class'}</caption>
              <thead>
                <tr>
                  {by === 'class' ? <th scope="col">Location class</th> : <th scope="col">SKU</th>}
                  {by === 'sku' && <th scope="col">Description</th>}
                  {by === 'lot' && <th scope="col">Lot</th>}
                  {by === 'lot' && <th scope="col">Expiry</th>}
                  <th scope="col" className="num">On hand</th>
                  <th scope="col" className="num">Reserved</th>
                  <th scope="col" className="num">On hold</th>
                  <th scope="col" className="num">Available</th>
                  <th scope="col" className="num">Locations</th>
                </tr>
              </thead>
              <tbody>
                {stock.data.rows.map((r) => (
                  <tr key={`${r.skuId ?? r.locationClass}|${r.lot ?? ''}|${r.expiry ?? ''}`}>
                    <th scope="row">{by === 'class' ? (CLASS_LABELS[r.locationClass ?? ''] ?? r.locationClass) : r.skuId}</th>
                    {by === 'sku' && <td>{r.description}</td>}
                    {by === 'lot' && <td>{r.lot === '' ? '—' : r.lot}</td>}
                    {by === 'lot' && <td>{r.expiry ?? '—'}</td>}
                    {units(r)}
                  </tr>
                ))}
              </tbody>
            </table>
            {stock.data.rows.length === 0 && <p>No stock{sku === undefined ? '' : ` of ${sku}`}.</p>}
            <Pager offset={offset} total={stock.data.total} onChange={setOffset} />
          </>
        )}
      </Status>
    </div>
  );
}

const ORDER_STATUSES = ['open', 'allocated', 'released', 'picked', 'packed', 'despatched', 'cancelled'] as const;

function OrdersPanel({ siteId, at, canOrder }: { siteId: string; at: string | null; canOrder: boolean }) {
  const [status, setStatus] = useState<string>('');
  const [offset, setOffset] = useState(0);
  const [openId, setOpenId] = useState<string | null>(null);
  const orders = useLoad(`${siteId}|${status}|${offset}`, (signal) => fetchOrders(siteId, { limit: PAGE, offset, ...(status === '' ? {} : { status }) }, signal));
  const detail = useLoad(openId === null ? null : `${siteId}|${openId}`, (signal) => fetchOrder(siteId, openId ?? '', signal));
  const now = at ?? new Date(0).toISOString();
  // Statuses pushed on the portal socket since the list was loaded; ids not in the list are new orders.
  const [pushed, setPushed] = useState<Readonly<Record<string, string>>>({});
  const [live, setLive] = useState(false);
  useEffect(
    () =>
      followOrders(
        siteId,
        (changed) => setPushed((prev) => ({ ...prev, ...Object.fromEntries(changed.map((o) => [o.id, o.status])) })),
        setLive,
      ),
    [siteId],
  );
  const shown = new Set(orders.data?.orders.map((o) => o.id) ?? []);
  const unseen = Object.keys(pushed).filter((id) => !shown.has(id)).length;
  const refresh = (): void => {
    setPushed({});
    orders.reload();
  };
  return (
    <div className="portal__split">
      <div>
        {canOrder && <NewOrderForm siteId={siteId} onCreated={refresh} />}
        <div className="portal__controls">
          <span role="status" className={live ? 'portal__live' : 'portal__muted'}>
            {live ? '● Live' : 'Not live'}
          </span>
          {unseen > 0 && (
            <button type="button" onClick={refresh}>
              {unseen} new or changed — refresh
            </button>
          )}
          <label htmlFor="order-status">Status</label>
          <select
            id="order-status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              setOffset(0);
            }}
          >
            <option value="">All{orders.data ? ` (${formatUnits(Object.values(orders.data.byStatus).reduce((a, b) => a + b, 0))})` : ''}</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s} {orders.data ? `(${orders.data.byStatus[s] ?? 0})` : ''}
              </option>
            ))}
          </select>
        </div>
        <Status loading={orders.loading} error={orders.error}>
          {orders.data && (
            <>
              <table className="portal__table" data-testid="portal-orders">
                <caption>Your orders, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Order</th>
                    <th scope="col">Your ref</th>
                    <th scope="col">Status</th>
                    <th scope="col">Created</th>
                    <th scope="col">Cut-off</th>
                    <th scope="col" className="num">Picked</th>
                  </tr>
                </thead>
                <tbody>
                  {orders.data.orders.map((o) => {
                    const p = orderProgress(o);
                    const status = pushed[o.id] ?? o.status;
                    const late = missedCutoff({ ...o, status }, now);
                    return (
                      <tr key={o.id} aria-selected={openId === o.id}>
                        <th scope="row">
                          <button type="button" className="portal__link" onClick={() => setOpenId(o.id)} aria-expanded={openId === o.id}>
                            {o.id}
                          </button>
                        </th>
                        <td>{o.externalRef ?? '—'}</td>
                        <td>
                          <span className={`portal__status portal__status--${status}`}>{status}</span>
                        </td>
                        <td>{formatInstant(o.createdAt)}</td>
                        <td className={late ? 'portal__late' : undefined}>
                          {formatInstant(o.dueAt)}
                          {late ? ' (missed)' : ''}
                        </td>
                        <td className="num">
                          {p.picked}/{p.wanted}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              {orders.data.orders.length === 0 && <p>No orders{status === '' ? '' : ` with status ${status}`}.</p>}
              <Pager offset={offset} total={orders.data.total} onChange={setOffset} />
            </>
          )}
        </Status>
      </div>
      {openId !== null && (
        <aside className="portal__detail" aria-label={`Order ${openId}`}>
          <div className="portal__detail-head">
            <h2>Order {openId}</h2>
            <button type="button" onClick={() => setOpenId(null)} aria-label="Close the order">
              ×
            </button>
          </div>
          <Status loading={detail.loading} error={detail.error}>
            {detail.data && (
              <>
                <dl className="portal__facts">
                  <dt>Status</dt>
                  <dd>{detail.data.status}</dd>
                  <dt>Service</dt>
                  <dd>{detail.data.service ?? '—'}</dd>
                  <dt>Carrier</dt>
                  <dd>{detail.data.carrier ?? '—'}</dd>
                  <dt>Tracking</dt>
                  <dd>{detail.data.trackingNumber ?? '—'}</dd>
                  <dt>Despatched</dt>
                  <dd>{formatInstant(detail.data.despatchedAt)}</dd>
                </dl>
                <table className="portal__table">
                  <caption>Lines</caption>
                  <thead>
                    <tr>
                      <th scope="col">SKU</th>
                      <th scope="col" className="num">Ordered</th>
                      <th scope="col" className="num">Allocated</th>
                      <th scope="col" className="num">Picked</th>
                      <th scope="col" className="num">Short</th>
                    </tr>
                  </thead>
                  <tbody>
                    {detail.data.lines.map((l) => (
                      <tr key={l.lineNo}>
                        <th scope="row">{l.skuId}</th>
                        <td className="num">{l.qty}</td>
                        <td className="num">{l.allocated}</td>
                        <td className="num">{l.picked}</td>
                        <td className="num">{l.shorted}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </Status>
        </aside>
      )}
    </div>
  );
}

const formText = (value: FormDataEntryValue | null): string => (typeof value === 'string' ? value : '');

/** A client admin's order: a reference, a service, and `SKU quantity` lines; the server resolves SKUs in the tenant. */
function NewOrderForm({ siteId, onCreated }: { siteId: string; onCreated: () => void }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'good' | 'bad'; text: string } | null>(null);
  if (!open) {
    return (
      <p>
        <button type="button" onClick={() => setOpen(true)}>
          New order…
        </button>
        {message !== null && (
          <span role="status" className="portal__good">
            {' '}
            {message.text}
          </span>
        )}
      </p>
    );
  }
  return (
    <form
      className="portal__form"
      aria-label="New order"
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        const parsed = parseOrderLines(formText(data.get('lines')));
        if (!parsed.ok) return setMessage({ tone: 'bad', text: parsed.error });
        const ref = formText(data.get('ref')).trim();
        const service = formText(data.get('service'));
        setBusy(true);
        createOrder(siteId, { lines: parsed.lines, ...(ref === '' ? {} : { externalRef: ref }), ...(service === '' ? {} : { service }) })
          .then((order) => {
            setMessage({ tone: 'good', text: `Order ${order.id} placed (${order.status}).` });
            setOpen(false);
            onCreated();
          })
          .catch((error: unknown) => setMessage({ tone: 'bad', text: error instanceof Error ? error.message : String(error) }))
          .finally(() => setBusy(false));
      }}
    >
      <label htmlFor="order-ref">Your reference</label>
      <input id="order-ref" name="ref" maxLength={128} />
      <label htmlFor="order-service">Service</label>
      <select id="order-service" name="service" defaultValue="">
        <option value="">Standard (default)</option>
        <option value="express">Express</option>
        <option value="next-day">Next day</option>
      </select>
      <label htmlFor="order-lines">Lines: one “SKU quantity” per line</label>
      <textarea id="order-lines" name="lines" rows={4} required placeholder={'SKU-00002 3\nSKU-00010 1'} />
      <div className="portal__form-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Placing…' : 'Place order'}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      {message !== null && (
        <p role={message.tone === 'bad' ? 'alert' : 'status'} className={message.tone === 'bad' ? 'portal__error' : 'portal__good'}>
          {message.text}
        </p>
      )}
    </form>
  );
}

function AsnsPanel({ siteId, canWrite }: { siteId: string; canWrite: boolean }) {
  const asns = useLoad(`${siteId}|asns`, (signal) => fetchAsns(siteId, signal));
  return (
    <>
      {canWrite && <NewAsnForm siteId={siteId} onCreated={() => asns.reload()} />}
      <Status loading={asns.loading} error={asns.error}>
        {asns.data && (
          <table className="portal__table" data-testid="portal-asns">
            <caption>Advance shipping notices</caption>
            <thead>
              <tr>
                <th scope="col">ASN</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col" className="num">Expected</th>
                <th scope="col" className="num">Received</th>
                <th scope="col" className="num">Damaged</th>
              </tr>
            </thead>
            <tbody>
              {asns.data.asns.map((a) => (
                <tr key={a.asnRef}>
                  <th scope="row">{a.asnRef}</th>
                  <td>{a.status}</td>
                  <td>{formatInstant(a.createdAt)}</td>
                  <td className="num">{formatUnits(a.lines.reduce((n, l) => n + l.expectedQty, 0))}</td>
                  <td className="num">{formatUnits(a.lines.reduce((n, l) => n + l.receivedQty, 0))}</td>
                  <td className="num">{formatUnits(a.lines.reduce((n, l) => n + l.damagedQty, 0))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {asns.data?.asns.length === 0 && <p>No ASNs yet.</p>}
      </Status>
    </>
  );
}

function ReturnsPanel({ siteId, canWrite }: { siteId: string; canWrite: boolean }) {
  const rmas = useLoad(`${siteId}|rmas`, (signal) => fetchReturns(siteId, signal));
  return (
    <>
      {canWrite && <NewReturnForm siteId={siteId} onCreated={() => rmas.reload()} />}
      <Status loading={rmas.loading} error={rmas.error}>
        {rmas.data && (
          <table className="portal__table" data-testid="portal-returns">
            <caption>Returns (RMAs)</caption>
            <thead>
              <tr>
                <th scope="col">RMA</th>
                <th scope="col">Order</th>
                <th scope="col">Status</th>
                <th scope="col">Reasons</th>
                <th scope="col" className="num">Authorised</th>
                <th scope="col" className="num">Received</th>
                <th scope="col" className="num">Inspected</th>
              </tr>
            </thead>
            <tbody>
              {rmas.data.rmas.map((r) => (
                <tr key={r.rmaId}>
                  <th scope="row">{r.rmaId}</th>
                  <td>{r.orderId}</td>
                  <td>{r.status}</td>
                  <td>{[...new Set(r.lines.map((l) => l.reason))].join(', ')}</td>
                  <td className="num">{formatUnits(r.lines.reduce((n, l) => n + l.qty, 0))}</td>
                  <td className="num">{formatUnits(r.lines.reduce((n, l) => n + l.receivedQty, 0))}</td>
                  <td className="num">{formatUnits(r.lines.reduce((n, l) => n + l.inspectedQty, 0))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {rmas.data?.rmas.length === 0 && <p>No returns yet.</p>}
      </Status>
    </>
  );
}

function InvoicesPanel({ siteId, at }: { siteId: string; at: string | null }) {
  const now = at ?? new Date().toISOString();
  const periods = useMemo(() => [0, 1, 2, 3].map((back) => monthPeriod(now, back)), [now]);
  const [chosen, setChosen] = useState(0);
  const period = periods[chosen] ?? periods[0];
  const invoice = useLoad(period ? `${siteId}|${period.from}|${period.to}` : null, (signal) => fetchInvoice(siteId, period?.from ?? '', period?.to ?? '', signal));
  const [openLine, setOpenLine] = useState<string | null>(null);
  const currency = invoice.data?.currency ?? 'GBP';
  return (
    <div>
      <div className="portal__controls">
        <label htmlFor="invoice-period">Period</label>
        <select id="invoice-period" value={chosen} onChange={(e) => setChosen(Number(e.target.value))}>
          {periods.map((p, i) => (
            <option key={p.from} value={i}>
              {p.label}
              {i === 0 ? ' (to date)' : ''}
            </option>
          ))}
        </select>
        {period && (
          <>
            <a className="portal__button" href={invoiceFileUrl(siteId, period.from, period.to, 'csv')} download>
              Download CSV
            </a>
            <a className="portal__button" href={invoiceFileUrl(siteId, period.from, period.to, 'pdf')} download>
              Download PDF
            </a>
          </>
        )}
      </div>
      <Status loading={invoice.loading} error={invoice.error}>
        {invoice.data && (
          <table className="portal__table" data-testid="portal-invoice">
            <caption>
              Invoice {period?.label}: {formatMoney(invoice.data.total, currency)}
            </caption>
            <thead>
              <tr>
                <th scope="col">Charge</th>
                <th scope="col" className="num">Quantity</th>
                <th scope="col">Unit</th>
                <th scope="col" className="num">Unit price</th>
                <th scope="col" className="num">Amount</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {invoice.data.lines.map((line) => (
                <InvoiceRow
                  key={line.code}
                  siteId={siteId}
                  period={period ?? { from: '', to: '' }}
                  line={line}
                  currency={currency}
                  open={openLine === line.code}
                  onToggle={() => setOpenLine(openLine === line.code ? null : line.code)}
                />
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={4}>
                  Total
                </th>
                <td className="num">{formatMoney(invoice.data.total, currency)}</td>
                <td />
              </tr>
            </tfoot>
          </table>
        )}
      </Status>
    </div>
  );
}

const DRILL_PAGE = 100;

function InvoiceRow({ siteId, period, line, currency, open, onToggle }: { siteId: string; period: { from: string; to: string }; line: InvoiceLine; currency: string; open: boolean; onToggle: () => void }) {
  const [offset, setOffset] = useState(0);
  const drill = useLoad(open ? `${siteId}|${period.from}|${period.to}|${line.code}|${offset}` : null, (signal) =>
    fetchDrillDown(siteId, line.code, { from: period.from, to: period.to, limit: DRILL_PAGE, offset }, signal),
  );
  return (
    <>
      <tr>
        <th scope="row">{line.description}</th>
        <td className="num">{formatUnits(line.quantity)}</td>
        <td>{line.unit}</td>
        <td className="num">{formatMoney(line.unitPrice, currency)}</td>
        <td className="num">{formatMoney(line.amount, currency)}</td>
        <td>
          <button type="button" className="portal__link" aria-expanded={open} onClick={onToggle}>
            {open ? 'Hide' : 'Show'} {formatUnits(line.eventSeqs.length)} events
          </button>
        </td>
      </tr>
      {open && (
        <tr className="portal__drill">
          <td colSpan={6}>
            <Status loading={drill.loading} error={drill.error}>
              {drill.data && (
                <>
                  <ul aria-label={`What ${line.description} counts`}>
                    {drill.data.items.map((item, i) => (
                      <li key={`${item.ref}|${item.day}|${i}`}>
                        {item.day}: {item.ref} — {formatUnits(item.quantity)} {line.unit}
                        {item.seqs.length > 0 && `; events ${item.events.map((e) => `#${e.seq} ${e.event.type}`).join(', ') || item.seqs.map((seq) => `#${seq}`).join(', ')}`}
                      </li>
                    ))}
                  </ul>
                  <Pager offset={offset} total={drill.data.total} onChange={setOffset} page={DRILL_PAGE} />
                </>
              )}
            </Status>
          </td>
        </tr>
      )}
    </>
  );
}

const KPI_METRICS = [
  { metric: 'orders_received', label: 'Orders received', format: (v: number) => formatUnits(v) },
  { metric: 'orders_despatched', label: 'Orders despatched', format: (v: number) => formatUnits(v) },
  { metric: 'lead_time_p50_ms', label: 'Median lead time', format: (v: number) => `${(v / 3_600_000).toFixed(1)} h` },
  { metric: 'on_time_rate', label: 'On time (analytics)', format: (v: number) => formatRate(v) },
  { metric: 'pick_accuracy', label: 'Pick accuracy', format: (v: number) => formatRate(v) },
] as const;

function KpisPanel({ siteId, at }: { siteId: string; at: string | null }) {
  const [days, setDays] = useState(14);
  const sla = useLoad(`${siteId}|sla|${days}`, (signal) => fetchSla(siteId, days, signal));
  const to = at === null ? null : new Date((Math.floor(Date.parse(at) / 86_400_000) + 1) * 86_400_000).toISOString();
  const from = to === null ? null : new Date(Date.parse(to) - days * 86_400_000).toISOString();
  const series = useLoad(to === null ? null : `${siteId}|kpi|${days}|${to}`, (signal) =>
    Promise.all(KPI_METRICS.map((k) => fetchSeries(siteId, { metric: k.metric, from: from ?? '', to: to ?? '', bucket: 'day' }, signal))),
  );
  return (
    <div>
      <div className="portal__controls">
        <label htmlFor="kpi-days">Window</label>
        <select id="kpi-days" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {[7, 14, 30, 90].map((d) => (
            <option key={d} value={d}>
              last {d} days
            </option>
          ))}
        </select>
      </div>
      <Status loading={sla.loading} error={sla.error}>
        {sla.data && (
          <>
            <p className="portal__headline" data-testid="portal-sla-rate">
              Despatched on time: <strong>{formatRate(sla.data.totals.rate)}</strong> ({formatUnits(sla.data.totals.onTime)} on time, {formatUnits(sla.data.totals.late)} late,{' '}
              {formatUnits(sla.data.totals.pending)} due later)
            </p>
            <table className="portal__table" data-testid="portal-sla">
              <caption>SLA: orders despatched before their carrier cut-off, by day of the cut-off (UTC)</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col" className="num">Due</th>
                  <th scope="col" className="num">On time</th>
                  <th scope="col" className="num">Late</th>
                  <th scope="col" className="num">Pending</th>
                  <th scope="col" className="num">On-time rate</th>
                </tr>
              </thead>
              <tbody>
                {sla.data.days.map((d) => (
                  <tr key={d.day}>
                    <th scope="row">{d.day}</th>
                    <td className="num">{d.due}</td>
                    <td className="num">{d.onTime}</td>
                    <td className={d.late > 0 ? 'num portal__late' : 'num'}>{d.late}</td>
                    <td className="num">{d.pending}</td>
                    <td className="num">
                      <span className="portal__bar-cell">
                        <span className="portal__bar-fill" style={{ width: `${Math.round((d.rate ?? 0) * 100)}%` }} aria-hidden="true" />
                        <span className="portal__bar-text">{formatRate(d.rate)}</span>
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Status>
      <Status loading={series.loading} error={series.error === null ? null : `KPIs: ${series.error}`}>
        {series.data && (
          <Suspense fallback={<p role="status">Loading the charts…</p>}>
            <PortalKpiCharts series={series.data} />
          </Suspense>
        )}
        {series.data && (
          <table className="portal__table" data-testid="portal-kpis">
            <caption>KPIs per day</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                {KPI_METRICS.map((k) => (
                  <th key={k.metric} scope="col" className="num">
                    {k.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {(series.data[0]?.points ?? []).map((p, row) => (
                <tr key={String(p.t)}>
                  <th scope="row">{new Date(p.t).toISOString().slice(0, 10)}</th>
                  {KPI_METRICS.map((k, col) => {
                    const value = series.data?.[col]?.points[row]?.value ?? null;
                    return (
                      <td key={k.metric} className="num">
                        {value === null ? '–' : k.format(value)}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Status>
    </div>
  );
}
