import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpBalancer } from './http-balancer.ts';

/** An upstream answering its name and the body it got; `/die` destroys the connection without answering. */
async function upstream(name: string): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/die') return void req.socket.destroy();
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => res.end(JSON.stringify({ name, method: req.method, url: req.url, body })));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

const closeServer = (server: http.Server): Promise<void> => {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
};

describe('HttpBalancer', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function setUp(names: string[]): Promise<{ balancer: HttpBalancer; ups: { server: http.Server; port: number }[] }> {
    const ups = await Promise.all(names.map((name) => upstream(name)));
    cleanup.push(async () => {
      for (const up of ups) if (up.server.listening) await closeServer(up.server);
    });
    // No health checks during a test (the upstreams have no /readyz): rotation and refusals only.
    const balancer = await HttpBalancer.start(ups.map((up) => ({ host: '127.0.0.1', port: up.port })), 3_600_000);
    cleanup.push(() => balancer.close());
    return { balancer, ups };
  }

  const post = async (balancer: HttpBalancer, path: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${balancer.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it('sends requests round-robin, with method, path and body', async () => {
    const { balancer } = await setUp(['a', 'b']);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await post(balancer, `/x?i=${i}`, `body ${i}`)).json);
    expect(answers.map((a) => a['name'])).toEqual(['a', 'b', 'a', 'b']);
    expect(answers[3]).toEqual({ name: 'b', method: 'POST', url: '/x?i=3', body: 'body 3' });
  });

  it('skips an upstream that refuses connections: the request goes to the next one', async () => {
    const { balancer, ups } = await setUp(['a', 'b']);
    await closeServer(ups[0]?.server as http.Server);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await post(balancer, '/x', 'b'));
    expect(answers.map((a) => [a.status, a.json['name']])).toEqual([[200, 'b'], [200, 'b'], [200, 'b'], [200, 'b']]);
    expect(balancer.stats.refusedSkipped).toBeGreaterThanOrEqual(1);
  });

  it('answers 502 UPSTREAM_LOST when the upstream got the request and died, never resending it', async () => {
    const { balancer } = await setUp(['a', 'b']);
    const answer = await post(balancer, '/die', 'order');
    expect(answer.status).toBe(502);
    expect((answer.json['error'] as { code: string }).code).toBe('UPSTREAM_LOST');
    expect(balancer.stats.lostUpstream).toBe(1);
  });

  it('answers 502 NO_UPSTREAM when every upstream refuses', async () => {
    const { balancer, ups } = await setUp(['a', 'b']);
    for (const up of ups) await closeServer(up.server);
    const answer = await post(balancer, '/x', 'order');
    expect(answer.status).toBe(502);
    expect((answer.json['error'] as { code: string }).code).toBe('NO_UPSTREAM');
  });
});
