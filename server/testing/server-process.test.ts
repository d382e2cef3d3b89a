/**
 * The credentials the end-to-end harness sends: `TestServer.fetch` carries the site manager's bearer token unless the
 * test says otherwise, and `signIn` posts the contract's sign-in body and returns the token (waiting out a 429).
 * Against a plain local HTTP server that records what it received.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, testServerAt, TEST_PASSWORD } from './server-process.ts';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

describe('the e2e harness credentials', () => {
  let http: Server;
  let url: string;
  const seen: Seen[] = [];
  let limitedOnce = false;

  beforeAll(async () => {
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        if (req.url === '/api/auth/sign-in') {
          const { email, password } = JSON.parse(body) as { email: string; password: string };
          if (email === 'limited@demo.floortwin' && !limitedOnce) {
            limitedOnce = true;
            res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"error":{"code":"RATE_LIMITED"}}');
          } else if (password !== TEST_PASSWORD) {
            res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"UNAUTHENTICATED"}}');
          } else {
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ user: { email }, token: `token-of-${email}` }));
          }
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });

  it('sends the bearer token on every call, resolves paths against the server, and lets the caller override or drop it', async () => {
    const server = testServerAt(url, 'tok-1');
    expect(server.authHeaders).toEqual({ authorization: 'Bearer tok-1' });
    await server.fetch('/api/sites/demo/summary');
    await server.fetch(`${url}/api/sites`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await server.fetch('/api/sites', { headers: { authorization: 'Bearer other' } });
    await server.fetch('/api/sites', { headers: { authorization: '' } });
    const calls = seen.slice(-4);
    expect(calls.map((c) => [c.method, c.url, c.headers.authorization])).toEqual([
      ['GET', '/api/sites/demo/summary', 'Bearer tok-1'],
      ['POST', '/api/sites', 'Bearer tok-1'],
      ['GET', '/api/sites', 'Bearer other'],
      ['GET', '/api/sites', undefined],
    ]);
    expect(calls[1]?.headers['content-type']).toBe('application/json');
  });

  it('signs in with the test password and returns the token; a wrong password fails with the status', async () => {
    await expect(signIn(url, 'picker@demo.floortwin')).resolves.toBe('token-of-picker@demo.floortwin');
    expect(JSON.parse(seen.at(-1)?.body ?? '{}')).toEqual({ email: 'picker@demo.floortwin', password: TEST_PASSWORD });
    await expect(signIn(url, 'picker@demo.floortwin', 'wrong-password')).rejects.toThrow(/HTTP 401/);
    await expect(testServerAt(url, 'x').signIn('planner@demo.floortwin')).resolves.toBe('token-of-planner@demo.floortwin');
  });

  it('waits out a 429 as Retry-After says, then signs in', async () => {
    const before = seen.length;
    await expect(signIn(url, 'limited@demo.floortwin')).resolves.toBe('token-of-limited@demo.floortwin');
    expect(seen.slice(before).filter((c) => c.url === '/api/auth/sign-in')).toHaveLength(2);
  });
});
