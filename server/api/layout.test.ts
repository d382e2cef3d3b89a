import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SiteRunner } from '../site/site-runner.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import { layoutView } from '../twin/floor-view.ts';
import { epochMs } from '../twin/ids.ts';
import { TEST_SITE } from '../twin/test-site.ts';
import { createApp } from './app.ts';
import { siteRegistry } from './sites.ts';
import { SITE_MANAGER, fixedPrincipal } from '../testing/principals.ts';

function get(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('GET /api/sites/:site/layout', () => {
  it('is gzipped for clients that accept it, and plain JSON otherwise, with the same content', async () => {
    const store = new MemoryEventStore();
    await store.ensureSite(TEST_SITE.id, TEST_SITE);
    const runner = await SiteRunner.open({ site: TEST_SITE, store, clock: { now: () => epochMs(0) } });
    const app = createApp({ authenticator: fixedPrincipal(SITE_MANAGER), sites: siteRegistry([runner]), isReady: () => true, layoutOf: () => layoutView(TEST_SITE) });
    const server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites/${TEST_SITE.id}/layout`;
    try {
      const zipped = await get(url, { 'accept-encoding': 'gzip, deflate' });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      const plain = await get(url, {});
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(JSON.parse(gunzipSync(zipped.body).toString('utf8'))).toEqual(JSON.parse(plain.body.toString('utf8')));
      expect(JSON.parse(plain.body.toString('utf8'))).toMatchObject({ siteId: TEST_SITE.id });
    } finally {
      server.close();
      await runner.close();
    }
  });
});

describe('GET /api/sites', () => {
  it("lists the deployment's sites when told them, also those this process does not run", async () => {
    const store = new MemoryEventStore();
    await store.ensureSite(TEST_SITE.id, TEST_SITE);
    const runner = await SiteRunner.open({ site: TEST_SITE, store, clock: { now: () => epochMs(0) } });
    const deployment = [{ id: TEST_SITE.id, name: TEST_SITE.name }, { id: 'north', name: 'decided by another process' }];
    const apps = [
      createApp({ authenticator: fixedPrincipal(SITE_MANAGER), sites: siteRegistry([runner]), isReady: () => true, layoutOf: () => layoutView(TEST_SITE) }),
      createApp({ authenticator: fixedPrincipal(SITE_MANAGER), sites: siteRegistry([runner]), isReady: () => true, layoutOf: () => layoutView(TEST_SITE), deploymentSites: () => deployment }),
    ];
    const lists: unknown[] = [];
    for (const app of apps) {
      const server = createServer(app).listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        lists.push(JSON.parse((await get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites`, {})).body.toString()));
      } finally {
        server.close();
      }
    }
    expect(lists).toEqual([{ sites: [{ id: TEST_SITE.id, name: TEST_SITE.name }] }, { sites: deployment }]);
  });
});
