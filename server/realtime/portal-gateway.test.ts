import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { siteRegistry } from '../api/sites.ts';
import { PROTOCOL_VERSION } from '../protocol/floor.ts';
import type { PortalJoinResult, PortalOrders } from '../protocol/portal.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import type { Command } from '../twin/commands.ts';
import { asOrderId, asSkuId, asTenantId, epochMs } from '../twin/ids.ts';
import type { SiteDefinition } from '../twin/site.ts';
import { attachFloorGateway, type FloorGateway } from './gateway.ts';
import { attachPortalGateway, ordersByTenant, ordersTouchedBy, tenantRoom, type PortalGateway } from './portal-gateway.ts';
import { BINS, SKU, TENANT, TestSite, tinySite } from './realtime.fixture.ts';
import { WAIT_MS, connectClient, join, principalAs, startServer, type FloorClient, type RunningServer } from './socket-test-kit.ts';

/** The tiny site with a second tenant and its own SKU: acme = T1 (the fixture's), bloom = T2. */
const ACME = TENANT;
const BLOOM = asTenantId('T2');
const BLOOM_SKU = asSkuId('SKU-2');
const TINY = tinySite('portal-site');
const SITE: SiteDefinition = {
  ...TINY,
  skus: [...TINY.skus, { ...TINY.skus[0]!, id: BLOOM_SKU, tenantId: BLOOM, description: 'Gadget', barcode: '5000000000012' }],
  tenants: [...TINY.tenants, { id: BLOOM, name: 'Bloom' }],
};

/** Every `portal:orders` a socket receives, and a wait until a condition on them holds. */
class PortalRecorder {
  readonly messages: PortalOrders[] = [];
  /** Latest status per order id seen by this socket. */
  readonly latest = new Map<string, string>();
  private waiter: { check: () => boolean; resolve: () => void } | null = null;

  constructor(socket: FloorClient) {
    socket.on('portal:orders', (message) => {
      this.messages.push(message);
      for (const order of message.orders) this.latest.set(order.id, order.status);
      if (this.waiter?.check() === true) this.waiter.resolve();
    });
  }

  until(check: () => boolean, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS * 4);
      this.waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          this.waiter = null;
          resolve();
        },
      };
    });
  }
}

describe('ordersTouchedBy / ordersByTenant', () => {
  it('finds the orders an event names and groups their statuses by tenant', () => {
    expect(ordersTouchedBy({ type: 'OrderPicked', orderId: 'O-1' } as never)).toEqual(['O-1']);
    expect(ordersTouchedBy({ type: 'WaveReleased', orderIds: ['O-1', 'O-2'] } as never)).toEqual(['O-1', 'O-2']);
    expect(ordersTouchedBy({ type: 'StockMoved' } as never)).toEqual([]);
    const orders = new Map([
      ['O-1', { id: 'O-1', tenantId: 'acme', status: 'open' }],
      ['O-2', { id: 'O-2', tenantId: 'bloom', status: 'released' }],
    ]);
    const grouped = ordersByTenant({ orders } as never, ['O-1', 'O-2', 'O-gone']);
    expect(Object.fromEntries(grouped)).toEqual({ acme: [{ id: 'O-1', status: 'open' }], bloom: [{ id: 'O-2', status: 'released' }] });
  });
});

describe('portal gateway over real sockets', () => {
  let running: RunningServer;
  let portal: PortalGateway;
  let runner: SiteRunner;
  const clients: FloorClient[] = [];
  const connectAs = async (token: string): Promise<FloorClient> => {
    const socket = await connectClient(running.url, { token });
    clients.push(socket);
    return socket;
  };
  const portalJoin = (socket: FloorClient, request: unknown): Promise<PortalJoinResult> => socket.timeout(WAIT_MS).emitWithAck('portal:join', request);

  async function submit(command: Command): Promise<void> {
    const result = await runner.submit(command);
    if (!result.ok) throw new Error(`${command.type}: ${result.error.code} ${result.error.message}`);
  }

  beforeEach(async () => {
    running = await startServer();
    running.tokens
      .grant('acme-user', principalAs('client-user', ACME, 'acme-user'))
      .grant('acme-admin', principalAs('client-admin', ACME, 'acme-admin'))
      .grant('bloom-user', principalAs('client-user', BLOOM, 'bloom-user'))
      .grant('bloom-key', principalAs('integration', BLOOM, 'bloom-key'))
      .grant('picker', principalAs('picker'));
    const store = new MemoryEventStore();
    await store.ensureSite(SITE.id, SITE);
    let now = Date.UTC(2026, 10, 27, 8);
    runner = await SiteRunner.open({ site: SITE, store, clock: { now: () => epochMs((now += 1000)) } });
    portal = attachPortalGateway(running.server.io, siteRegistry([runner]), { flushMs: 5 });
    portal.publish(runner);
  });

  afterEach(async () => {
    for (const socket of clients.splice(0)) socket.disconnect();
    portal.close();
    await running.server.close();
    await runner.close();
  });

  it('joins a client user to its own tenant room, whatever the request says, and refuses staff and keys', async () => {
    const acme = await connectAs('acme-user');
    expect(await portalJoin(acme, { siteId: SITE.id })).toEqual({ ok: true, siteId: SITE.id, tenantId: ACME });
    const rooms = running.server.io.of('/').sockets.get(acme.id ?? '')?.rooms;
    expect(rooms?.has(tenantRoom(SITE.id, ACME))).toBe(true);
    // A tenant in the request is not a way into another room: the request shape has no such field.
    expect(await portalJoin(acme, { siteId: SITE.id, tenantId: BLOOM })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(rooms?.has(tenantRoom(SITE.id, BLOOM))).toBe(false);
    expect(await portalJoin(await connectAs('picker'), { siteId: SITE.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await portalJoin(await connectAs('bloom-key'), { siteId: SITE.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await portalJoin(acme, { siteId: 'elsewhere' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_SITE' } });
  });

  it('a client-role socket cannot join the staff floor room', async () => {
    const site = new TestSite(SITE);
    const floor: FloorGateway = attachFloorGateway(running.server.io, { get: () => site.feed }, { patchMs: 20 });
    try {
      const acme = await connectAs('acme-admin');
      expect(await join(acme, { siteId: SITE.id, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    } finally {
      floor.close();
    }
  });

  it('[T4] sends each tenant only its own orders: 0 cross-tenant deliveries over 600+ order changes', async () => {
    const acmeSockets = [await connectAs('acme-user'), await connectAs('acme-admin')];
    const bloomSockets = [await connectAs('bloom-user')];
    const bystander = await connectAs('picker');
    for (const socket of [...acmeSockets, ...bloomSockets]) expect(await portalJoin(socket, { siteId: SITE.id })).toMatchObject({ ok: true });
    const recorders = new Map<FloorClient, PortalRecorder>([...acmeSockets, ...bloomSockets, bystander].map((s) => [s, new PortalRecorder(s)]));

    const bins = BINS;
    await submit({ type: 'receiveStock', tenantId: ACME, locationId: bins[0]!, skuId: SKU, qty: 100 });
    await submit({ type: 'receiveStock', tenantId: BLOOM, locationId: bins[2]!, skuId: BLOOM_SKU, qty: 100 });
    const ordersOf = new Map<string, string[]>([
      [ACME, []],
      [BLOOM, []],
    ]);
    let changes = 0;
    const ORDERS = 200;
    for (let i = 0; i < ORDERS; i += 2) {
      // Two orders a round, one per tenant, released together in one wave (one event naming both tenants' orders).
      const pair = [
        { tenantId: ACME, skuId: SKU, orderId: asOrderId(`A-${i}`) },
        { tenantId: BLOOM, skuId: BLOOM_SKU, orderId: asOrderId(`B-${i}`) },
      ];
      for (const { tenantId, skuId, orderId } of pair) {
        await submit({ type: 'createOrder', orderId, tenantId, lines: [{ skuId, qty: 1 }] });
        await submit({ type: 'allocateOrder', orderId });
        ordersOf.get(tenantId)?.push(orderId);
        changes += 2;
      }
      if (i % 4 === 0) {
        await submit({ type: 'releaseWave', waveId: `W-${i}`, orderIds: pair.map((p) => p.orderId), maxBatchOrders: 1 });
      } else {
        for (const { orderId } of pair) await submit({ type: 'cancelOrder', orderId, reason: 'test' });
      }
      changes += 2;
    }
    expect(changes).toBeGreaterThanOrEqual(600);

    const statusOf = (id: string): string | undefined => runner.twin.orders.get(asOrderId(id))?.status;
    const caughtUp = (recorder: PortalRecorder, ids: readonly string[]) => () => ids.every((id) => recorder.latest.get(id) === statusOf(id));
    for (const socket of acmeSockets) await recorders.get(socket)?.until(caughtUp(recorders.get(socket)!, ordersOf.get(ACME)!), 'acme to catch up');
    for (const socket of bloomSockets) await recorders.get(socket)?.until(caughtUp(recorders.get(socket)!, ordersOf.get(BLOOM)!), 'bloom to catch up');

    // Every delivery to a tenant's socket is one of that tenant's orders.
    let crossTenant = 0;
    let delivered = 0;
    for (const [socket, recorder] of recorders) {
      const tenant = acmeSockets.includes(socket) ? ACME : bloomSockets.includes(socket) ? BLOOM : null;
      for (const message of recorder.messages) {
        expect(message.siteId).toBe(SITE.id);
        for (const order of message.orders) {
          delivered++;
          if (runner.twin.orders.get(asOrderId(order.id))?.tenantId !== tenant) crossTenant++;
        }
      }
    }
    expect(delivered).toBeGreaterThan(0);
    expect(crossTenant).toBe(0);
    // And each tenant saw all of its own (the check above is not vacuous), the bystander nothing.
    expect(recorders.get(acmeSockets[0]!)?.latest.size).toBe(ORDERS / 2);
    expect(recorders.get(bloomSockets[0]!)?.latest.size).toBe(ORDERS / 2);
    expect(recorders.get(bystander)?.messages).toEqual([]);
  });

  it('stops sending to a socket that left its tenant room', async () => {
    const first = await connectAs('acme-user');
    const second = await connectAs('acme-admin');
    for (const socket of [first, second]) await portalJoin(socket, { siteId: SITE.id });
    const [left, stayed] = [new PortalRecorder(first), new PortalRecorder(second)];
    expect(await first.timeout(WAIT_MS).emitWithAck('portal:leave', { siteId: SITE.id })).toEqual({ ok: true });
    await submit({ type: 'createOrder', orderId: asOrderId('A-1'), tenantId: ACME, lines: [{ skuId: SKU, qty: 1 }] });
    await stayed.until(() => stayed.latest.get('A-1') === 'open', 'the order on the socket that stayed');
    // Both sockets are on one server and the room emit reaches them in one pass: the one that left got nothing.
    expect(left.messages).toEqual([]);
  });
});
