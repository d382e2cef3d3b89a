/**
 * The inspector: what the selected location, SKU, order or operative holds (stock by lot, open tasks, history),
 * refreshed every few seconds while open. Clicking a bin on the floor (the camera store's selected location) opens it
 * for that bin; a row naming another thing inspects that and flies there. Escape or × closes it.
 */
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import type { CameraStore } from '../net/camera-store.ts';
import {
  fetchInspection,
  focusOn,
  InspectApiError,
  KIND_LABEL,
  layoutIndex,
  locationPoint,
  type Inspection,
  type InspectRef,
  type InspectSelection,
  type LocationInspectionView,
  type OperativeInspectionView,
  type OrderInspectionView,
  type SkuInspectionView,
} from '../net/inspect-api.ts';
import './inspect.css';

/** Props of `InspectPanel`. */
export interface InspectPanelProps {
  readonly siteId: string;
  readonly selection: InspectSelection;
  readonly camera: CameraStore;
  readonly layout: LayoutView;
  /** Overlays an operative's route (the route panel's selection). */
  readonly onShowRoute?: (operativeId: string) => void;
  /** Re-read the inspected thing this often while open. */
  readonly refreshMs?: number;
}

type Load =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly inspection: Inspection }
  | { readonly status: 'error'; readonly message: string };

const number = new Intl.NumberFormat('en-GB');
const n = (v: number): string => number.format(v);
const time = (iso: string | null): string => (iso === null ? '–' : new Date(iso).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'UTC' }));

/** A go-to: inspects `ref` and flies to (x, y) when given. */
type Go = (ref: InspectRef, place?: { x: number; y: number }) => void;

function Ref({ go, target, place, children }: { go: Go; target: InspectRef; place?: { x: number; y: number } | undefined; children?: ReactNode }) {
  return (
    <button type="button" className="inspect-link" onClick={() => go(target, place)} title={`Inspect ${KIND_LABEL[target.kind].toLowerCase()} ${target.id}`}>
      {children ?? target.id}
    </button>
  );
}

function LocationBody({ view, go, point }: { view: LocationInspectionView; go: Go; point: (id: string) => { x: number; y: number } | undefined }) {
  return (
    <>
      <p className="inspect-panel__meta">
        Aisle {view.aisle} · bay {view.bay} · level {view.level} · side {view.side} · zone {view.zone} · ({view.x.toFixed(1)}, {view.y.toFixed(1)}) m
      </p>
      {view.countRequest !== null && (
        <p className="inspect-panel__flag" role="status">
          Count requested: {view.countRequest.reason}
          {view.countRequest.taskId !== null && ` (task ${view.countRequest.taskId})`} at {time(view.countRequest.at)}
        </p>
      )}
      <h3 className="inspect-panel__h">Stock</h3>
      {view.stock.length === 0 ? (
        <p className="inspect-panel__empty">Empty.</p>
      ) : (
        <table className="inspect-table">
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Lot</th>
              <th scope="col">Expiry</th>
              <th scope="col" className="num">On hand</th>
              <th scope="col" className="num">Reserved</th>
              <th scope="col" className="num">Available</th>
            </tr>
          </thead>
          <tbody>
            {view.stock.map((s) => (
              <tr key={`${s.tenantId}|${s.skuId}|${s.lot}`}>
                <td>
                  <Ref go={go} target={{ kind: 'sku', id: s.skuId }} />
                  <span className="inspect-panel__sub">{s.description} · {s.tenantId}</span>
                </td>
                <td>{s.lot === '' ? '–' : s.lot}</td>
                <td>{s.expiry ?? '–'}</td>
                <td className="num">{n(s.onHand)}</td>
                <td className="num">{n(s.reserved)}</td>
                <td className="num">{n(s.available)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>
                Total (capacity {n(view.capacityUnits)})
              </th>
              <td className="num">{n(view.totals.onHand)}</td>
              <td className="num">{n(view.totals.reserved)}</td>
              <td className="num">{n(view.totals.available)}</td>
            </tr>
          </tfoot>
        </table>
      )}
      <h3 className="inspect-panel__h">Open tasks ({view.openTasks.length})</h3>
      {view.openTasks.length === 0 ? (
        <p className="inspect-panel__empty">None.</p>
      ) : (
        <ul className="inspect-list">
          {view.openTasks.map((t) => (
            <li key={t.taskId}>
              {t.taskId}: {n(t.qty)} × {t.skuId} for <Ref go={go} target={{ kind: 'order', id: t.orderId }} /> · {t.status}
              {t.operativeId !== null && (
                <>
                  {' '}· <Ref go={go} target={{ kind: 'operative', id: t.operativeId }} />
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <h3 className="inspect-panel__h">History (last {view.history.length})</h3>
      {view.history.length === 0 ? (
        <p className="inspect-panel__empty">No moves yet.</p>
      ) : (
        <table className="inspect-table inspect-table--history">
          <thead>
            <tr>
              <th scope="col">When (UTC)</th>
              <th scope="col">Move</th>
              <th scope="col" className="num">Qty</th>
              <th scope="col">SKU / lot</th>
            </tr>
          </thead>
          <tbody>
            {view.history.map((m) => {
              const other = m.direction === 'in' ? m.fromLocation : m.toLocation;
              const otherPoint = point(other);
              return (
                <tr key={`${m.seq}-${m.idx}`}>
                  <td>{time(m.at)}</td>
                  <td>
                    <span className={`inspect-dir inspect-dir--${m.direction}`}>{m.direction === 'in' ? 'in from' : 'out to'}</span>{' '}
                    {otherPoint !== undefined ? <Ref go={go} target={{ kind: 'location', id: other }} place={otherPoint} /> : other}
                    {m.orderId !== null && (
                      <>
                        {' '}· <Ref go={go} target={{ kind: 'order', id: m.orderId }} />
                      </>
                    )}
                  </td>
                  <td className="num">{m.direction === 'in' ? '+' : '−'}{n(m.qty)}</td>
                  <td>
                    {m.skuId}
                    {m.lot !== '' && ` / ${m.lot}`}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

function SkuBody({ view, go }: { view: SkuInspectionView; go: Go }) {
  return (
    <>
      <p className="inspect-panel__meta">
        {view.description} · barcode {view.barcode} · {view.tenantId}
        {view.lotTracked && ' · lot-tracked'}
      </p>
      <dl className="inspect-figures">
        <div><dt>On hand</dt><dd>{n(view.onHand)}</dd></div>
        <div><dt>Reserved</dt><dd>{n(view.reserved)}</dd></div>
        <div><dt>Available</dt><dd className={view.available === 0 ? 'inspect-bad' : undefined}>{n(view.available)}</dd></div>
        <div><dt>Backordered</dt><dd className={view.backordered > 0 ? 'inspect-bad' : undefined}>{n(view.backordered)}</dd></div>
      </dl>
      <h3 className="inspect-panel__h">Stock by location ({view.stock.length})</h3>
      {view.stock.length === 0 ? (
        <p className="inspect-panel__empty">In no bin.</p>
      ) : (
        <table className="inspect-table">
          <thead>
            <tr>
              <th scope="col">Location</th>
              <th scope="col">Lot</th>
              <th scope="col">Expiry</th>
              <th scope="col" className="num">On hand</th>
              <th scope="col" className="num">Available</th>
            </tr>
          </thead>
          <tbody>
            {view.stock.map((s) => (
              <tr key={`${s.locationId}|${s.lot}`}>
                <td><Ref go={go} target={{ kind: 'location', id: s.locationId }} place={{ x: s.x, y: s.y }} /></td>
                <td>{s.lot === '' ? '–' : s.lot}</td>
                <td>{s.expiry ?? '–'}</td>
                <td className="num">{n(s.onHand)}</td>
                <td className="num">{n(s.available)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3 className="inspect-panel__h">Open orders needing it ({view.openOrders.length})</h3>
      {view.openOrders.length === 0 ? (
        <p className="inspect-panel__empty">None.</p>
      ) : (
        <ul className="inspect-list">
          {view.openOrders.map((o) => (
            <li key={o.orderId}>
              <Ref go={go} target={{ kind: 'order', id: o.orderId }} />
              {o.externalRef !== null && ` (${o.externalRef})`} · {o.status} · {n(o.outstanding)} to pick
              {o.backordered > 0 && <span className="inspect-bad"> · {n(o.backordered)} backordered</span>}
              {o.dueAt !== null && ` · due ${time(o.dueAt)}`}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function OrderBody({ view, go, point }: { view: OrderInspectionView; go: Go; point: (id: string) => { x: number; y: number } | undefined }) {
  return (
    <>
      <p className="inspect-panel__meta">
        {view.status} · {view.tenantId} · {view.channel}
        {view.externalRef !== null && ` · ${view.externalRef}`} · priority {view.priority}
      </p>
      <p className="inspect-panel__meta">
        Created {time(view.createdAt)} · due {time(view.dueAt)}
        {view.trackingNumber !== null && ` · ${view.carrier ?? ''} ${view.trackingNumber}`}
      </p>
      <h3 className="inspect-panel__h">Lines</h3>
      <table className="inspect-table">
        <thead>
          <tr>
            <th scope="col">SKU</th>
            <th scope="col" className="num">Qty</th>
            <th scope="col" className="num">Alloc.</th>
            <th scope="col" className="num">Back.</th>
            <th scope="col" className="num">Picked</th>
            <th scope="col" className="num">Short</th>
          </tr>
        </thead>
        <tbody>
          {view.lines.map((l) => (
            <tr key={l.lineNo}>
              <td><Ref go={go} target={{ kind: 'sku', id: l.skuId }} /></td>
              <td className="num">{n(l.qty)}</td>
              <td className="num">{n(l.allocated)}</td>
              <td className="num">{n(l.backordered)}</td>
              <td className="num">{n(l.picked)}</td>
              <td className="num">{n(l.shorted)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 className="inspect-panel__h">Tasks ({view.tasks.length})</h3>
      {view.tasks.length === 0 ? (
        <p className="inspect-panel__empty">None released.</p>
      ) : (
        <ul className="inspect-list">
          {view.tasks.map((t) => (
            <li key={t.id}>
              {t.id}
              {t.locationId !== undefined && (
                <>
                  {' '}at <Ref go={go} target={{ kind: 'location', id: t.locationId }} place={point(t.locationId)} />
                </>
              )}
              {t.qty !== undefined && ` · ${n(t.qty)} × ${t.skuId ?? ''}`}
              {t.status !== undefined && ` · ${t.status}`}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function OperativeBody({ view, go, point, onShowRoute }: { view: OperativeInspectionView; go: Go; point: (id: string) => { x: number; y: number } | undefined; onShowRoute?: ((id: string) => void) | undefined }) {
  return (
    <>
      <p className="inspect-panel__meta">
        {view.name} · {view.activity} · at ({view.x.toFixed(1)}, {view.y.toFixed(1)}) m
        {view.idleSince !== null && ` · idle with no task since ${time(view.idleSince)}`}
      </p>
      {onShowRoute !== undefined && (
        <button type="button" className="inspect-panel__action" onClick={() => onShowRoute(view.operativeId)}>
          Show route
        </button>
      )}
      <h3 className="inspect-panel__h">Open tasks ({view.openTasks.length})</h3>
      {view.openTasks.length === 0 ? (
        <p className="inspect-panel__empty">None.</p>
      ) : (
        <ul className="inspect-list">
          {view.openTasks.map((t) => (
            <li key={t.taskId}>
              {n(t.qty)} × {t.skuId} at <Ref go={go} target={{ kind: 'location', id: t.locationId }} place={point(t.locationId)} /> for{' '}
              <Ref go={go} target={{ kind: 'order', id: t.orderId }} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** `data-testid="inspect-panel"` (with `data-kind` and `data-id`); nothing is rendered while nothing is selected. */
export function InspectPanel({ siteId, selection, camera, layout, onShowRoute, refreshMs = 5000 }: InspectPanelProps) {
  const selected = useSyncExternalStore(selection.subscribe, selection.getSnapshot);
  const selectedBin = useSyncExternalStore(camera.subscribe, () => camera.selectedLocation);
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  const index = useMemo(() => layoutIndex(layout), [layout]);
  const point = useCallback((id: string) => locationPoint(layout, index, id), [layout, index]);

  // A bin clicked on the floor is inspected.
  useEffect(() => {
    if (selectedBin === null) return;
    const now = selection.getSnapshot();
    if (now?.kind !== 'location' || now.id !== selectedBin) selection.select({ kind: 'location', id: selectedBin });
  }, [selectedBin, selection]);

  const close = useCallback(() => {
    selection.select(null);
    camera.selectLocation(null);
  }, [selection, camera]);

  const go: Go = useCallback(
    (ref, place) => focusOn(selection, camera, { ...ref, ...(place ?? (ref.kind === 'location' ? point(ref.id) : undefined)) }),
    [selection, camera, point],
  );

  useEffect(() => {
    if (selected === null) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selected, close]);

  // A new selection starts from "loading"; a refresh of the same one keeps what is shown until the answer comes.
  useEffect(() => {
    setLoad({ status: 'loading' });
  }, [selected]);

  useEffect(() => {
    if (selected === null) return;
    const abort = new AbortController();
    fetchInspection(siteId, selected, abort.signal)
      .then((inspection) => setLoad({ status: 'ready', inspection }))
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        const message =
          e instanceof InspectApiError ? (e.status === 404 ? `${KIND_LABEL[selected.kind]} ${selected.id} is not on this site (any more).` : e.message) : 'Could not load it.';
        setLoad({ status: 'error', message });
      });
    const timer = window.setTimeout(() => setTick((t) => t + 1), refreshMs);
    return () => {
      abort.abort();
      window.clearTimeout(timer);
    };
  }, [siteId, selected, tick, refreshMs]);

  if (selected === null) return null;
  const shown = load.status === 'ready' && load.inspection.kind === selected.kind ? load.inspection : null;

  return (
    <section className="panel inspect-panel" data-testid="inspect-panel" data-kind={selected.kind} data-id={selected.id} aria-label={`Inspect ${KIND_LABEL[selected.kind].toLowerCase()} ${selected.id}`}>
      <header className="inspect-panel__header">
        <span className={`inspect-kind inspect-kind--${selected.kind}`}>{KIND_LABEL[selected.kind]}</span>
        <h2 className="inspect-panel__title">{selected.id}</h2>
        <button type="button" className="inspect-panel__close" aria-label="Close inspector (Escape)" title="Close (Esc)" onClick={close}>
          ×
        </button>
      </header>
      <div className="inspect-panel__body" aria-busy={load.status === 'loading'}>
        {load.status === 'loading' && <p className="inspect-panel__empty">Loading…</p>}
        {load.status === 'error' && <p className="inspect-panel__error" role="alert">{load.message}</p>}
        {shown?.kind === 'location' && <LocationBody view={shown.view} go={go} point={point} />}
        {shown?.kind === 'sku' && <SkuBody view={shown.view} go={go} />}
        {shown?.kind === 'order' && <OrderBody view={shown.view} go={go} point={point} />}
        {shown?.kind === 'operative' && <OperativeBody view={shown.view} go={go} point={point} onShowRoute={onShowRoute} />}
      </div>
    </section>
  );
}
