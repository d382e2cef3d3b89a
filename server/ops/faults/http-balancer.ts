/**
 * A round-robin HTTP load balancer for fault scripts, the part a deployment puts in front of several servers: each
 * request goes to the next upstream; one whose connection is refused (the process is dead) is skipped for a moment
 * and the request — which it never received — goes to the next. A request an upstream received and then lost (the
 * process was killed mid-request) is answered 502, as nginx does for a POST: only the client may retry it, with its
 * Idempotency-Key. Like HAProxy's `option httpchk GET /readyz`, it asks each upstream's /readyz every
 * `checkEveryMs` and sends to the ready ones first (a process still starting accepts connections long before it can
 * answer them). Bodies are buffered (order requests are small); no WebSocket upgrades.
 */
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How long an upstream that refused a connection is left out of the rotation. */
const DOWN_MS = 200;

interface Upstream {
  readonly host: string;
  readonly port: number;
  readonly agent: http.Agent;
  downUntil: number;
  /** Its /readyz answered 200 at the last check. */
  ready: boolean;
}

/** What the balancer saw: requests forwarded per upstream port, refusals skipped, 502s answered. */
export interface BalancerStats {
  readonly forwarded: Record<string, number>;
  refusedSkipped: number;
  lostUpstream: number;
  noUpstream: number;
}

const isRefused = (error: unknown): boolean => (error as NodeJS.ErrnoException | null)?.code === 'ECONNREFUSED';

export class HttpBalancer {
  readonly stats: BalancerStats = { forwarded: {}, refusedSkipped: 0, lostUpstream: 0, noUpstream: 0 };
  private next = 0;
  private readonly checker: NodeJS.Timeout;

  private constructor(
    private readonly upstreams: readonly Upstream[],
    private readonly server: http.Server,
    checkEveryMs: number,
  ) {
    this.checker = setInterval(() => void this.check(), checkEveryMs);
  }

  /** Listens on a free loopback port in front of `upstreams` (`host:port` each). */
  static async start(upstreams: readonly { host: string; port: number }[], checkEveryMs = 250): Promise<HttpBalancer> {
    if (upstreams.length === 0) throw new RangeError('a balancer needs at least one upstream');
    const list = upstreams.map(({ host, port }) => ({ host, port, agent: new http.Agent({ keepAlive: true, maxSockets: 64 }), downUntil: 0, ready: true }));
    let balancer: HttpBalancer | null = null;
    const server = http.createServer((req, res) => void balancer?.handle(req, res));
    server.keepAliveTimeout = 30_000;
    balancer = new HttpBalancer(list, server, checkEveryMs);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return balancer;
  }

  /** Health check: GET /readyz of every upstream (a second without an answer counts as not ready). */
  private async check(): Promise<void> {
    await Promise.all(
      this.upstreams.map(async (upstream) => {
        upstream.ready = await fetch(`http://${upstream.host}:${upstream.port}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
          async (r) => (await r.arrayBuffer(), r.status === 200),
          () => false,
        );
      }),
    );
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * Upstreams in rotation order from the next one: ready ones first, then those not ready, then those that just
   * refused a connection (the last two are tried only when nothing better is left).
   */
  private order(): Upstream[] {
    const start = this.next++ % this.upstreams.length;
    const rotated = [...this.upstreams.slice(start), ...this.upstreams.slice(0, start)];
    const now = performance.now();
    const up = rotated.filter((u) => u.downUntil <= now);
    return [...up.filter((u) => u.ready), ...up.filter((u) => !u.ready), ...rotated.filter((u) => u.downUntil > now)];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    for (const upstream of this.order()) {
      const outcome = await this.forward(upstream, req, body, res);
      if (outcome !== 'refused') return;
      upstream.downUntil = performance.now() + DOWN_MS;
      this.stats.refusedSkipped++;
    }
    this.stats.noUpstream++;
    answer(res, 502, 'NO_UPSTREAM', 'no upstream accepted the connection');
  }

  /** Sends the request to one upstream and streams its answer back; 'refused' when it never got there. */
  private forward(upstream: Upstream, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<'done' | 'refused'> {
    return new Promise((resolve) => {
      const headers = { ...req.headers, 'content-length': String(body.length) };
      const outgoing = http.request(
        { host: upstream.host, port: upstream.port, method: req.method, path: req.url, headers, agent: upstream.agent },
        (upstreamRes) => {
          const key = String(upstream.port);
          this.stats.forwarded[key] = (this.stats.forwarded[key] ?? 0) + 1;
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
          upstreamRes.on('error', () => res.destroy());
          upstreamRes.on('end', () => resolve('done'));
          upstreamRes.on('close', () => resolve('done'));
        },
      );
      outgoing.on('error', (error) => {
        if (res.headersSent) {
          // The answer was cut mid-body: the client sees a broken response and retries.
          res.destroy();
          resolve('done');
        } else if (isRefused(error)) {
          resolve('refused');
        } else {
          this.stats.lostUpstream++;
          answer(res, 502, 'UPSTREAM_LOST', `the upstream on port ${upstream.port} failed mid-request (${(error as NodeJS.ErrnoException).code ?? error.message})`);
          resolve('done');
        }
      });
      outgoing.end(body);
    });
  }

  async close(): Promise<void> {
    clearInterval(this.checker);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const upstream of this.upstreams) upstream.agent.destroy();
  }
}

function answer(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code, message } }));
}
