/**
 * A TCP proxy a test or fault script can cut: `cut()` resets every connection and refuses new ones (Postgres as good
 * as gone), `restore()` accepts again. Lets a test take a real database away without stopping the shared one.
 */
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';

export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private portNumber = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static async start(targetHost: string, targetPort: number, port = 0): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await proxy.listen(port);
    return proxy;
  }

  get port(): number {
    return this.portNumber;
  }

  private async listen(port: number): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.portNumber = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Resets every open connection and stops listening (new connections: ECONNREFUSED). */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections again on the same port. */
  async restore(): Promise<void> {
    if (this.server === null) await this.listen(this.portNumber);
  }

  async close(): Promise<void> {
    await this.cut();
  }
}
