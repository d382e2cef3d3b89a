/** HttpDrain on a real HTTP server: requests in flight finish, new connections are refused, keep-alive is ended. */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpDrain } from './shutdown.ts';

describe('HttpDrain', () => {
  it('lets requests in flight finish with their answer, refuses new connections, and reports none left', async () => {
    const release: (() => void)[] = [];
    const server = createServer((req, res) => {
      drain.track(req, res);
      // Answers when the test says so: the request is "in flight" while the drain starts.
      release.push(() => res.end('done'));
    });
    const drain = new HttpDrain(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const inFlight = [fetch(`${url}/a`), fetch(`${url}/b`)];
    while (drain.active < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const drained = drain.drain(60_000);
    expect(drain.isDraining).toBe(true);
    // A new connection after the drain began is refused.
    await expect(fetch(`${url}/c`, { headers: { connection: 'close' } })).rejects.toThrow();
    for (const answer of release) answer();
    const responses = await Promise.all(inFlight);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(await Promise.all(responses.map((r) => r.text()))).toEqual(['done', 'done']);
    expect(await drained).toBe(0);
    expect(drain.active).toBe(0);
  });

  it('gives up after the grace period and says how many are still running', async () => {
    const server = createServer((req, res) => drain.track(req, res)); // never answers
    const drain = new HttpDrain(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const pending = fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`).catch(() => 'cut');
    while (drain.active < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await drain.drain(50)).toBe(1);
    server.closeAllConnections();
    expect(await pending).toBe('cut');
  });
});
