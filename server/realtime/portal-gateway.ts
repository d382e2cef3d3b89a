/**
 * Socket.IO gateway of the client portal: `portal:join { siteId }` puts a client user's socket in the room of its
 * own tenant at that site, `tenant:<siteId>:<tenantId>`, the tenant taken from the signed-in principal and never from
 * the request. Each site's committed events are watched for the orders they touch; every `flushMs` the touched
 * orders' statuses are read from committed state and sent as `portal:orders`, one message per tenant, to that
 * tenant's room only. Staff watch the floor room instead, so staff roles and integration keys are refused here.
 */
import type { Socket } from 'socket.io';
import { CLIENT_ROLES } from '../auth/principal.ts';
import { PortalJoinRequestSchema, type PortalJoinResult, type PortalOrderView } from '../protocol/portal.ts';
import type { ClientToServerEvents, ServerToClientEvents, WireError } from '../protocol/socket.ts';
import type { SiteRunner } from '../site/site-runner.ts';
import type { SequencedEvent } from '../twin/events.ts';
import type { OrderId } from '../twin/ids.ts';
import type { TwinState } from '../twin/state.ts';
import { deniedUnless, socketPrincipal } from './socket-auth.ts';
import { ackOf, serve, validationDetails, wireError } from './socket-handlers.ts';
import { defaultRealtimeLog, type FloorServer, type RealtimeLog } from './socket-server.ts';

type PortalSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** What the portal gateway needs of a site's runner. */
export type PortalSite = Pick<SiteRunner, 'siteId' | 'subscribe' | 'read'>;

/** Finds a site this process serves. */
export interface PortalSiteRegistry {
  get(siteId: string): PortalSite | undefined;
}

/** Options of {@link attachPortalGateway}. */
export interface PortalGatewayOptions {
  /** Least interval between two `portal:orders` to a tenant, ms (default 250): a wave of 500 orders is one message. */
  readonly flushMs?: number;
  readonly log?: RealtimeLog;
  /**
   * True for a site of this deployment that another process decides (issue 10): a client joins its tenant's room here
   * and the owner's messages reach it through the Redis adapter.
   */
  readonly decidedElsewhere?: (siteId: string) => boolean;
}

/** Handle on an attached portal gateway. */
export interface PortalGateway {
  /** Sends the site's order changes to its tenants' rooms (call once per site this process runs). Returns an undo. */
  publish(site: PortalSite): () => void;
  /** Stops publishing and answers further joins with UNAVAILABLE. Does not close the Socket.IO server. */
  close(): void;
}

/** Room of one tenant's portal users at one site. */
export function tenantRoom(siteId: string, tenantId: string): string {
  return `tenant:${siteId}:${tenantId}`;
}

/** Ids of the orders an event names (`orderId`, or `orderIds` of a wave); an order's status only changes by these. */
export function ordersTouchedBy(event: SequencedEvent['event']): readonly string[] {
  const fields = event as { readonly orderId?: unknown; readonly orderIds?: unknown };
  const ids: string[] = [];
  if (typeof fields.orderId === 'string') ids.push(fields.orderId);
  if (Array.isArray(fields.orderIds)) for (const id of fields.orderIds as unknown[]) if (typeof id === 'string') ids.push(id);
  return ids;
}

/** The touched orders' current statuses grouped by tenant (orders the twin no longer holds are left out). */
export function ordersByTenant(twin: Pick<TwinState, 'orders'>, orderIds: Iterable<string>): Map<string, PortalOrderView[]> {
  const byTenant = new Map<string, PortalOrderView[]>();
  for (const id of orderIds) {
    const order = twin.orders.get(id as OrderId);
    if (order === undefined) continue;
    const list = byTenant.get(order.tenantId) ?? [];
    list.push({ id: order.id, status: order.status });
    byTenant.set(order.tenantId, list);
  }
  return byTenant;
}

type LeaveResult = { ok: boolean; error?: WireError };

/** Serves `portal:join` / `portal:leave` on `io`; {@link PortalGateway.publish} each site to send its order changes. */
export function attachPortalGateway(io: FloorServer, sites: PortalSiteRegistry, options: PortalGatewayOptions = {}): PortalGateway {
  const log = options.log ?? defaultRealtimeLog;
  const flushMs = options.flushMs ?? 250;
  if (!(flushMs >= 0)) throw new RangeError(`flushMs must be ≥ 0, got ${String(flushMs)}`);
  const unpublish = new Set<() => void>();
  let closed = false;

  async function join(socket: PortalSocket, raw: unknown): Promise<PortalJoinResult> {
    const denied = deniedUnless(socket, CLIENT_ROLES, 'follow a client portal');
    if (denied !== null) return { ok: false, error: denied };
    const parsed = PortalJoinRequestSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, error: wireError('BAD_REQUEST', 'invalid portal:join request', validationDetails(parsed.error)) };
    const tenantId = socketPrincipal(socket)?.tenantId ?? null;
    // A client role always has a tenant (contract); refuse rather than join a room named after nothing.
    if (tenantId === null) return { ok: false, error: wireError('FORBIDDEN', 'this account belongs to no client') };
    if (closed) return { ok: false, error: wireError('UNAVAILABLE', 'the portal gateway is shutting down') };
    const { siteId } = parsed.data;
    if (sites.get(siteId) === undefined && options.decidedElsewhere?.(siteId) !== true) return { ok: false, error: wireError('UNKNOWN_SITE', `unknown site ${siteId}`) };
    await socket.join(tenantRoom(siteId, tenantId));
    return { ok: true, siteId, tenantId };
  }

  async function leave(socket: PortalSocket, raw: unknown): Promise<LeaveResult> {
    const parsed = PortalJoinRequestSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, error: wireError('BAD_REQUEST', 'invalid portal:leave request', validationDetails(parsed.error)) };
    const tenantId = socketPrincipal(socket)?.tenantId ?? null;
    if (tenantId !== null) await socket.leave(tenantRoom(parsed.data.siteId, tenantId));
    return { ok: true };
  }

  function onConnection(socket: PortalSocket): void {
    socket.on('portal:join', (raw: unknown, ack: unknown) => {
      serve(log, 'portal:join', () => join(socket, raw), ackOf<PortalJoinResult>(ack), { ok: false, error: wireError('INTERNAL', 'join failed') });
    });
    socket.on('portal:leave', (raw: unknown, ack: unknown) => {
      serve(log, 'portal:leave', () => leave(socket, raw), ackOf<LeaveResult>(ack), { ok: false, error: wireError('INTERNAL', 'leave failed') });
    });
  }

  io.on('connection', onConnection);

  function publish(site: PortalSite): () => void {
    let touched = new Set<string>();
    let timer: NodeJS.Timeout | null = null;

    const flush = (): void => {
      timer = null;
      if (closed || touched.size === 0) return;
      const ids = touched;
      touched = new Set();
      // `read` answers from committed state only: a status is never sent before its event is durable.
      site
        .read((twin) => ({ seq: twin.seq, byTenant: ordersByTenant(twin, ids) }))
        .then(({ seq, byTenant }) => {
          if (closed) return;
          for (const [tenantId, orders] of byTenant) io.to(tenantRoom(site.siteId, tenantId)).emit('portal:orders', { siteId: site.siteId, seq, orders });
        })
        .catch((error: unknown) => log(`portal orders of site ${site.siteId} failed`, error));
    };

    const unsubscribe = site.subscribe({
      committed(events) {
        for (const { event } of events) for (const id of ordersTouchedBy(event)) touched.add(id);
        if (touched.size > 0 && timer === null && !closed) {
          timer = setTimeout(flush, flushMs);
          timer.unref();
        }
      },
      volatile: () => undefined,
      // Statuses are read from the twin at each flush; a reload changes nothing already sent (it was committed).
      reloaded: () => undefined,
    });
    const off = (): void => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
      timer = null;
      unpublish.delete(off);
    };
    unpublish.add(off);
    return off;
  }

  return {
    publish,
    close() {
      closed = true;
      io.off('connection', onConnection);
      for (const off of [...unpublish]) off();
    },
  };
}
