/**
 * HTTP forwarding to a site's owner (issue 10): requests for a site another process decides reach it unchanged and
 * its answer comes back; a site nobody serves, an unreachable owner, or a request already forwarded once is answered
 * 503 SITE_MOVING with Retry-After; this process's own sites and sign-in are left to the app.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../ops/faults/wait.ts';
import { FORWARDED_BY, siteForwarder } from './forward.ts';
import type { LeaseHolder } from './site-lease.ts';
import type { SitePlacement } from './site-ownership.ts';

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('siteForwarder', () => {
  let owner: { server: Server; url: string };
  let front: { server: Server; url: string };
  let stuck: { server: Server; url: string };
  const placements = new Map<string, SitePlacement>();
  let ownsAny = false;
  let forwarder: ReturnType<typeof siteForwarder>;

  beforeAll(async () => {
    // The owner echoes what it received.
    owner = await listen((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-owner': 'yes' });
        res.end(JSON.stringify({ method: req.method, url: req.url, body, by: req.headers[FORWARDED_BY], auth: req.headers.authorization }));
      });
    });
    const holder: LeaseHolder = { instance: 'owner', boot: 'b1', url: owner.url };
    placements.set('remote', { kind: 'remote', holder });
    placements.set('moving', { kind: 'moving' });
    placements.set('local', { kind: 'local' });
    placements.set('dead', { kind: 'remote', holder: { instance: 'dead', boot: 'b2', url: `http://127.0.0.1:${await freePort()}` } });
    // An owner that accepts connections and never answers (paused, stuck while starting).
    stuck = await listen(() => undefined);
    placements.set('stuck', { kind: 'remote', holder: { instance: 'stuck', boot: 'b3', url: stuck.url } });
    forwarder = siteForwarder({
      instance: 'front',
      placement: (siteId) => placements.get(siteId),
      ownsAny: () => ownsAny,
      anyRemote: () => holder,
      log: () => undefined,
      idleTimeoutMs: 300,
    });
    front = await listen((req, res) => {
      if (!forwarder.handle(req, res)) res.writeHead(299).end('app');
    });
  });
  afterAll(() => {
    forwarder.close();
    owner.server.close();
    front.server.close();
    stuck.server.closeAllConnections();
    stuck.server.close();
  });

  it('forwards a site’s request to its owner with method, path, headers and body, and returns the owner’s answer', async () => {
    const response = await fetch(`${front.url}/api/sites/remote/orders?x=1`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"orderId":"O1"}' });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-owner')).toBe('yes');
    expect(await response.json()).toEqual({ method: 'POST', url: '/api/sites/remote/orders?x=1', body: '{"orderId":"O1"}', by: 'front', auth: 'Bearer t' });
    // The portal's site routes too.
    expect((await fetch(`${front.url}/api/portal/sites/remote/stock`)).status).toBe(201);
  });

  it('answers 503 SITE_MOVING with Retry-After for a site nobody serves, an unreachable or silent owner, or a second hop', async () => {
    for (const [path, headers] of [
      ['/api/sites/moving/orders', {}],
      ['/api/sites/dead/orders', {}],
      ['/api/sites/stuck/orders', {}],
      ['/api/sites/remote/orders', { [FORWARDED_BY]: 'someone' }],
    ] as const) {
      const response = await fetch(`${front.url}${path}`, { headers });
      expect(response.status, path).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('SITE_MOVING');
    }
  });

  it('leaves its own sites, unknown sites, sign-in and non-API paths to the app', async () => {
    for (const path of ['/api/sites/local/orders', '/api/sites/unknown/orders', '/api/auth/sign-in', '/healthz', '/floor']) {
      expect((await fetch(`${front.url}${path}`)).status, path).toBe(299);
    }
  });

  it('sends routes over every site to an owner only while this process serves no site', async () => {
    ownsAny = false;
    expect((await fetch(`${front.url}/api/sites`)).status).toBe(201);
    ownsAny = true;
    expect((await fetch(`${front.url}/api/sites`)).status).toBe(299);
  });
});
