/**
 * Wire shapes of the client portal's live updates over Socket.IO. A client user (role client-user or client-admin)
 * sends `portal:join { siteId }` and joins the room of its own tenant at that site (the tenant is always the
 * signed-in principal's, never taken from the request); it then receives `portal:orders` with the status of its
 * tenant's orders as they change. Nothing of another tenant is ever sent to that room.
 */
import { z } from 'zod';
import type { WireError } from './socket.ts';

/** Status of an order as the portal shows it (the twin's `OrderStatus`). */
export type PortalOrderStatus = 'open' | 'allocated' | 'released' | 'picked' | 'packed' | 'despatched' | 'cancelled';

/** Request to follow one's own tenant's orders at a site. */
export interface PortalJoinRequest {
  readonly siteId: string;
}

/** Edge validation of {@link PortalJoinRequest} (and of `portal:leave`). */
export const PortalJoinRequestSchema = z
  .object({
    siteId: z.string().min(1).max(200),
  })
  .strict();

/** Ack of `portal:join`: the tenant whose orders this socket now receives. */
export type PortalJoinResult =
  | { readonly ok: true; readonly siteId: string; readonly tenantId: string }
  | { readonly ok: false; readonly error: WireError };

/** One order's id and its status after the change. */
export interface PortalOrderView {
  readonly id: string;
  readonly status: PortalOrderStatus;
}

/**
 * Orders of the room's tenant that changed since the last message (latest status each; a message per tenant at most
 * every few hundred ms). `seq` is the site's committed seq the statuses were read at.
 */
export interface PortalOrders {
  readonly siteId: string;
  readonly seq: number;
  readonly orders: readonly PortalOrderView[];
}

/** Codes of {@link WireError} a `portal:join` may answer. */
export type PortalErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED' // the socket has no principal
  | 'FORBIDDEN' // a staff role or an integration key: the portal room is for client users
  | 'UNKNOWN_SITE'
  | 'UNAVAILABLE'
  | 'INTERNAL';
