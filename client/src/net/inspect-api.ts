/**
 * The floor inspector's HTTP reads (no React, no three): search, what a location / SKU / order / operative holds,
 * and the alerts. Same origin. Shapes: `server/twin/floor-alerts.ts` (type-only) and the order view of
 * `server/api/orders.routes.ts`. Also the one "what is being inspected" selection of the floor page, with `focusOn`,
 * which selects a thing and asks the camera to fly to it.
 */
import type {
  FloorAlert,
  InspectKind,
  InspectRef,
  LocationInspectionView,
  OperativeInspectionView,
  SearchHit,
  SkuInspectionView,
} from '../../../server/twin/floor-alerts.ts';

export type { FloorAlert, InspectKind, InspectRef, LocationInspectionView, OperativeInspectionView, SearchHit, SkuInspectionView };

/** `GET /api/sites/:siteId/orders/:orderId` (the fields the inspector shows). */
export interface OrderInspectionView {
  readonly id: string;
  readonly tenantId: string;
  readonly channel: string;
  readonly externalRef: string | null;
  readonly status: string;
  readonly priority: number;
  readonly createdAt: string;
  readonly dueAt: string | null;
  readonly carrier: string | null;
  readonly trackingNumber: string | null;
  readonly lines: readonly {
    readonly lineNo: number;
    readonly skuId: string;
    readonly qty: number;
    readonly allocated: number;
    readonly backordered: number;
    readonly picked: number;
    readonly shorted: number;
    readonly cancelled: number;
  }[];
  readonly tasks: readonly { readonly id: string; readonly locationId?: string; readonly skuId?: string; readonly qty?: number; readonly status?: string }[];
}

/** `GET /api/sites/:siteId/alerts`. */
export interface AlertsView {
  readonly siteId: string;
  readonly seq: number;
  /** Twin time of the state the alerts were computed from, ISO 8601. */
  readonly at: string;
  /** How many alerts there are (the list may be capped). */
  readonly total: number;
  readonly alerts: readonly FloorAlert[];
}

/** An inspection, tagged by what was inspected. */
export type Inspection =
  | { readonly kind: 'location'; readonly view: LocationInspectionView }
  | { readonly kind: 'sku'; readonly view: SkuInspectionView }
  | { readonly kind: 'order'; readonly view: OrderInspectionView }
  | { readonly kind: 'operative'; readonly view: OperativeInspectionView };

/** The server answered an error (`{ error: { code, message } }`), or the network failed (status 0). */
export class InspectApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'InspectApiError';
  }
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { signal: signal ?? null, headers: { accept: 'application/json' } });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new InspectApiError(0, 'NETWORK', 'The server could not be reached.');
  }
  const body = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    throw new InspectApiError(
      response.status,
      typeof err?.code === 'string' ? err.code : 'HTTP',
      typeof err?.message === 'string' ? err.message : `${path}: HTTP ${response.status}`,
    );
  }
  return body as T;
}

const sitePath = (siteId: string): string => `/api/sites/${encodeURIComponent(siteId)}`;

/** Up to `limit` (≤ 20) hits for `q`; a blank query answers [] without asking the server. */
export async function searchFloor(siteId: string, q: string, signal?: AbortSignal, limit = 20): Promise<SearchHit[]> {
  const query = q.trim();
  if (query === '') return [];
  const params = new URLSearchParams({ q: query.slice(0, 100), limit: String(limit) });
  const body = await getJson<{ hits?: SearchHit[] }>(`${sitePath(siteId)}/search?${params.toString()}`, signal);
  return Array.isArray(body.hits) ? body.hits : [];
}

/** What `ref` holds now; the path per kind is the server's. */
export async function fetchInspection(siteId: string, ref: InspectRef, signal?: AbortSignal): Promise<Inspection> {
  const id = encodeURIComponent(ref.id);
  const base = sitePath(siteId);
  switch (ref.kind) {
    case 'location':
      return { kind: 'location', view: await getJson<LocationInspectionView>(`${base}/locations/${id}`, signal) };
    case 'sku':
      return { kind: 'sku', view: await getJson<SkuInspectionView>(`${base}/skus/${id}`, signal) };
    case 'order':
      return { kind: 'order', view: await getJson<OrderInspectionView>(`${base}/orders/${id}`, signal) };
    case 'operative':
      return { kind: 'operative', view: await getJson<OperativeInspectionView>(`${base}/operatives/${id}`, signal) };
  }
}

/** The site's alerts, most severe and newest first. */
export async function fetchAlerts(siteId: string, signal?: AbortSignal): Promise<AlertsView> {
  const body = await getJson<AlertsView>(`${sitePath(siteId)}/alerts`, signal);
  if (!Array.isArray(body.alerts)) throw new InspectApiError(200, 'MALFORMED', 'alerts: no alerts array');
  return body;
}

/** What the camera offers the inspector (`CameraStore` of `camera-store.ts` fits). */
export interface CameraTarget {
  flyTo(x: number, y: number): void;
  selectLocation(id: string | null): void;
}

type Listener = () => void;

/** The thing being inspected on the floor page, outside React (`useSyncExternalStore`). */
export class InspectSelection {
  private current: InspectRef | null = null;
  private readonly listeners = new Set<Listener>();

  /** Inspects `ref` (null closes the inspector). A new object only when the kind or id changes. */
  select(ref: InspectRef | null): void {
    if (ref === this.current || (ref !== null && this.current !== null && ref.kind === this.current.kind && ref.id === this.current.id)) return;
    this.current = ref === null ? null : { kind: ref.kind, id: ref.id };
    for (const l of this.listeners) l();
  }

  readonly subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): InspectRef | null => this.current;
}

/** The floor page's one selection. */
export const inspectSelection = new InspectSelection();

/**
 * Inspects `target`, highlights it when it is a location (clears the highlight otherwise), and flies the camera to
 * its floor point when it has one (x/y in floor metres; null or absent = no place on the floor).
 */
export function focusOn(
  selection: InspectSelection,
  camera: CameraTarget,
  target: InspectRef & { readonly x?: number | null; readonly y?: number | null },
): void {
  selection.select(target);
  camera.selectLocation(target.kind === 'location' ? target.id : null);
  if (typeof target.x === 'number' && typeof target.y === 'number' && Number.isFinite(target.x) && Number.isFinite(target.y)) {
    camera.flyTo(target.x, target.y);
  }
}

/** The floor point of a location id from the layout's columns, or undefined if the layout has no such bin. */
export function locationPoint(
  layout: { readonly ids: readonly string[]; readonly x: readonly number[]; readonly y: readonly number[] },
  index: ReadonlyMap<string, number>,
  id: string,
): { x: number; y: number } | undefined {
  const i = index.get(id);
  if (i === undefined) return undefined;
  const x = layout.x[i];
  const y = layout.y[i];
  return x === undefined || y === undefined ? undefined : { x, y };
}

/** Id → column index of a layout, for `locationPoint`. */
export function layoutIndex(layout: { readonly ids: readonly string[] }): Map<string, number> {
  return new Map(layout.ids.map((id, i) => [id, i]));
}

/** Newly seen alert ids since `seen` (for announcing them); `seen` is updated in place. */
export function newAlertIds(seen: Set<string>, alerts: readonly FloorAlert[]): string[] {
  const fresh = alerts.filter((a) => !seen.has(a.id)).map((a) => a.id);
  seen.clear();
  for (const a of alerts) seen.add(a.id);
  return fresh;
}

/** `InspectKind` → a person's word for it. */
export const KIND_LABEL: Readonly<Record<InspectKind, string>> = { location: 'Location', sku: 'SKU', order: 'Order', operative: 'Operative' };
