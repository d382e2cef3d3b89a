/**
 * Who may call what: one table of every HTTP route (method + express path, as registered) with the roles allowed.
 * Deny by default — a route with no rule answers 403 to everyone (`authorize.ts`); the T5 test walks the real router
 * stack and fails when a registered route has no rule here. Prefix rules cover route families other modules own
 * (the client portal, billing, analytics, transfers/serials), method-aware: reads and writes may differ.
 */
import { ROLES, STAFF_ROLES, type Role } from './principal.ts';

/** Routes that need no principal: health, sign-in, HMAC-signed channel webhooks (the static client is not under /api). */
export type Access = readonly Role[] | 'open';

export interface RouteRule {
  /** Upper-case HTTP method, or '*' for every method. */
  readonly method: string;
  /** The express path exactly as registered (`/api/sites/:siteId/orders/:orderId`), or a prefix when `prefix`. */
  readonly path: string;
  readonly access: Access;
  /** The rule covers every registered path equal to `path` or starting with `path` + '/' or '.'. */
  readonly prefix?: boolean;
}

const SM: readonly Role[] = ['site-manager'];
/** Managers who read everything on the floor. */
const READERS: readonly Role[] = ['site-manager', 'planner', 'supervisor'];
const PLANNING: readonly Role[] = ['site-manager', 'planner'];
const SUPERVISING: readonly Role[] = ['site-manager', 'supervisor'];
const ALL_STAFF: readonly Role[] = STAFF_ROLES;
/** Reads the handheld pages need (stock handheld: counts, ASNs, RMAs, move tasks). */
const READERS_AND_PICKERS: readonly Role[] = [...READERS, 'picker'];
/** Stock handheld operations: receiving, counting, returns desk. */
const STOCK_HANDHELD: readonly Role[] = ['site-manager', 'picker'];
/** Two-scan move tasks: supervisors direct them, pickers carry them out. */
const MOVE_TASKS: readonly Role[] = ['site-manager', 'supervisor', 'picker'];
const PACK_STATION: readonly Role[] = ['site-manager', 'packer'];
const PORTAL_READ: readonly Role[] = ['client-user', 'client-admin', 'integration'];
const PORTAL_WRITE: readonly Role[] = ['client-admin', 'integration'];
const ANYONE_SIGNED_IN: readonly Role[] = ROLES;

const S = '/api/sites/:siteId';

export const ROUTE_POLICY: readonly RouteRule[] = [
  // Open: no principal.
  { method: 'GET', path: '/healthz', access: 'open' },
  { method: 'POST', path: '/api/auth/sign-in', access: 'open' },
  { method: 'POST', path: '/webhooks/shopify/:connectionId', access: 'open' },
  { method: 'POST', path: '/webhooks/woocommerce/:connectionId', access: 'open' },

  // Identity (auth.routes.ts).
  { method: 'POST', path: '/api/auth/sign-out', access: ANYONE_SIGNED_IN },
  { method: 'GET', path: '/api/auth/me', access: ANYONE_SIGNED_IN },
  { method: 'GET', path: '/api/auth/users', access: SM },
  { method: 'POST', path: '/api/auth/users', access: SM },
  { method: 'PATCH', path: '/api/auth/users/:userId', access: SM },
  { method: 'GET', path: '/api/auth/api-keys', access: ['site-manager', 'client-admin'] },
  { method: 'POST', path: '/api/auth/api-keys', access: ['site-manager', 'client-admin'] },
  { method: 'DELETE', path: '/api/auth/api-keys/:keyId', access: ['site-manager', 'client-admin'] },

  // Sites and the floor (app.ts).
  { method: 'GET', path: '/api/sites', access: ALL_STAFF },
  { method: 'GET', path: `${S}/layout`, access: ALL_STAFF },
  { method: 'GET', path: `${S}/summary`, access: ALL_STAFF },

  // Orders (orders.routes.ts, order-import.routes.ts), waves.
  { method: 'POST', path: `${S}/orders/import`, access: PLANNING },
  { method: 'POST', path: `${S}/orders`, access: PLANNING },
  { method: 'POST', path: `${S}/orders/:orderId/allocate`, access: PLANNING },
  { method: 'POST', path: `${S}/orders/:orderId/release`, access: PLANNING },
  { method: 'POST', path: `${S}/orders/:orderId/cancel`, access: PLANNING },
  { method: 'GET', path: `${S}/orders`, access: READERS },
  { method: 'GET', path: `${S}/orders/:orderId`, access: [...READERS, 'packer'] },
  { method: 'POST', path: `${S}/waves`, access: PLANNING },

  // Stock (stock.routes.ts).
  { method: 'GET', path: `${S}/count-requests`, access: READERS_AND_PICKERS },
  { method: 'POST', path: `${S}/stock/receipts`, access: STOCK_HANDHELD },
  { method: 'POST', path: `${S}/stock/moves`, access: MOVE_TASKS },
  { method: 'GET', path: `${S}/stock`, access: READERS },

  // Operatives and aisle blocks.
  { method: 'GET', path: `${S}/operatives`, access: ALL_STAFF },
  { method: 'GET', path: `${S}/operatives/:operativeId`, access: READERS_AND_PICKERS },
  { method: 'GET', path: `${S}/operatives/:operativeId/route`, access: ALL_STAFF },
  { method: 'GET', path: `${S}/blocks`, access: READERS_AND_PICKERS },
  { method: 'POST', path: `${S}/blocks`, access: SUPERVISING },
  { method: 'DELETE', path: `${S}/blocks/:a/:b`, access: SUPERVISING },

  // Sales channels (configuration holds shop credentials: site manager only).
  { method: 'POST', path: '/api/channels', access: SM },
  { method: 'GET', path: '/api/channels/:id', access: READERS },
  { method: 'GET', path: '/api/channels/:id/items', access: READERS },
  { method: 'PUT', path: '/api/channels/:id/items', access: SM },
  { method: 'GET', path: '/api/channels/:id/inbox', access: READERS },

  // Pack station (packing.routes.ts).
  { method: 'GET', path: `${S}/pack/:code`, access: PACK_STATION },
  { method: 'POST', path: `${S}/orders/:orderId/pack`, access: PACK_STATION },
  { method: 'GET', path: `${S}/orders/:orderId/label.zpl`, access: PACK_STATION },
  { method: 'GET', path: `${S}/orders/:orderId/label.pdf`, access: PACK_STATION },
  { method: 'POST', path: `${S}/orders/:orderId/despatch`, access: PACK_STATION },
  { method: 'GET', path: `${S}/manifest`, access: [...READERS, 'packer'] },

  // Simulated shift, replay, floor modes, KPIs, inspection.
  { method: 'GET', path: `${S}/shift`, access: READERS },
  { method: 'POST', path: `${S}/shift`, access: PLANNING },
  { method: 'GET', path: `${S}/history-range`, access: READERS },
  { method: 'GET', path: `${S}/replay`, access: READERS },
  { method: 'GET', path: `${S}/bin-attributes`, access: READERS },
  { method: 'GET', path: `${S}/kpis`, access: READERS },
  { method: 'GET', path: `${S}/locations/:locationId`, access: READERS },
  { method: 'GET', path: `${S}/skus/:skuId`, access: READERS },
  { method: 'GET', path: `${S}/search`, access: READERS },
  { method: 'GET', path: `${S}/alerts`, access: READERS },
  { method: 'GET', path: `${S}/snapshot`, access: READERS },

  // Cycle counts: supervisors plan and approve, pickers count blind.
  { method: 'GET', path: `${S}/counts`, access: READERS_AND_PICKERS },
  { method: 'POST', path: `${S}/counts`, access: SUPERVISING },
  { method: 'GET', path: `${S}/counts/plan`, access: READERS },
  { method: 'POST', path: `${S}/counts/plan`, access: SUPERVISING },
  { method: 'GET', path: `${S}/counts/:countId`, access: READERS_AND_PICKERS },
  { method: 'GET', path: `${S}/counts/:countId/review`, access: READERS },
  { method: 'POST', path: `${S}/counts/:countId/start`, access: STOCK_HANDHELD },
  { method: 'POST', path: `${S}/counts/:countId/submit`, access: STOCK_HANDHELD },
  { method: 'POST', path: `${S}/counts/:countId/approve`, access: SUPERVISING },
  { method: 'POST', path: `${S}/counts/:countId/reject`, access: SUPERVISING },

  // RTLS position batches (a gateway with a staff key).
  { method: 'POST', path: `${S}/positions`, access: SUPERVISING },

  // Goods in: ASNs are planned, received on the stock handheld; holds and QC are supervision.
  { method: 'GET', path: `${S}/asns`, access: READERS_AND_PICKERS },
  { method: 'POST', path: `${S}/asns`, access: PLANNING },
  { method: 'POST', path: `${S}/asns/import`, access: PLANNING },
  { method: 'GET', path: `${S}/asns/:asnRef`, access: READERS_AND_PICKERS },
  { method: 'POST', path: `${S}/asns/:asnRef/close`, access: SUPERVISING },
  { method: 'POST', path: `${S}/receipts`, access: STOCK_HANDHELD },
  { method: 'GET', path: `${S}/holds`, access: READERS },
  { method: 'POST', path: `${S}/holds`, access: SUPERVISING },
  { method: 'POST', path: `${S}/holds/:holdId/release`, access: SUPERVISING },
  { method: 'PUT', path: `${S}/qc-rules`, access: SM },
  { method: 'GET', path: `${S}/lots/expiring`, access: READERS },
  { method: 'POST', path: `${S}/lots/expire`, access: SUPERVISING },
  { method: 'GET', path: `${S}/dock`, access: READERS_AND_PICKERS },

  // Returns: RMAs raised by supervision, received and inspected at the returns desk.
  { method: 'GET', path: `${S}/rmas`, access: READERS },
  { method: 'POST', path: `${S}/rmas`, access: SUPERVISING },
  { method: 'GET', path: `${S}/rmas/:rmaId`, access: READERS_AND_PICKERS },
  { method: 'POST', path: `${S}/rmas/:rmaId/receipts`, access: STOCK_HANDHELD },
  { method: 'POST', path: `${S}/rmas/:rmaId/inspections`, access: STOCK_HANDHELD },
  { method: 'POST', path: `${S}/rmas/:rmaId/close`, access: SUPERVISING },
  { method: 'GET', path: `${S}/returns/report`, access: READERS },
  { method: 'GET', path: `${S}/returns/desk`, access: READERS_AND_PICKERS },

  // Move tasks, pick faces, replenishment.
  { method: 'GET', path: `${S}/move-tasks`, access: READERS_AND_PICKERS },
  { method: 'POST', path: `${S}/move-tasks/putaway`, access: MOVE_TASKS },
  { method: 'POST', path: `${S}/move-tasks`, access: SUPERVISING },
  { method: 'POST', path: `${S}/move-tasks/next`, access: MOVE_TASKS },
  { method: 'GET', path: `${S}/move-tasks/:taskId`, access: READERS_AND_PICKERS },
  { method: 'POST', path: `${S}/move-tasks/:taskId/complete`, access: MOVE_TASKS },
  { method: 'POST', path: `${S}/move-tasks/:taskId/cancel`, access: SUPERVISING },
  { method: 'GET', path: `${S}/pick-faces`, access: READERS },
  { method: 'GET', path: `${S}/pick-faces/:locationId`, access: READERS },
  { method: 'PUT', path: `${S}/pick-faces/:locationId`, access: PLANNING },
  { method: 'DELETE', path: `${S}/pick-faces/:locationId`, access: PLANNING },
  { method: 'POST', path: `${S}/replenishment/plan`, access: [...READERS, 'picker'] },
  { method: 'GET', path: `${S}/expiry-alerts`, access: READERS },

  // Catalogue (every handheld resolves scanned codes).
  { method: 'GET', path: `${S}/tenants`, access: ALL_STAFF },
  { method: 'GET', path: `${S}/catalogue/lookup`, access: ALL_STAFF },

  // Planning: what-if and slotting.
  { method: 'POST', path: `${S}/what-if`, access: PLANNING },
  { method: 'GET', path: `${S}/what-if/:id`, access: READERS },
  { method: 'GET', path: `${S}/what-if/:id/report`, access: READERS },
  { method: 'GET', path: `${S}/what-if/:id/playback`, access: READERS },
  { method: 'POST', path: `${S}/slotting`, access: PLANNING },
  { method: 'GET', path: `${S}/slotting/:id`, access: READERS },
  { method: 'POST', path: `${S}/slotting/:id/verify`, access: PLANNING },
  { method: 'POST', path: `${S}/slotting/:id/release`, access: PLANNING },

  // Families owned by other modules (issue 9): client portal, billing, analytics; transfers and serials.
  { method: 'GET', path: '/api/portal', prefix: true, access: PORTAL_READ },
  { method: '*', path: '/api/portal', prefix: true, access: PORTAL_WRITE },
  { method: 'GET', path: `${S}/billing`, prefix: true, access: PLANNING },
  { method: '*', path: `${S}/billing`, prefix: true, access: SM },
  { method: '*', path: `${S}/analytics`, prefix: true, access: READERS },
  { method: 'GET', path: `${S}/transfers`, prefix: true, access: ALL_STAFF },
  // Creating, cancelling, closing and returning a refused transfer (R76a) is supervision's; picks, despatch and dock
  // receipts are handheld work.
  { method: 'POST', path: `${S}/transfers`, access: SUPERVISING },
  { method: 'POST', path: `${S}/transfers/:transferId/cancel`, access: SUPERVISING },
  { method: 'POST', path: `${S}/transfers/:transferId/close`, access: SUPERVISING },
  { method: 'POST', path: `${S}/transfers/:transferId/return`, access: SUPERVISING },
  { method: '*', path: `${S}/transfers`, prefix: true, access: MOVE_TASKS },
  { method: '*', path: `${S}/serials`, prefix: true, access: ALL_STAFF },
];

const covers = (rule: RouteRule, method: string, path: string): boolean =>
  (rule.method === '*' || rule.method === method) &&
  (rule.prefix === true ? path === rule.path || path.startsWith(`${rule.path}/`) || path.startsWith(`${rule.path}.`) : path === rule.path);

/**
 * The rule for a registered route: an exact rule for the method first, then the longest prefix rule, a method-specific
 * one before '*'. HEAD is GET. Undefined when nothing covers it (the route is denied to everyone).
 */
export function ruleFor(method: string, path: string, policy: readonly RouteRule[] = ROUTE_POLICY): RouteRule | undefined {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  const exact = policy.find((rule) => rule.prefix !== true && covers(rule, m, path));
  if (exact) return exact;
  const prefixes = policy.filter((rule) => rule.prefix === true && covers(rule, m, path));
  prefixes.sort((a, b) => b.path.length - a.path.length || Number(a.method === '*') - Number(b.method === '*'));
  return prefixes[0];
}

/** True when `role` may call the route (method + registered express path). */
export function mayCall(role: Role, method: string, path: string, policy: readonly RouteRule[] = ROUTE_POLICY): boolean {
  const access = ruleFor(method, path, policy)?.access;
  return access === 'open' || (access !== undefined && access.includes(role));
}
