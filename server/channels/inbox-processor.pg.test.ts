/**
 * [C5] at CI size: 500 signed orders/create, each delivered 3× (10 % of the repeats concurrent, 5 % redelivered under a
 * new webhook id with the same event id), shuffled, plus 100 orders/updated that arrive before their create (newer) or
 * after it (stale) — all acknowledged with 200, exactly 500 orders, each allocated once, and a stale version never
 * replaces a newer one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteInvariantProblems } from '../api/reliability/invariants.ts';
import { asOrderId } from '../twin/ids.ts';
import { type ChannelsHarness, deliverShopify, inParallel, shopifyOrderBody, startChannelsHarness } from './channels.fixture.ts';

const SHOP = 'c5-load.myshopify.com';
const SECRET = 'shpss_c5_secret';
const ORDERS = 500;

/** mulberry32: a seeded stream, so a failing shuffle replays exactly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let h: ChannelsHarness;
beforeAll(async () => {
  h = await startChannelsHarness('channels_c5');
  const res = await h.createConnection({
    id: 'shopify-c5', kind: 'shopify', siteId: 'demo', tenantId: 'acme', shop: SHOP, secrets: [SECRET], apiBaseUrl: 'http://127.0.0.1:9/', apiToken: 'shpat_x',
  });
  expect(res.status).toBe(201);
});
afterAll(async () => {
  // I1–I8 hold after the scenario (the twin, the ledger and the projections agree).
  if (h) expect(await siteInvariantProblems(h)).toEqual([]);
  await h?.close();
});

describe('[C5] duplicate, concurrent and out-of-order deliveries', () => {
  it('makes exactly one allocated order per channel order, and the newest version wins', async () => {
    const random = rng(5);
    const skus = h.site.skus.filter((s) => s.tenantId === 'acme' && !s.lotTracked).slice(0, 5).map((s) => s.id);
    await h.stockUp('acme', skus, 1000);
    const t0 = Date.UTC(2026, 10, 27, 9, 0, 0);

    interface Plan { id: string; lines: { sku: string; qty: number }[]; updatedAt: number }
    const plans: Plan[] = Array.from({ length: ORDERS }, (_, i) => ({
      id: `7000000000000${String(i).padStart(5, '0')}`,
      lines: Array.from({ length: 1 + Math.floor(random() * 2) }, (_l, j) => ({ sku: skus[(i + j * 2) % skus.length] as string, qty: 1 + Math.floor(random() * 3) })),
      updatedAt: t0 + i * 1000,
    }));
    const body = (p: Plan, lines = p.lines, updatedAt = p.updatedAt) =>
      shopifyOrderBody(p.id, {
        created_at: new Date(p.updatedAt).toISOString(),
        updated_at: new Date(updatedAt).toISOString(),
        cancelled_at: null,
        line_items: lines.map((l, k) => ({ id: k + 1, sku: l.sku, quantity: l.qty, fulfillable_quantity: l.qty, requires_shipping: true })),
      });
    const bumped = (p: Plan, by: number) => p.lines.map((l, k) => (k === 0 ? { ...l, qty: l.qty + by } : l));
    const early = new Set(plans.slice(0, 50).map((p) => p.id));
    const stale = new Set(plans.slice(50, 100).map((p) => p.id));
    const send = (p: Plan, webhookId: string, eventId: string, text: string, topic = 'orders/create') =>
      deliverShopify(h.url, 'shopify-c5', text, { secret: SECRET, shop: SHOP, webhookId, eventId, topic });

    // Create deliveries: 3 per order; 10 % of orders get theirs concurrently, 5 % one repeat under a new webhook id.
    const creates: (() => Promise<Response[]>)[] = [];
    plans.forEach((p, i) => {
      const ids = [`wh-${i}`, `wh-${i}`, i % 20 === 7 ? `wh-${i}-redelivered` : `wh-${i}`];
      const one = (webhookId: string) => send(p, webhookId, `ev-${i}`, body(p));
      if (i % 10 === 5) creates.push(() => Promise.all(ids.map(one)));
      else for (const id of ids) creates.push(async () => [await one(id)]);
    });
    for (let i = creates.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [creates[i], creates[j]] = [creates[j] as () => Promise<Response[]>, creates[i] as () => Promise<Response[]>];
    }

    h.processor.start();
    // Newer versions first (the update beats the create), then the shuffled creates, then stale versions.
    const phaseA = await inParallel(
      plans.filter((p) => early.has(p.id)).map((p) => () => send(p, `up-${p.id}`, `ev-up-${p.id}`, body(p, bumped(p, 1), p.updatedAt + 60_000), 'orders/updated')),
      16,
    );
    const phaseB = (await inParallel(creates, 24)).flat();
    const phaseC = await inParallel(
      plans.filter((p) => stale.has(p.id)).map((p) => () => send(p, `old-${p.id}`, `ev-old-${p.id}`, body(p, bumped(p, 2), p.updatedAt - 30_000), 'orders/updated')),
      16,
    );
    await h.processor.close();
    await h.processor.drain();

    const all = [...phaseA, ...phaseB, ...phaseC];
    expect(all).toHaveLength(100 + 3 * ORDERS);
    expect(all.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([]);

    const orders = await h.runner.read((twin) => [...twin.orders.values()].filter((o) => o.channel === 'shopify-c5'));
    expect(orders).toHaveLength(ORDERS);
    expect(new Set(orders.map((o) => o.externalRef)).size).toBe(ORDERS);
    expect(orders.filter((o) => o.status !== 'allocated').map((o) => [o.id, o.status])).toEqual([]);

    const allocations = new Map<string, number>();
    for (const { event } of await h.store.load(h.site.id))
      if (event.type === 'OrderAllocated') allocations.set(event.orderId, (allocations.get(event.orderId) ?? 0) + 1);
    expect(orders.filter((o) => allocations.get(o.id) !== 1).map((o) => [o.id, allocations.get(o.id)])).toEqual([]);

    const applied = await h.store.pool.query<{ external_order_id: string; channel_updated_at: Date }>(
      `SELECT external_order_id, channel_updated_at FROM "${h.schema}".channel_orders WHERE connection_id = 'shopify-c5'`,
    );
    expect(applied.rows).toHaveLength(ORDERS);
    const appliedAt = new Map(applied.rows.map((r) => [r.external_order_id, r.channel_updated_at.getTime()]));
    for (const p of plans) {
      const order = await h.runner.read((twin) => twin.orders.get(asOrderId(`shopify-c5-${p.id}`)));
      const expected = early.has(p.id) ? bumped(p, 1) : p.lines;
      expect(order?.lines.map((l) => ({ sku: l.skuId, qty: l.qty }))).toEqual(expected);
      expect(appliedAt.get(`gid://shopify/Order/${p.id}`)).toBe(early.has(p.id) ? p.updatedAt + 60_000 : p.updatedAt);
    }

    const statuses = await h.store.pool.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM "${h.schema}".channel_inbox WHERE connection_id = 'shopify-c5' GROUP BY status ORDER BY status`,
    );
    // One row per create (webhook-id and event-id duplicates never stored) + 100 updates; stale rows ignored.
    expect(Object.fromEntries(statuses.rows.map((r) => [r.status, Number(r.n)]))).toEqual({ done: ORDERS, ignored: 100 });
  }, 300_000);
});
