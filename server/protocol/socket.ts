/** Typed Socket.IO event maps, used by `new Server<ClientToServerEvents, ServerToClientEvents>()` and the client. */
import type { FloorDiff, FloorSnapshot } from './floor.ts';

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

export interface ClientToServerEvents {
  /** Join a site's room; the ack carries a snapshot, or a catch-up diff when `since` is recent enough. */
  'site:join': (request: unknown, ack: (result: JoinResult) => void) => void;
  'site:leave': (request: unknown, ack: (result: { ok: boolean; error?: WireError }) => void) => void;
}

export interface ServerToClientEvents {
  /** Accumulated changes, sent at the site's patch rate. */
  'site:diff': (diff: FloorDiff) => void;
}
