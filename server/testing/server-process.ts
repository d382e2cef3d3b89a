/**
 * Starts the real server (server/main.ts under tsx, or its build with `{ built: true }`) as a child process for
 * end-to-end tests, waits until it is ready, and signs in the default site manager (test servers seed the demo users
 * with DEMO_PASSWORD=floortwin-test). Every API call and socket of a test carries a credential:
 * `server.fetch(path)` adds the site manager's bearer token, sockets pass `auth: { token: server.token }`, browser
 * pages get the `ft_session` cookie (client/e2e/browser-kit.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const TEST_DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** The password of every seeded demo user on a test server. */
export const TEST_PASSWORD = 'floortwin-test';
/** The seeded site manager: the default identity of a test (data/users.json). */
export const SITE_MANAGER_EMAIL = 'manager@demo.floortwin';

/** A running server a test talks to: its URL and the default site manager's credential. */
export interface TestServer {
  readonly url: string;
  /** Session token of the default site manager ({@link SITE_MANAGER_EMAIL}); sockets send it as `auth: { token }`. */
  readonly token: string;
  /** `Authorization: Bearer <token>` of the default site manager. */
  readonly authHeaders: Readonly<Record<string, string>>;
  /** Signs `email` in through POST /api/auth/sign-in (password {@link TEST_PASSWORD} unless given); the session token. */
  signIn(email: string, password?: string): Promise<string>;
  /**
   * `fetch` as the default site manager: a path (`/api/…`) is resolved against `url`; headers given in `init` win
   * (so a test can send another credential, or none with `authorization: ''`).
   */
  fetch(pathOrUrl: string, init?: RequestInit): Promise<Response>;
}

export interface ServerProcess extends TestServer {
  readonly child: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** Sends a signal and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A fresh, unique Postgres schema name for one test. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.floor(Math.random() * 1e9).toString(36)}`;
}

/**
 * Signs `email` in on the server at `url` and returns the session token from the body. A 429 (sign-ins are limited
 * per e-mail, across servers when they share Redis) is waited out as its Retry-After says, for up to a minute.
 */
export async function signIn(url: string, email: string, password = TEST_PASSWORD): Promise<string> {
  const until = Date.now() + 60_000;
  let response: Response;
  for (;;) {
    response = await fetch(`${url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const retryAfterMs = Number(response.headers.get('retry-after') ?? '1') * 1000;
    if (response.status !== 429 || Date.now() + retryAfterMs > until) break;
    await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`sign-in of ${email} at ${url}: HTTP ${response.status} ${text}`);
  const token = (JSON.parse(text) as { token?: unknown }).token;
  if (typeof token !== 'string' || token === '') throw new Error(`sign-in of ${email} at ${url}: no token in ${text}`);
  return token;
}

/** The {@link TestServer} of a server already running at `url`, as `token`'s holder (the default site manager). */
export function testServerAt(url: string, token: string): TestServer {
  const authHeaders = { authorization: `Bearer ${token}` };
  return {
    url,
    token,
    authHeaders,
    signIn: (email, password) => signIn(url, email, password),
    fetch: (pathOrUrl, init = {}) => {
      const headers = new Headers(authHeaders);
      new Headers(init.headers).forEach((value, name) => (value === '' ? headers.delete(name) : headers.set(name, value)));
      return fetch(pathOrUrl.startsWith('/') ? `${url}${pathOrUrl}` : pathOrUrl, { ...init, headers });
    },
  };
}

/** Servers started here and still running: killed when this process exits, so a timed-out test leaves no orphan. */
const running = new Set<ChildProcess>();
let exitHook = false;

/** How {@link startServerProcess} starts the server. */
export interface ServerProcessOptions {
  /**
   * Run the build (dist/server/main.js, as `npm start` and the Docker image do) instead of server/main.ts under tsx:
   * the production start-up path. Built first when missing or older than a source. Default: FLOORTWIN_SERVER_BUILT=1.
   */
  readonly built?: boolean;
  /** Bounds the start (build excluded); default 90 s. */
  readonly timeoutMs?: number;
}

/** The built server's entry, made by `npm run build:server` (scripts/build-server.js). */
export const BUILT_SERVER_ENTRY = path.join(root, 'dist/server/main.js');
const BUILD_STAMP = path.join(root, 'dist/.build-stamp.json');
const BUILT_FROM = ['server', 'solver', 'simulations', 'scripts/build-server.js'];

/** Node's arguments to run the server: the TypeScript sources through tsx, or the build. */
export function serverCommand(options: { built: boolean }): string[] {
  return options.built ? [BUILT_SERVER_ENTRY] : ['--import', 'tsx', path.join(root, 'server/main.ts')];
}

async function newestSourceMs(): Promise<number> {
  let newest = 0;
  for (const entry of BUILT_FROM) {
    const top = path.join(root, entry);
    const files = (await stat(top)).isDirectory() ? (await readdir(top, { recursive: true })).map((file) => path.join(top, file)) : [top];
    for (const file of files) newest = Math.max(newest, (await stat(file)).mtimeMs);
  }
  return newest;
}

let build: Promise<void> | null = null;

/** Builds the server into dist/ unless the build there is newer than every source; once per test process. */
export function ensureServerBuilt(): Promise<void> {
  build ??= (async () => {
    const builtMs = await stat(BUILD_STAMP).then((s) => s.mtimeMs, () => 0);
    if (builtMs > (await newestSourceMs())) return;
    const child = spawn(process.execPath, [path.join(root, 'scripts/build-server.js')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`npm run build:server failed (${code}):\n${output}`);
  })();
  // A failed build is not kept: the next start tries again.
  void build.catch(() => (build = null));
  return build;
}

/**
 * Starts the server on a free port with `env` over the defaults (test database, no automatic waves, the demo users'
 * password), waits for "ready", and signs the site manager in. A number for `options` is the start's timeout.
 */
export async function startServerProcess(env: Record<string, string>, options: number | ServerProcessOptions = {}): Promise<ServerProcess> {
  const { built = process.env['FLOORTWIN_SERVER_BUILT'] === '1', timeoutMs = 90_000 } = typeof options === 'number' ? { timeoutMs: options } : options;
  if (built) await ensureServerBuilt();
  const child = spawn(process.execPath, serverCommand({ built }), {
    cwd: root,
    // Automatic waves are off unless a test asks: tests release their own orders and must not race a timer.
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: TEST_DATABASE_URL, AUTO_RELEASE_MS: '0', DEMO_PASSWORD: TEST_PASSWORD, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  running.add(child);
  void exited.then(() => running.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const orphan of running) orphan.kill('SIGKILL');
    });
  }
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (): void => {
      const port = /listening on http:\/\/localhost:(\d+)/.exec(output)?.[1];
      if (port && /ready in \d+ ms/.test(output)) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${port}`);
      }
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before ready:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    await stop('SIGKILL');
    throw error;
  });

  const token = await signIn(url, SITE_MANAGER_EMAIL).catch(async (error: unknown) => {
    await stop('SIGKILL');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${output}`);
  });
  return { ...testServerAt(url, token), child, output: () => output, stop };
}
