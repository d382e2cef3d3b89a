/**
 * Forwarding of HTTP requests to the process that owns their site (issue 10). Runs before the app, on the raw request:
 * the body is streamed through untouched, so the owner authenticates, rate-limits and decides exactly as if the client
 * had come to it. A request for a site nobody serves right now is answered 503 SITE_MOVING with Retry-After: clients
 * resend (with their Idempotency-Key), and the new owner answers once it has opened the site.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { LeaseHolder } from './site-lease.ts';
import type { SitePlacement } from './site-ownership.ts';

/** Marks a forwarded request: a process never forwards it again (no loops when two processes disagree briefly). */
export const FORWARDED_BY = 'x-floortwin-forwarded-by';

export interface ForwarderOptions {
  readonly instance: string;
  placement(siteId: string): SitePlacement | undefined;
  /** True when this process serves at least one site. */
  ownsAny(): boolean;
  /** Some process that serves a site: where routes not scoped to one site go when this process serves none. */
  anyRemote(): LeaseHolder | null;
  readonly log: (message: string, error?: unknown) => void;
  /** An owner that accepts the connection but sends nothing for this long is given up on (503 SITE_MOVING), ms. */
  readonly idleTimeoutMs?: number;
  /** Counts forwarded requests (metrics). */
  readonly onForward?: (outcome: 'forwarded' | 'moving' | 'unreachable') => void;
}

const SITE_PATH = /^\/api\/(?:portal\/)?sites\/([^/?#]+)(?:[/?#]|$)/;
// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection, not to the request or answer.
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

function siteOf(url: string): string | null {
  const match = SITE_PATH.exec(url);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

function siteMoving(res: ServerResponse, siteId: string | null, message: string): void {
  const body = JSON.stringify({ error: { code: 'SITE_MOVING', message, details: siteId === null ? null : { siteId } } });
  res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Returns a handler that answers (forwards or refuses) and returns true, or returns false for the app to serve. */
export function siteForwarder(options: ForwarderOptions): { handle(req: IncomingMessage, res: ServerResponse): boolean; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  function forward(req: IncomingMessage, res: ServerResponse, holder: LeaseHolder, siteId: string | null): void {
    const target = new URL(req.url ?? '/', holder.url);
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: target.host, [FORWARDED_BY]: options.instance };
    for (const name of HOP_BY_HOP) delete headers[name];
    const from = req.socket.remoteAddress;
    if (from) headers['x-forwarded-for'] = req.headers['x-forwarded-for'] ? `${String(req.headers['x-forwarded-for'])}, ${from}` : from;
    const upstream = http.request(target, { method: req.method ?? 'GET', headers, agent }, (answer) => {
      const back: http.OutgoingHttpHeaders = { ...answer.headers };
      for (const name of HOP_BY_HOP) delete back[name];
      res.writeHead(answer.statusCode ?? 502, back);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    // An owner that is stuck (starting, paused, overloaded) must not hold the client forever: the client resends.
    upstream.setTimeout(options.idleTimeoutMs ?? 30_000, () => upstream.destroy(new Error(`no answer from ${holder.instance} in ${options.idleTimeoutMs ?? 30_000} ms`)));
    upstream.on('error', (error) => {
      // The owner died or is restarting: the client resends (its Idempotency-Key makes that safe) once a new owner serves.
      options.onForward?.('unreachable');
      if (!res.headersSent) siteMoving(res, siteId, `the server deciding this site (${holder.instance}) is unreachable; retry`);
      else res.destroy();
      options.log(`forward to ${holder.instance} (${holder.url}) failed`, error);
    });
    req.pipe(upstream);
    options.onForward?.('forwarded');
  }

  return {
    handle(req, res) {
      const url = req.url ?? '/';
      if (!url.startsWith('/api/')) return false;
      const alreadyForwarded = req.headers[FORWARDED_BY] !== undefined;
      const siteId = siteOf(url);
      if (siteId !== null) {
        const placement = options.placement(siteId);
        if (placement === undefined || placement.kind === 'local') return false;
        if (placement.kind === 'moving' || alreadyForwarded) {
          options.onForward?.('moving');
          siteMoving(res, siteId, `site ${siteId} is moving to another server; retry`);
          return true;
        }
        forward(req, res, placement.holder, siteId);
        return true;
      }
      // Routes over every site (lists, portal, billing) are served where sites are; sign-in is served anywhere.
      if (url.startsWith('/api/auth/') || alreadyForwarded || options.ownsAny()) return false;
      const holder = options.anyRemote();
      if (holder === null) return false;
      forward(req, res, holder, null);
      return true;
    },
    close() {
      agent.destroy();
    },
  };
}
