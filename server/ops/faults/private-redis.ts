/**
 * A private redis-server on its own port (never the shared one on 6379) that a test or fault script may stop, hang
 * (SIGSTOP) and flush without disturbing anyone else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { freePort, waitFor } from './wait.ts';

export class PrivateRedis {
  private constructor(
    private child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(port?: number): Promise<PrivateRedis> {
    const chosen = port ?? (await freePort());
    const redis = new PrivateRedis(PrivateRedis.spawn(chosen), chosen);
    await redis.waitUp();
    return redis;
  }

  private static spawn(port: number): ChildProcess {
    return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private async waitUp(): Promise<void> {
    await waitFor(async () => (await this.command('PING')) === '+PONG', 10_000, `redis on ${this.port}`);
  }

  /** One inline command over a fresh connection; the first reply line, or null when it cannot connect. */
  command(line: string): Promise<string | null> {
    return new Promise((resolve) => {
      const socket = net.connect(this.port, '127.0.0.1');
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(null);
      }, 1000);
      socket.once('error', () => {
        clearTimeout(timer);
        resolve(null);
      });
      socket.once('data', (data) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.toString().split('\r\n')[0] ?? null);
      });
      socket.write(`${line}\r\n`);
    });
  }

  hang(): void {
    this.child.kill('SIGSTOP');
  }

  resume(): void {
    this.child.kill('SIGCONT');
  }

  async flush(): Promise<void> {
    await this.command('FLUSHALL');
  }

  /** Kills the process (its data is gone: nothing is saved). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGCONT');
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** Starts it again on the same port, empty. */
  async restart(): Promise<void> {
    await this.stop();
    this.child = PrivateRedis.spawn(this.port);
    await this.waitUp();
  }
}
