/**
 * WooCommerce REST v3 client for the write-back path: set a product's (or variation's) stock, complete an order with
 * its tracking number. Basic auth with the consumer key and secret; global `fetch` with a timeout per request.
 * Failures are classified like the Shopify client's (retryable: network, timeout, 408, 429, 5xx; permanent: other 4xx).
 */
import { DEFAULT_CHANNEL_TIMEOUT_MS, httpFailure, isFailure, requestJson, type ChannelFailure } from './shopify-client.ts';

export interface WooClientOptions {
  /** The site URL, e.g. `https://shop.example/` (a WordPress in a sub-folder keeps its path). */
  readonly baseUrl: string;
  /** `ck_…:cs_…` as stored in channel_connections.api_token. */
  readonly apiToken: string;
  readonly timeoutMs?: number;
  /** Clock for `Retry-After` dates. Default Date.now. */
  readonly now?: () => number;
}

export type WooResult = { readonly kind: 'ok' } | ChannelFailure;

/** Order meta keys used for tracking (the common convention of Woo shipment-tracking plugins). */
export const WOO_TRACKING_NUMBER_KEY = '_tracking_number';
export const WOO_TRACKING_PROVIDER_KEY = '_tracking_provider';

export class WooClient {
  private readonly base: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(options: WooClientOptions) {
    this.base = `${options.baseUrl.replace(/\/+$/, '')}/wp-json/wc/v3/`;
    const colon = options.apiToken.indexOf(':');
    if (colon <= 0) throw new Error("a Woo api token is 'consumer_key:consumer_secret'");
    this.authorization = `Basic ${Buffer.from(options.apiToken).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CHANNEL_TIMEOUT_MS;
    this.now = options.now ?? ((): number => Date.now());
  }

  /** Sets stock on a product (`'12'`) or a variation (`'12/34'`), turning stock management on. */
  async setStock(productRef: string, quantity: number): Promise<WooResult> {
    const match = /^(\d+)(?:\/(\d+))?$/.exec(productRef.trim());
    if (!match) return { kind: 'error', retryable: false, retryAfterMs: null, status: null, message: `bad Woo product ref '${productRef}'` };
    const [, productId, variationId] = match;
    const path = variationId === undefined ? `products/${productId}` : `products/${productId}/variations/${variationId}`;
    return this.put(path, { manage_stock: true, stock_quantity: quantity });
  }

  /** Marks an order completed and records the tracking number and carrier as order meta. */
  async completeOrder(orderId: string, tracking: { readonly trackingNumber: string | null; readonly carrier: string | null }): Promise<WooResult> {
    if (!/^\d+$/.test(orderId)) return { kind: 'error', retryable: false, retryAfterMs: null, status: null, message: `bad Woo order id '${orderId}'` };
    const meta: { key: string; value: string }[] = [];
    if (tracking.trackingNumber) meta.push({ key: WOO_TRACKING_NUMBER_KEY, value: tracking.trackingNumber });
    if (tracking.carrier) meta.push({ key: WOO_TRACKING_PROVIDER_KEY, value: tracking.carrier });
    return this.put(`orders/${orderId}`, { status: 'completed', ...(meta.length > 0 ? { meta_data: meta } : {}) });
  }

  private async put(path: string, body: unknown): Promise<WooResult> {
    const res = await requestJson(`${this.base}${path}`, {
      method: 'PUT',
      headers: { Authorization: this.authorization },
      body,
      timeoutMs: this.timeoutMs,
    });
    if (isFailure(res)) return res;
    if (res.status < 200 || res.status >= 300) return httpFailure(res.status, res.headers.get('retry-after'), res.text, this.now());
    return { kind: 'ok' };
  }
}
