/**
 * B1: the REST endpoints the JSON fuzz covers, one row each, with a valid request built from a seeded context. A new
 * route that takes a body, path params or a query gets a row here; the fuzz then mutates its valid request.
 */

/** Objects the fuzz test creates first, so that valid requests can name them. */
export interface FuzzContext {
  readonly siteId: string;
  readonly tenantId: string;
  /** A plain (not lot-tracked) SKU of `tenantId`, with stock in `locationId`. */
  readonly skuId: string;
  readonly locationId: string;
  /** An empty bin. */
  readonly emptyLocationId: string;
  /** An order in status open, and one allocated. */
  readonly openOrderId: string;
  readonly allocatedOrderId: string;
  /** An edge of the walk graph. */
  readonly edge: { readonly a: number; readonly b: number };
  readonly operativeId: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One endpoint: its method, path template and a valid request in a context. */
export interface FuzzEndpoint {
  readonly method: HttpMethod;
  /** Absolute path with `:name` placeholders, e.g. `/api/sites/:siteId/orders/:orderId/allocate`. */
  readonly path: string;
  /** Valid values of the path placeholders. */
  readonly params: (ctx: FuzzContext) => Readonly<Record<string, string>>;
  /** A valid JSON body; absent when the route reads none (the fuzz still sends bodies to POST/PUT/PATCH/DELETE). */
  readonly body?: (ctx: FuzzContext) => unknown;
  /** A valid query. */
  readonly query?: (ctx: FuzzContext) => Readonly<Record<string, string>>;
  /**
   * Set while the route is written but not yet mounted in the app: the row is skipped (with this reason) until it is
   * mounted, then it runs. Delete the field once it is mounted; a row without it that hits no route fails.
   */
  readonly pending?: string;
}

const site = (ctx: FuzzContext) => ({ siteId: ctx.siteId });
const order = (id: (ctx: FuzzContext) => string) => (ctx: FuzzContext) => ({ siteId: ctx.siteId, orderId: id(ctx) });

/**
 * Every fuzzed endpoint. TODO(#4): rows for picking scans and the channel admin routes as they are mounted, and an
 * `Idempotency-Key` header dimension; webhooks have their own forged-delivery test (B5); the CSV import is not JSON.
 */
export const FUZZ_ENDPOINTS: readonly FuzzEndpoint[] = [
  {
    method: 'POST',
    path: '/api/sites/:siteId/orders',
    params: site,
    body: (ctx) => ({
      orderId: 'FZ-NEW-1',
      tenantId: ctx.tenantId,
      externalRef: 'ext-1',
      priority: 1,
      lines: [{ skuId: ctx.skuId, qty: 1 }],
      shipTo: { name: 'A Buyer', line1: '1 High Street', city: 'Leeds', postcode: 'LS1 1AA', country: 'GB' },
      service: 'standard',
      dueAt: '2026-11-28T16:00:00Z',
      allocate: 'all-or-nothing',
    }),
  },
  {
    method: 'POST',
    path: '/api/sites/:siteId/orders/:orderId/allocate',
    params: (ctx) => ({ siteId: ctx.siteId, orderId: ctx.openOrderId }),
    body: () => ({ policy: 'all-or-nothing' }),
  },
  {
    method: 'POST',
    path: '/api/sites/:siteId/orders/:orderId/release',
    params: (ctx) => ({ siteId: ctx.siteId, orderId: ctx.allocatedOrderId }),
  },
  {
    method: 'POST',
    path: '/api/sites/:siteId/orders/:orderId/cancel',
    params: order((ctx) => ctx.openOrderId),
    body: () => ({ reason: 'customer changed their mind' }),
  },
  {
    method: 'POST',
    path: '/api/sites/:siteId/orders/:orderId/pack',
    params: order((ctx) => ctx.allocatedOrderId),
    body: () => ({ cartonCode: 'BOX-S', weightG: 500, scannedItems: [{ code: 'X', qty: 1 }] }),
  },
  {
    method: 'POST',
    path: '/api/sites/:siteId/orders/:orderId/despatch',
    params: order((ctx) => ctx.allocatedOrderId),
    body: () => ({ carrier: 'floortwin-post', trackingNumber: 'FT123' }),
  },
  { method: 'GET', path: '/api/sites/:siteId/pack/:code', params: (ctx) => ({ siteId: ctx.siteId, code: ctx.allocatedOrderId }) },
  { method: 'GET', path: '/api/sites/:siteId/orders/:orderId/label.zpl', params: order((ctx) => ctx.allocatedOrderId) },
  {
    method: 'GET',
    path: '/api/sites/:siteId/manifest',
    params: site,
    query: () => ({ carrier: 'floortwin-post', date: '2026-11-27', format: 'json' }),
  },
  {
    method: 'POST',
    path: '/api/sites/:siteId/waves',
    params: site,
    body: (ctx) => ({ waveId: 'FZ-WAVE-1', orderIds: [ctx.allocatedOrderId], maxOrders: 10, maxBatchOrders: 5 }),
  },
  { method: 'GET', path: '/api/sites/:siteId/count-requests', params: site },
  {
    method: 'GET',
    path: '/api/sites/:siteId/orders',
    params: site,
    query: (ctx) => ({ status: 'open', tenantId: ctx.tenantId, limit: '10', offset: '0' }),
  },
  { method: 'GET', path: '/api/sites/:siteId/orders/:orderId', params: (ctx) => ({ siteId: ctx.siteId, orderId: ctx.openOrderId }) },
  {
    method: 'POST',
    path: '/api/sites/:siteId/stock/receipts',
    params: site,
    body: (ctx) => ({ tenantId: ctx.tenantId, locationId: ctx.locationId, skuId: ctx.skuId, qty: 1 }),
  },
  {
    method: 'POST',
    path: '/api/sites/:siteId/stock/moves',
    params: site,
    body: (ctx) => ({ tenantId: ctx.tenantId, fromLocationId: ctx.locationId, toLocationId: ctx.emptyLocationId, skuId: ctx.skuId, qty: 1 }),
  },
  {
    method: 'GET',
    path: '/api/sites/:siteId/stock',
    params: site,
    query: (ctx) => ({ skuId: ctx.skuId, tenantId: ctx.tenantId, limit: '10', offset: '0' }),
  },
  { method: 'GET', path: '/api/sites/:siteId/operatives', params: site },
  {
    method: 'GET',
    path: '/api/sites/:siteId/operatives/:operativeId/route',
    params: (ctx) => ({ siteId: ctx.siteId, operativeId: ctx.operativeId }),
  },
  { method: 'GET', path: '/api/sites/:siteId/blocks', params: site },
  {
    method: 'POST',
    path: '/api/sites/:siteId/blocks',
    params: site,
    body: (ctx) => ({ a: ctx.edge.a, b: ctx.edge.b, reason: 'spill' }),
  },
  {
    method: 'DELETE',
    path: '/api/sites/:siteId/blocks/:a/:b',
    params: (ctx) => ({ siteId: ctx.siteId, a: String(ctx.edge.a), b: String(ctx.edge.b) }),
  },
  { method: 'GET', path: '/api/sites/:siteId/summary', params: site },
  { method: 'GET', path: '/api/sites/:siteId/layout', params: site },
];

/** `POST /api/sites/:siteId/orders` */
export const endpointName = (e: FuzzEndpoint): string => `${e.method} ${e.path}`;
