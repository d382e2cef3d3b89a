/**
 * Graceful shutdown of the HTTP side: stop accepting connections, let the requests already in flight finish (bounded),
 * and make keep-alive clients open their next request elsewhere. main.ts's `stop` runs it first, before the site runner
 * is closed, so a request that is in flight when SIGTERM arrives is still decided and answered (no 5xx for it).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export class HttpDrain {
  private inFlight = 0;
  private draining = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly server: Server) {}

  /** Call for every request the app serves (not the Socket.IO transport: its polls end when the sockets close). */
  track(_req: IncomingMessage, res: ServerResponse): void {
    this.inFlight++;
    // While draining, a keep-alive client is told to reconnect (the load balancer picks a ready process).
    if (this.draining) res.setHeader('Connection', 'close');
    res.once('close', () => {
      this.inFlight--;
      if (this.inFlight === 0) for (const wake of this.waiters.splice(0)) wake();
    });
  }

  get active(): number {
    return this.inFlight;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Stops accepting connections and closes idle keep-alive ones; resolves with the number of requests still running
   * after `graceMs` (0 when every one finished). Connections of unfinished requests are not cut here.
   */
  async drain(graceMs: number): Promise<number> {
    this.draining = true;
    this.server.close();
    this.server.closeIdleConnections();
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.server.closeIdleConnections();
    return this.inFlight;
  }
}
