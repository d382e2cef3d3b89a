import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SiteRunner } from '../site/site-runner.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import { tinySite, ALICE, BOB } from '../realtime/realtime.fixture.ts';
import { asOperativeId, epochMs } from '../twin/ids.ts';
import { positionsRouter, siteBounds } from './positions.routes.ts';
import { siteRegistry } from './sites.ts';

const SITE = tinySite('pos-site');

describe('POST /api/sites/:siteId/positions', () => {
  let runner: SiteRunner;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    let now = Date.UTC(2026, 10, 27, 8);
    const store = new MemoryEventStore();
    await store.ensureSite(SITE.id, SITE);
    runner = await SiteRunner.open({ site: SITE, store, clock: { now: () => epochMs((now += 1000)) } });
    for (const id of [ALICE, BOB]) {
      const result = await runner.submit({ type: 'signOn', operativeId: id, name: id });
      if (!result.ok) throw new Error(result.error.code);
    }
    const app = express().use(express.json()).use(positionsRouter({ sites: siteRegistry([runner]) }));
    server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites`;
  });

  afterAll(async () => {
    server.close();
    await runner.close();
  });

  const post = async (siteId: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${base}/${siteId}/positions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const where = (id: string) => {
    const op = runner.twin.operatives.get(asOperativeId(id));
    return op && { x: op.position.x, y: op.position.y, activity: op.activity };
  };

  it('applies a batch in order (the latest position of an operative wins), including the blocked state', async () => {
    const res = await post(SITE.id, {
      positions: [
        { operativeId: ALICE, x: 1, y: 2 },
        { operativeId: BOB, x: 4, y: 3, activity: 'blocked' },
        { operativeId: ALICE, x: 2, y: 3, activity: 'walking' },
      ],
    });
    expect(res).toEqual({ status: 200, body: { siteId: SITE.id, applied: 3, refused: [] } });
    expect(where(ALICE)).toEqual({ x: 2, y: 3, activity: 'walking' });
    expect(where(BOB)).toEqual({ x: 4, y: 3, activity: 'blocked' });
  });

  it('rejects the whole batch, naming the item and field, when any item is invalid or outside the site', async () => {
    const before = where(ALICE);
    const badActivity = await post(SITE.id, { positions: [{ operativeId: ALICE, x: 1, y: 1 }, { operativeId: BOB, x: 1, y: 1, activity: 'dancing' }] });
    expect(badActivity.status).toBe(400);
    expect(JSON.stringify(badActivity.body)).toContain('positions.1.activity');
    const { maxX } = siteBounds(SITE);
    const outside = await post(SITE.id, { positions: [{ operativeId: ALICE, x: 1, y: 1 }, { operativeId: BOB, x: maxX + 1, y: 1 }] });
    expect(outside.status).toBe(400);
    expect(outside.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: { issues: [{ field: 'positions.1.x', code: 'OUT_OF_BOUNDS' }] } } });
    expect((await post(SITE.id, { positions: [] })).status).toBe(400);
    const tooMany = Array.from({ length: 1001 }, () => ({ operativeId: ALICE, x: 1, y: 1 }));
    expect((await post(SITE.id, { positions: tooMany })).status).toBe(400);
    expect(where(ALICE)).toEqual(before);
  });

  it('rejects the whole batch when an operative is not signed on, and answers 404 for an unknown site', async () => {
    const before = where(ALICE);
    const res = await post(SITE.id, { positions: [{ operativeId: ALICE, x: 1, y: 1 }, { operativeId: 'op-nobody', x: 1, y: 1 }] });
    expect(res).toMatchObject({ status: 409, body: { error: { code: 'OPERATIVE_NOT_SIGNED_ON', details: { operatives: [{ index: 1, operativeId: 'op-nobody' }] } } } });
    expect(where(ALICE)).toEqual(before);
    expect((await post('nowhere', { positions: [{ operativeId: ALICE, x: 1, y: 1 }] })).status).toBe(404);
  });
});
