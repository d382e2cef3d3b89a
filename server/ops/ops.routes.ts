/**
 * Operations endpoints, outside /api (no rate limit, no route policy):
 * (`GET /healthz`, liveness — the process answers, 200 also while starting — stays in server/api/app.ts.)
 * - `GET /readyz` — readiness: every site loaded, Postgres answered `SELECT 1` within a short timeout, and the process
 *   is not shutting down; otherwise 503 `{ status: 'unready', reasons: [...] }`. A load balancer routes on this.
 * - `GET /metrics` — Prometheus text. Needs `Authorization: Bearer <METRICS_TOKEN>` (when METRICS_TOKEN is set) or a
 *   site manager's session/API key: counts per site and tenant load are business data, so loopback is not trusted.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import express, { type RequestHandler, type Router } from 'express';
import { credentialOf } from '../auth/authenticate.ts';
import type { Authenticator } from '../auth/principal.ts';
import { sendError } from '../api/http-error.ts';
import type { ServerMetrics } from './metrics.ts';
import { boundedWait } from './bounded-wait.ts';

export interface Readiness {
  readonly ready: boolean;
  /** Why not ready: 'starting', 'shutting down', 'postgres: …', 'site x: store unavailable'. */
  readonly reasons: readonly string[];
  /** What the process serves (its instance and where each site is decided), shown in both answers. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface OpsOptions {
  /** Readiness right now; main.ts builds it with {@link readinessCheck}. */
  readonly readiness: () => Promise<Readiness>;
  readonly metrics?: ServerMetrics;
  readonly metricsToken?: string;
  /** Who may read /metrics besides the token's bearer: a site manager. */
  readonly authenticator: Authenticator;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

export function opsRouter(options: OpsOptions): Router {
  const router = express.Router();
  router.get('/readyz', async (_req, res) => {
    const readiness = await options.readiness();
    res.setHeader('Cache-Control', 'no-store');
    if (readiness.ready) res.json({ status: 'ready', ...readiness.detail });
    else res.status(503).json({ status: 'unready', reasons: readiness.reasons, ...readiness.detail });
  });
  router.get('/metrics', async (req, res) => {
    const { metrics } = options;
    if (!metrics) return sendError(res, 404, 'NOT_FOUND', 'metrics are not collected by this server');
    const credential = credentialOf(req.headers);
    const token = options.metricsToken;
    const byToken = token !== undefined && credential.bearer !== undefined && timingSafeEqual(digest(credential.bearer), digest(token));
    if (!byToken) {
      const principal = credential.bearer === undefined && credential.sessionCookie === undefined ? null : await options.authenticator.authenticate(credential).catch(() => null);
      if (principal === null) return sendError(res, 401, 'UNAUTHENTICATED', 'send METRICS_TOKEN or a site manager credential as a bearer');
      if (principal.role !== 'site-manager') return sendError(res, 403, 'FORBIDDEN', 'metrics are for site managers');
    }
    res.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.send(metrics.render());
  });
  return router;
}

/** Counts every answer by status class (mounted first, so 401/429/5xx of any route are counted). */
export function countResponses(metrics: ServerMetrics): RequestHandler {
  return (_req, res, next) => {
    res.once('finish', () => metrics.http(res.statusCode));
    next();
  };
}

export function readinessCheck(parts: {
  readonly loaded: () => boolean;
  readonly stopping: () => boolean;
  readonly pingStore: () => (() => Promise<unknown>) | null;
  readonly sitesDown?: () => readonly string[];
  /** Sites nobody serves right now (their owner died, or is opening them): not ready to route there yet. */
  readonly sitesMoving?: () => readonly string[];
  readonly detail?: () => Readonly<Record<string, unknown>>;
  readonly timeoutMs?: number;
}): () => Promise<Readiness> {
  return async () => {
    const reasons: string[] = [];
    if (parts.stopping()) return { ready: false, reasons: ['shutting down'] };
    if (!parts.loaded()) reasons.push('starting: sites not loaded');
    const ping = parts.pingStore();
    if (ping === null) reasons.push('postgres: not connected yet');
    else {
      try {
        await boundedWait(ping(), parts.timeoutMs ?? 1000, { what: 'postgres' });
      } catch (error) {
        reasons.push(`postgres: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    for (const siteId of parts.sitesDown?.() ?? []) reasons.push(`site ${siteId}: store unavailable, reloading`);
    for (const siteId of parts.sitesMoving?.() ?? []) reasons.push(`site ${siteId}: no process serves it yet`);
    return { ready: reasons.length === 0, reasons, ...(parts.detail ? { detail: parts.detail() } : {}) };
  };
}
