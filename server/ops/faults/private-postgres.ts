/**
 * A private Postgres cluster (initdb under /tmp, its own port) a fault script may stop and start — the shared server
 * on 5432 is never touched. Binaries from /usr/lib/postgresql/<newest>/bin.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './wait.ts';

const execFileAsync = promisify(execFile);
/** Postgres refuses to run as root: as root, the binaries run as the `postgres` user (who owns the data dir). */
const asRoot = process.getuid?.() === 0;
const run = (file: string, args: readonly string[], options: { maxBuffer?: number } = {}): Promise<unknown> =>
  asRoot ? execFileAsync('runuser', ['-u', 'postgres', '--', file, ...args], options) : execFileAsync(file, args, options);

function binDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin/pg_ctl'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) throw new Error(`no Postgres binaries under ${base}/*/bin`);
  return path.join(base, newest, 'bin');
}

export class PrivatePostgres {
  private constructor(
    private readonly bin: string,
    readonly dataDir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const bin = binDir();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ft-faults-pg-'));
    if (asRoot) {
      const { stdout } = await execFileAsync('id', ['-u', 'postgres']);
      const { stdout: gid } = await execFileAsync('id', ['-g', 'postgres']);
      chownSync(dataDir, Number(stdout.trim()), Number(gid.trim()));
    }
    const pg = new PrivatePostgres(bin, dataDir, await freePort());
    await run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'], { maxBuffer: 1 << 24 });
    await pg.startServer();
    await run(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'postgres', 'test']);
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/test`;
  }

  /** Starts the cluster and waits until it accepts connections. */
  async startServer(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
    await run(path.join(this.bin, 'pg_ctl'), ['-D', this.dataDir, '-l', path.join(this.dataDir, 'log.txt'), '-o', options, '-w', 'start']);
  }

  /** `pg_ctl stop -m immediate`: a crash as far as clients can tell. */
  async crash(): Promise<void> {
    await run(path.join(this.bin, 'pg_ctl'), ['-D', this.dataDir, '-m', 'immediate', 'stop']);
  }

  async accepting(): Promise<boolean> {
    return run(path.join(this.bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(this.port), '-q']).then(
      () => true,
      () => false,
    );
  }

  async destroy(): Promise<void> {
    await run(path.join(this.bin, 'pg_ctl'), ['-D', this.dataDir, '-m', 'immediate', 'stop']).catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
