/**
 * Socket.IO gateway of pickers' routes: `picker:watch { siteId, operativeId }` joins the operative's route room and
 * acks the current RouteView (or why there is none); every re-plan is then pushed as `picker:route`.
 * `picker:unwatch` leaves the room. Handlers are thin: validate, ask the site's RouteService, ack.
 */
import type { Socket } from 'socket.io';
import { z } from 'zod';
import type { ClientToServerEvents, ServerToClientEvents, WatchRouteResult, WireError } from '../protocol/socket.ts';
import type { RouteService, RouteUpdate } from '../site/route-service.ts';
import { ackOf, serve, validationDetails, wireError } from './socket-handlers.ts';
import { deniedUnless } from './socket-auth.ts';
import { STAFF_ROLES } from '../auth/principal.ts';
import { defaultRealtimeLog, type FloorServer, type RealtimeLog } from './socket-server.ts';

type RouteSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** Edge validation of `picker:watch` / `picker:unwatch` requests. */
export const WatchRouteRequestSchema = z
  .object({
    siteId: z.string().min(1).max(200),
    operativeId: z.string().min(1).max(200),
  })
  .strict();

/** Finds the RouteService of a site this process serves. */
export interface RouteServiceRegistry {
  get(siteId: string): RouteService | undefined;
}

export interface RouteGatewayOptions {
  readonly log?: RealtimeLog;
}

/** Handle on an attached route gateway. */
export interface RouteGateway {
  /** Pushes the service's updates to its watchers (call once per site this process runs). Returns an undo. */
  publish(service: RouteService): () => void;
  /** Stops pushing and answers further watches with UNAVAILABLE. Does not close the Socket.IO server. */
  close(): void;
}

/** Room of one operative's route watchers. */
export function routeRoom(siteId: string, operativeId: string): string {
  return `route:${siteId}:${operativeId}`;
}

type UnwatchResult = { ok: boolean; error?: WireError };

/** Serves `picker:watch` / `picker:unwatch` on `io`. */
export function attachRouteGateway(io: FloorServer, routes: RouteServiceRegistry, options: RouteGatewayOptions = {}): RouteGateway {
  const log = options.log ?? defaultRealtimeLog;
  const unpublish = new Set<() => void>();
  let closed = false;

  async function watch(socket: RouteSocket, raw: unknown): Promise<WatchRouteResult> {
    const denied = deniedUnless(socket, STAFF_ROLES, 'watch routes');
    if (denied !== null) return { ok: false, error: denied };
    const parsed = WatchRouteRequestSchema.safeParse(raw);
    if (!parsed.success) {
      return { ok: false, error: wireError('BAD_REQUEST', 'invalid picker:watch request', validationDetails(parsed.error)) };
    }
    const { siteId, operativeId } = parsed.data;
    if (closed) return { ok: false, error: wireError('UNAVAILABLE', 'the route gateway is shutting down') };
    const service = routes.get(siteId);
    if (service === undefined) return { ok: false, error: wireError('UNKNOWN_SITE', `unknown site ${siteId}`) };
    // Join first: a re-plan committed while the view is read then still reaches this socket (routes carry seq).
    await socket.join(routeRoom(siteId, operativeId));
    return { ok: true, route: await service.view(operativeId) };
  }

  async function unwatch(socket: RouteSocket, raw: unknown): Promise<UnwatchResult> {
    const parsed = WatchRouteRequestSchema.safeParse(raw);
    if (!parsed.success) {
      return { ok: false, error: wireError('BAD_REQUEST', 'invalid picker:unwatch request', validationDetails(parsed.error)) };
    }
    await socket.leave(routeRoom(parsed.data.siteId, parsed.data.operativeId));
    return { ok: true };
  }

  function onConnection(socket: RouteSocket): void {
    socket.on('picker:watch', (raw: unknown, ack: unknown) => {
      serve(log, 'picker:watch', () => watch(socket, raw), ackOf<WatchRouteResult>(ack), {
        ok: false,
        error: wireError('INTERNAL', 'watch failed'),
      });
    });
    socket.on('picker:unwatch', (raw: unknown, ack: unknown) => {
      serve(log, 'picker:unwatch', () => unwatch(socket, raw), ackOf<UnwatchResult>(ack), {
        ok: false,
        error: wireError('INTERNAL', 'unwatch failed'),
      });
    });
  }

  io.on('connection', onConnection);

  return {
    publish(service) {
      const off = service.onUpdate((update: RouteUpdate) => {
        if (!closed) io.to(routeRoom(update.siteId, update.operativeId)).emit('picker:route', update);
      });
      unpublish.add(off);
      return () => {
        off();
        unpublish.delete(off);
      };
    },
    close() {
      closed = true;
      io.off('connection', onConnection);
      for (const off of unpublish) off();
      unpublish.clear();
    },
  };
}
