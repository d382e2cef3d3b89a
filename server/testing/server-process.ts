/**
 * Starts the real server (server/main.ts) as a child process for end-to-end tests, waits until it is ready, and signs
 * in the default site manager (test servers seed the demo users with DEMO_PASSWORD=floortwin-test). Every API call and
 * socket of a test carries a credential: `server.fetch(path)` adds the site manager's bearer token, sockets pass
 * `auth: { token: server.token }`, browser pages get the `ft_session` cookie (client/e2e/browser-kit.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
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

/**
 * Starts server/main.ts on a free port with `env` over the defaults (test database, no automatic waves, the demo
 * users' password), waits for "ready", and signs the site manager in. `timeoutMs` bounds the start.
 */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 90_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/main.ts')], {
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
