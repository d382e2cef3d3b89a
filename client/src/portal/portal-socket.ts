/**
 * Live order statuses for the portal: one Socket.IO connection (the session cookie authenticates the handshake) that
 * sends `portal:join { siteId }` on every (re)connect and hands each `portal:orders` of that site to the page. The
 * server puts the socket in its own tenant's room only; nothing here names a tenant.
 */
import { io, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import type { PortalOrderView } from '../../../server/protocol/portal.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../server/protocol/socket.ts';
import { watchSocketAuth } from '../auth/session.ts';

type PortalSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Follows the site's order statuses; `onLive(true)` once joined, `onLive(false)` when the connection drops. Returns stop(). */
export function followOrders(siteId: string, onOrders: (orders: readonly PortalOrderView[]) => void, onLive: (live: boolean) => void = () => undefined): () => void {
  const socket: PortalSocket = watchSocketAuth(io('', { path: '/socket.io', parser: msgpackParser, transports: ['websocket', 'polling'] }));
  socket.on('connect', () => {
    socket.emit('portal:join', { siteId }, (result) => onLive(result.ok));
  });
  socket.on('disconnect', () => onLive(false));
  socket.on('portal:orders', (update) => {
    if (update.siteId === siteId) onOrders(update.orders);
  });
  return () => {
    socket.close();
  };
}
