/**
 * Shopify Admin GraphQL client for the write-back path: set an item's available level at our location with
 * compare-and-set, read it back, and fulfil an order with tracking. Global `fetch`, one timeout per request.
 *
 * Every failure is classified for the outbox relay: retryable (network error, timeout, 408, 429, 5xx, GraphQL
 * THROTTLED; `Retry-After` honoured) or permanent (any other 4xx, GraphQL errors, userErrors other than a stale CAS).
 * The small HTTP helpers here are shared with the WooCommerce client.
 */

/** A failed channel call, classified. */
export interface ChannelFailure {
  readonly kind: 'error';
  /** True when the same call may succeed later (network, timeout, 408, 429, 5xx, throttled). */
  readonly retryable: boolean;
  /** The channel's `Retry-After`, in ms, when it gave one. */
  readonly retryAfterMs: number | null;
  /** HTTP status, or null when no response arrived. */
  readonly status: number | null;
  readonly message: string;
}

/** Default per-request timeout. */
export const DEFAULT_CHANNEL_TIMEOUT_MS = 10_000;

/** `Retry-After` as ms: delta-seconds or an HTTP date (relative to `nowMs`); null when absent or unreadable. */
export function parseRetryAfter(header: string | null, nowMs: number): number | null {
  if (header === null || header.trim() === '') return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** Maps an HTTP status to a failure. */
export function httpFailure(status: number, retryAfter: string | null, body: string, nowMs: number): ChannelFailure {
  const retryable = status === 408 || status === 429 || status >= 500;
  return { kind: 'error', retryable, retryAfterMs: parseRetryAfter(retryAfter, nowMs), status, message: `HTTP ${status}: ${body.slice(0, 300)}` };
}

/** A request that never got a response (connection refused or reset, DNS, timeout). */
export function networkFailure(err: unknown): ChannelFailure {
  const name = err instanceof Error ? err.name : '';
  const reason = name === 'TimeoutError' || name === 'AbortError' ? 'timed out' : err instanceof Error ? `${err.message}${causeOf(err)}` : String(err);
  return { kind: 'error', retryable: true, retryAfterMs: null, status: null, message: `network: ${reason}` };
}

function causeOf(err: Error): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? ` (${cause.message})` : '';
}

/** The response of a JSON request: status, headers, parsed body (undefined when not JSON). */
export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

/** Sends a JSON request with a timeout; resolves to the response or a network failure. */
export async function requestJson(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: unknown; timeoutMs: number },
): Promise<JsonResponse | ChannelFailure> {
  try {
    const res = await fetch(url, {
      method: init.method,
      headers: { Accept: 'application/json', ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...init.headers },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(init.timeoutMs),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  } catch (err) {
    return networkFailure(err);
  }
}

export function isFailure(value: unknown): value is ChannelFailure {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'error';
}

// ---------------------------------------------------------------------------------------------------------------

export interface ShopifyClientOptions {
  /** e.g. `https://x.myshopify.com` (tests: the fake channel's url). */
  readonly baseUrl: string;
  /** Admin API access token (header `X-Shopify-Access-Token`). */
  readonly accessToken: string;
  /** e.g. `2025-07`. */
  readonly apiVersion: string;
  readonly timeoutMs?: number;
  /** Clock for `Retry-After` dates. Default Date.now. */
  readonly now?: () => number;
}

export interface SetAvailableInput {
  /** `gid://shopify/InventoryItem/N` */
  readonly inventoryItemId: string;
  /** `gid://shopify/Location/N` */
  readonly locationId: string;
  readonly quantity: number;
  /** What we believe the level is now (compare-and-set); null opts out (first push, level unknown). */
  readonly changeFromQuantity: number | null;
  /** Our source document, `gid://floortwin/<Type>/<id>` (Shopify refuses gid://shopify/…). */
  readonly referenceDocumentUri: string;
  /** Shopify inventory reason. Default `correction`. */
  readonly reason?: string;
}

/** Result of `setAvailable`: set; or the level was not `changeFromQuantity` (re-read and decide); or a failure. */
export type SetAvailableResult = { readonly kind: 'ok' } | { readonly kind: 'stale'; readonly message: string } | ChannelFailure;

export interface FulfilInput {
  /** `gid://shopify/Order/N`, or the numeric order id. */
  readonly orderGid: string;
  readonly trackingCompany: string | null;
  readonly trackingNumber: string | null;
  readonly trackingUrl?: string | null;
  /** Only fulfilment orders assigned to this location are fulfilled, when given. */
  readonly locationId?: string | null;
  /** Default true: Shopify e-mails the customer the tracking. */
  readonly notifyCustomer?: boolean;
}

/** Result of `fulfil`: fulfilled now, or nothing left open (fulfilled before — a retry after a lost answer). */
export type FulfilResult =
  | { readonly kind: 'ok'; readonly fulfillmentId: string | null; readonly alreadyFulfilled: boolean }
  | ChannelFailure;

const SET_QUANTITIES = `mutation FloortwinSetAvailable($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}`;
const GET_AVAILABLE = `query FloortwinAvailable($item: ID!, $location: ID!) {
  inventoryItem(id: $item) { inventoryLevel(locationId: $location) { quantities(names: ["available"]) { name quantity } } }
}`;
const FULFILLMENT_ORDERS = `query FloortwinFulfillmentOrders($id: ID!) {
  order(id: $id) { fulfillmentOrders(first: 50) { nodes { id status assignedLocation { location { id } } } } }
}`;
const FULFILLMENT_CREATE = `mutation FloortwinFulfil($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) { fulfillment { id status } userErrors { field message } }
}`;

interface UserError {
  readonly field?: readonly string[] | null;
  readonly message: string;
  readonly code?: string | null;
}

const userErrorText = (errors: readonly UserError[]): string =>
  errors.map((e) => `${(e.field ?? []).join('.')}${e.code ? ` [${e.code}]` : ''}: ${e.message}`).join('; ');

/** Shopify Admin GraphQL, the calls the outbox relay needs. */
export class ShopifyClient {
  private readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ShopifyClientOptions) {
    this.endpoint = `${options.baseUrl.replace(/\/+$/, '')}/admin/api/${options.apiVersion}/graphql.json`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CHANNEL_TIMEOUT_MS;
    this.now = options.now ?? ((): number => Date.now());
  }

  /** Runs one GraphQL operation; returns `data` or a classified failure. */
  async graphql<T>(query: string, variables: Record<string, unknown>): Promise<T | ChannelFailure> {
    const res = await requestJson(this.endpoint, {
      method: 'POST',
      headers: { 'X-Shopify-Access-Token': this.options.accessToken },
      body: { query, variables },
      timeoutMs: this.timeoutMs,
    });
    if (isFailure(res)) return res;
    if (res.status < 200 || res.status >= 300) return httpFailure(res.status, res.headers.get('retry-after'), res.text, this.now());
    const body = res.json as { data?: T | null; errors?: { message?: string; extensions?: { code?: string } }[] } | undefined;
    if (body === undefined || typeof body !== 'object') {
      // A 2xx that is not JSON is a proxy or an outage page, not an answer to our request.
      return { kind: 'error', retryable: true, retryAfterMs: null, status: res.status, message: `non-JSON answer: ${res.text.slice(0, 200)}` };
    }
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      const throttled = body.errors.some((e) => e.extensions?.code === 'THROTTLED');
      return {
        kind: 'error',
        retryable: throttled,
        retryAfterMs: throttled ? 1000 : null,
        status: res.status,
        message: `GraphQL: ${body.errors.map((e) => e.message ?? '?').join('; ')}`,
      };
    }
    if (body.data === undefined || body.data === null) return { kind: 'error', retryable: false, retryAfterMs: null, status: res.status, message: 'GraphQL answer without data' };
    return body.data;
  }

  /** Sets `available` at a location, compare-and-set against `changeFromQuantity`. */
  async setAvailable(input: SetAvailableInput): Promise<SetAvailableResult> {
    const data = await this.graphql<{ inventorySetQuantities: { userErrors: UserError[] } | null }>(SET_QUANTITIES, {
      input: {
        name: 'available',
        reason: input.reason ?? 'correction',
        referenceDocumentUri: input.referenceDocumentUri,
        quantities: [
          { inventoryItemId: input.inventoryItemId, locationId: input.locationId, quantity: input.quantity, changeFromQuantity: input.changeFromQuantity },
        ],
      },
    });
    if (isFailure(data)) return data;
    const errors = data.inventorySetQuantities?.userErrors ?? [];
    if (errors.length === 0) return { kind: 'ok' };
    if (errors.some((e) => e.code === 'CHANGE_FROM_QUANTITY_STALE')) return { kind: 'stale', message: userErrorText(errors) };
    return { kind: 'error', retryable: false, retryAfterMs: null, status: 200, message: `inventorySetQuantities: ${userErrorText(errors)}` };
  }

  /** The current `available` of an item at a location; null when the item is not stocked there. */
  async getAvailable(inventoryItemId: string, locationId: string): Promise<{ readonly kind: 'ok'; readonly available: number | null } | ChannelFailure> {
    type Data = { inventoryItem: { inventoryLevel: { quantities: { name: string; quantity: number }[] } | null } | null };
    const data = await this.graphql<Data>(GET_AVAILABLE, { item: inventoryItemId, location: locationId });
    if (isFailure(data)) return data;
    const quantity = data.inventoryItem?.inventoryLevel?.quantities.find((q) => q.name === 'available')?.quantity;
    return { kind: 'ok', available: quantity ?? null };
  }

  /**
   * Fulfils every open fulfilment order of the order (at `locationId` when given) with the tracking details.
   * Nothing open but something closed → ok with `alreadyFulfilled` (a retry after a lost answer must not fail).
   */
  async fulfil(input: FulfilInput): Promise<FulfilResult> {
    const orderGid = /^\d+$/.test(input.orderGid) ? `gid://shopify/Order/${input.orderGid}` : input.orderGid;
    type Node = { id: string; status: string; assignedLocation: { location: { id: string } | null } | null };
    const found = await this.graphql<{ order: { fulfillmentOrders: { nodes: Node[] } } | null }>(FULFILLMENT_ORDERS, { id: orderGid });
    if (isFailure(found)) return found;
    if (found.order === null) return { kind: 'error', retryable: false, retryAfterMs: null, status: 200, message: `Shopify order ${orderGid} not found` };
    const ours = found.order.fulfillmentOrders.nodes.filter(
      (fo) => !input.locationId || !fo.assignedLocation?.location || fo.assignedLocation.location.id === input.locationId,
    );
    const open = ours.filter((fo) => fo.status === 'OPEN' || fo.status === 'IN_PROGRESS');
    if (open.length === 0) {
      if (ours.some((fo) => fo.status === 'CLOSED')) return { kind: 'ok', fulfillmentId: null, alreadyFulfilled: true };
      // On hold or scheduled may open later; cancelled or none at all will not.
      const later = ours.some((fo) => fo.status === 'ON_HOLD' || fo.status === 'SCHEDULED');
      return {
        kind: 'error',
        retryable: later,
        retryAfterMs: null,
        status: 200,
        message: `no open fulfilment order for ${orderGid} (${ours.map((fo) => fo.status).join(', ') || 'none at our location'})`,
      };
    }
    const trackingInfo: Record<string, string> = {};
    if (input.trackingCompany) trackingInfo['company'] = input.trackingCompany;
    if (input.trackingNumber) trackingInfo['number'] = input.trackingNumber;
    if (input.trackingUrl) trackingInfo['url'] = input.trackingUrl;
    const created = await this.graphql<{ fulfillmentCreate: { fulfillment: { id: string } | null; userErrors: UserError[] } | null }>(FULFILLMENT_CREATE, {
      fulfillment: {
        lineItemsByFulfillmentOrder: open.map((fo) => ({ fulfillmentOrderId: fo.id })),
        ...(Object.keys(trackingInfo).length > 0 ? { trackingInfo } : {}),
        notifyCustomer: input.notifyCustomer ?? true,
      },
    });
    if (isFailure(created)) return created;
    const errors = created.fulfillmentCreate?.userErrors ?? [];
    if (errors.length > 0) return { kind: 'error', retryable: false, retryAfterMs: null, status: 200, message: `fulfillmentCreate: ${userErrorText(errors)}` };
    return { kind: 'ok', fulfillmentId: created.fulfillmentCreate?.fulfillment?.id ?? null, alreadyFulfilled: false };
  }
}
