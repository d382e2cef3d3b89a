/** Typed Socket.IO event maps, used by `new Server<ClientToServerEvents, ServerToClientEvents>()` and the client. */
import { z } from 'zod';
import type { FloorActivity, FloorDiff, FloorSnapshot } from './floor.ts';
import type { KpiView } from './kpis.ts';
import type { NextPickResult, ScanResult, SignOffResult, SignOnResult } from './picking.ts';
import type { PortalJoinResult, PortalOrders } from './portal.ts';
import type { PositionResult } from './positions.ts';
import type { NoRouteView, RouteView } from './route.ts';

export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
}

export interface JoinRequest {
  readonly siteId: string;
  /** The last seq the client holds; omit for a fresh snapshot. */
  readonly since?: number;
  readonly protocolVersion: number;
}

export type JoinResult =
  | { readonly ok: true; readonly kind: 'snapshot'; readonly snapshot: FloorSnapshot }
  | { readonly ok: true; readonly kind: 'diff'; readonly diff: FloorDiff }
  | { readonly ok: false; readonly error: WireError };

/** Codes of {@link WireError} returned by the floor gateway. */
export type FloorErrorCode =
  | 'BAD_REQUEST' // payload failed validation; `details` lists the issues
  | 'PROTOCOL_MISMATCH' // client and server PROTOCOL_VERSION differ; `details.serverVersion` says which to use
  | 'UNKNOWN_SITE'
  | 'UNAVAILABLE' // the gateway is shutting down; retry on another connection
  | 'INTERNAL';

/** Request to leave a site's room. */
export interface LeaveRequest {
  readonly siteId: string;
}

/** Edge validation of {@link JoinRequest} (the server does not trust the typed event map). */
export const JoinRequestSchema = z.object({
  siteId: z.string().min(1).max(200),
  since: z.number().int().nonnegative().optional(),
  protocolVersion: z.number().int(),
});

/** Edge validation of {@link LeaveRequest}. */
export const LeaveRequestSchema = z.object({
  siteId: z.string().min(1).max(200),
});

export type WatchRouteResult =
  | { readonly ok: true; readonly route: RouteView | NoRouteView }
  | { readonly ok: false; readonly error: WireError };

export interface ClientToServerEvents {
  /** Join a site's room; the ack carries a snapshot, or a catch-up diff when `since` is recent enough. */
  'site:join': (request: unknown, ack: (result: JoinResult) => void) => void;
  'site:leave': (request: unknown, ack: (result: { ok: boolean; error?: WireError }) => void) => void;
  /**
   * Follow one operative's route (`{ siteId, operativeId }`): the ack carries the current route (or why there is
   * none), then `picker:route` arrives whenever it is re-planned. Used by the handheld and the floor overlay.
   */
  'picker:watch': (request: unknown, ack: (result: WatchRouteResult) => void) => void;
  'picker:unwatch': (request: unknown, ack: (result: { ok: boolean; error?: WireError }) => void) => void;
  /** Handheld sign-on (`SignOnRequest`); signing on again resumes (`resumed: true`). */
  'picker:signOn': (request: unknown, ack: (result: SignOnResult) => void) => void;
  /** Handheld sign-off (`SignOffRequest`); the operative's open tasks go back to the release queue. */
  'picker:signOff': (request: unknown, ack: (result: SignOffResult) => void) => void;
  /** The next pick (`NextPickRequest`); asks the twin for work when the operative has none open. */
  'picker:next': (request: unknown, ack: (result: NextPickResult) => void) => void;
  /** A confirm or short scan (`ScanRequest`); a resend with the same scanId is acked without being applied twice. */
  'picker:scan': (request: unknown, ack: (result: ScanResult) => void) => void;
  /**
   * The signed-on picker's own position (`PositionReport`), volatile: a report still waiting when a newer one arrives
   * is acked `applied: false`. Only for an operative signed on over this connection.
   */
  'picker:position': (request: unknown, ack: (result: PositionResult) => void) => void;
  /** A client user follows its own tenant's orders at a site (`PortalJoinRequest`, `server/protocol/portal.ts`). */
  'portal:join': (request: unknown, ack: (result: PortalJoinResult) => void) => void;
  'portal:leave': (request: unknown, ack: (result: { ok: boolean; error?: WireError }) => void) => void;
}

export interface ServerToClientEvents {
  /** Accumulated changes, sent at the site's patch rate. */
  'site:diff': (diff: FloorDiff) => void;
  /** An operative's route was (re)planned, or it has none any more. */
  'picker:route': (route: RouteView | NoRouteView) => void;
  /** The site's KPI panels, every 2 s to the floor room (`server/realtime/kpi-feed.ts`). */
  'site:kpis': (view: KpiView) => void;
  /** A receipt, put-away, replenishment, count or adjustment just committed (`server/realtime/activity-feed.ts`). */
  'floor:activity': (activity: FloorActivity) => void;
  /** Changed orders of the portal room's tenant (`server/realtime/portal-gateway.ts`). */
  'portal:orders': (update: PortalOrders) => void;
}
