/**
 * A restart in the middle of a shift loses nothing acknowledged: the server is killed with SIGKILL while the demo shift
 * runs and orders are arriving over HTTP, then started again on the same database. The calls are the site manager's.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCheck } from '../cli/check.command.ts';
import { startServerProcess, TEST_DATABASE_URL, uniqueSchema, type ServerProcess, type TestServer } from '../testing/server-process.ts';
import { loadSiteFiles } from './site-loader.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('restart mid-shift', () => {
  const schema = uniqueSchema('restart');
  const env = { DB_SCHEMA: schema, DEMO_SHIFT: 'on', SHIFT_SPEED: '20', SHIFT_PICKERS: '8', SNAPSHOT_EVERY: '3000' };
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop('SIGKILL');
  });

  it('resumes exactly where the log ends, with every acknowledged order', async () => {
    const { site } = await loadSiteFiles(path.join(root, 'data/sites/demo.json'));
    const skus = site.skus.filter((s) => !s.lotTracked).slice(0, 20);
    server = await startServerProcess(env);
    const killed = server;

    const createOrder = async (orderId: string, i: number): Promise<'ok' | 'fail' | 'info'> => {
      const sku = skus[i % skus.length];
      if (!sku) throw new Error('no sku');
      try {
        const response = await killed.fetch(`/api/sites/${site.id}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ orderId, tenantId: sku.tenantId, lines: [{ skuId: sku.id, qty: 1 }] }),
        });
        return response.status === 201 ? 'ok' : 'fail';
      } catch {
        return 'info'; // the connection died with the server: indeterminate
      }
    };

    const history = new Map<string, 'ok' | 'fail' | 'info'>();
    const first = await Promise.all(Array.from({ length: 40 }, (_, i) => createOrder(`R1-${i}`, i)));
    first.forEach((outcome, i) => history.set(`R1-${i}`, outcome));
    expect(first.every((o) => o === 'ok')).toBe(true);

    const seqBefore = await currentSeq(server);
    // A second volley is in flight when the process is killed.
    const volley = Promise.all(Array.from({ length: 40 }, (_, i) => createOrder(`R2-${i}`, i)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await server.stop('SIGKILL');
    (await volley).forEach((outcome, i) => history.set(`R2-${i}`, outcome));

    server = await startServerProcess(env);
    expect(server.output()).toMatch(/resumed site demo at seq \d+/);
    const resumedAt = Number(/resumed site demo at seq (\d+)/.exec(server.output())?.[1]);
    expect(resumedAt).toBeGreaterThanOrEqual(seqBefore);

    for (const [orderId, outcome] of history) {
      const status = (await server.fetch(`/api/sites/${site.id}/orders/${orderId}`)).status;
      if (outcome === 'ok') expect({ orderId, status }).toEqual({ orderId, status: 200 });
      if (outcome === 'fail') expect({ orderId, status }).toEqual({ orderId, status: 404 });
    }

    // The shift carries on from where it was.
    const deadline = Date.now() + 30_000;
    while ((await currentSeq(server)) <= resumedAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await currentSeq(server)).toBeGreaterThan(resumedAt);

    await server.stop('SIGTERM');
    server = undefined;
    expect(await runCheck(['--database-url', TEST_DATABASE_URL, '--schema', schema, '--site', site.id])).toBe(0);
  }, 180_000);
});

async function currentSeq(server: TestServer): Promise<number> {
  const response = await server.fetch('/api/sites/demo/summary');
  const body = (await response.json()) as { seq: number };
  return body.seq;
}
