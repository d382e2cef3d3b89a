/** Blocked aisle segments over HTTP against a real Postgres (R28): block, list, unblock, and the errors at the edge. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochMs } from '../twin/ids.ts';
import type { SiteDefinition } from '../twin/site.ts';
import { createTwinState, applySequenced } from '../twin/twin.ts';
import type { SiteRunner } from '../site/site-runner.ts';
import type { PgEventStore } from '../store/event-store.pg.ts';
import { startApiOnPostgres, type ApiOnPostgres } from '../testing/api-on-postgres.ts';

describe('[R28] blocked segments over HTTP on Postgres', () => {
  let store: PgEventStore;
  let runner: SiteRunner;
  let site: SiteDefinition;
  let api: ApiOnPostgres;
  let base: string;

  beforeAll(async () => {
    api = await startApiOnPostgres('blocks');
    ({ store, runner, site, base } = api);
  });

  afterAll(async () => {
    await api?.close();
  });

  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const del = (url: string) => fetch(url, { method: 'DELETE' });
  const errorOf = async (response: Response) => ({ status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code });

  it('blocks a segment (201), lists it, refuses it twice, unblocks it (200) and lists none', async () => {
    const edge = site.layout.graph.edges[5]!;
    const lo = Math.min(edge.a, edge.b);
    const hi = Math.max(edge.a, edge.b);
    const blocked = await post(`${base}/blocks`, { a: hi, b: lo, reason: 'spill' });
    expect(blocked.status).toBe(201);
    expect(((await blocked.json()) as { events: unknown[] }).events).toEqual([expect.objectContaining({ type: 'SegmentBlocked', a: lo, b: hi, reason: 'spill' })]);

    const list = (await (await fetch(`${base}/blocks`)).json()) as { blocks: { a: number; b: number; reason: string; from: { x: number } }[] };
    expect(list.blocks).toEqual([expect.objectContaining({ a: lo, b: hi, reason: 'spill', from: { x: site.layout.graph.nodes[lo]!.x, y: site.layout.graph.nodes[lo]!.y } })]);

    expect(await errorOf(await post(`${base}/blocks`, { a: lo, b: hi, reason: 'again' }))).toEqual({ status: 409, code: 'INVALID_STATE' });

    const unblocked = await del(`${base}/blocks/${lo}/${hi}`);
    expect(unblocked.status).toBe(200);
    expect(((await unblocked.json()) as { events: unknown[] }).events).toEqual([expect.objectContaining({ type: 'SegmentUnblocked', a: lo, b: hi })]);
    expect(await errorOf(await del(`${base}/blocks/${hi}/${lo}`))).toEqual({ status: 409, code: 'INVALID_STATE' });
    expect(((await (await fetch(`${base}/blocks`)).json()) as { blocks: unknown[] }).blocks).toEqual([]);
  });

  it('refuses bad input at the edge and unknown segments as 422, changing nothing', async () => {
    const seqBefore = runner.twin.seq;
    const edge = site.layout.graph.edges[0]!;
    const nodes = site.layout.graph.nodes.length;
    const cases: [Response, number, string][] = [
      [await post(`${base}/blocks`, { a: edge.a, b: edge.b }), 400, 'VALIDATION_FAILED'],
      [await post(`${base}/blocks`, { a: edge.a, b: edge.b, reason: '   ' }), 400, 'VALIDATION_FAILED'],
      [await post(`${base}/blocks`, { a: 1.5, b: edge.b, reason: 'x' }), 400, 'VALIDATION_FAILED'],
      [await post(`${base}/blocks`, { a: edge.a, b: edge.b, reason: 'x', extra: 1 }), 400, 'VALIDATION_FAILED'],
      [await post(`${base}/blocks`, { a: nodes + 5, b: nodes + 6, reason: 'x' }), 422, 'UNKNOWN_SEGMENT'],
      [await del(`${base}/blocks/abc/1`), 400, 'VALIDATION_FAILED'],
      [await del(`${base}/blocks/${nodes + 5}/${nodes + 6}`), 422, 'UNKNOWN_SEGMENT'],
    ];
    for (const [response, status, code] of cases) expect(await errorOf(response)).toEqual({ status, code });
    expect(runner.twin.seq).toBe(seqBefore);
  });

  it('blocks are durable: replaying the Postgres log rebuilds them', async () => {
    const edge = site.layout.graph.edges[7]!;
    expect((await post(`${base}/blocks`, { a: edge.a, b: edge.b, reason: 'forklift parked' })).status).toBe(201);
    const replayed = createTwinState(site, epochMs(0));
    for (const entry of await store.load(site.id)) applySequenced(replayed, entry);
    expect([...replayed.blockedEdges.values()]).toEqual([...runner.twin.blockedEdges.values()]);
    expect(replayed.blockedEdges.size).toBe(1);
  });
});
