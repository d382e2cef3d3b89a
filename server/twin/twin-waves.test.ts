import { describe, expect, it } from 'vitest';
import type { LocationId, OrderId } from './ids.ts';
import { asOperativeId, asOrderId } from './ids.ts';
import { checkTwinInvariants } from './invariants.ts';
import type { TestTwin } from './test-site.ts';
import { LOC, newTwin, SKU_A, SKU_D, T1 } from './test-site.ts';

const P1 = asOperativeId('P1');
const [L1, L2] = LOC as [LocationId, LocationId];

function floorWithOrders(count: number): { t: TestTwin; ids: OrderId[] } {
  const t = newTwin();
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 50 });
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_D, qty: 50 });
  t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
  const ids = Array.from({ length: count }, (_, i) => {
    const orderId = asOrderId(`W${i + 1}`);
    t.ok({ type: 'createOrder', orderId, tenantId: T1, lines: [{ skuId: i % 2 === 0 ? SKU_A : SKU_D, qty: 1 }] });
    t.ok({ type: 'allocateOrder', orderId });
    return orderId;
  });
  return { t, ids };
}

describe('waves with explicit batches', () => {
  it('[R31] uses the given batches instead of grouping by count, drops a batch of one, and hands a batch out whole', () => {
    const { t, ids } = floorWithOrders(6);
    const [w1, w2, w3, w4, w5, w6] = ids as [OrderId, OrderId, OrderId, OrderId, OrderId, OrderId];
    const d = t.ok({ type: 'releaseWave', waveId: 'WV', orderIds: ids, batches: [[w5, w1, w3], [w6], [w2, w4]] });
    expect(d.events[0]).toMatchObject({
      type: 'WaveReleased',
      orderIds: ids,
      batches: [{ batchId: 'WV-B1', orderIds: [w5, w1, w3] }, { batchId: 'WV-B3', orderIds: [w2, w4] }],
    });
    const batchOf = (id: OrderId) => [...t.state.tasks.values()].find((task) => task.orderId === id)?.batchId;
    expect(ids.map(batchOf)).toEqual(['WV-B1', 'WV-B3', 'WV-B1', 'WV-B3', 'WV-B1', null]);
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 4 });
    // The first batch (3 tasks) fits in 4; the second (2 more) would not, so it is not split.
    expect(t.state.operatives.get(P1)?.taskIds).toHaveLength(3);
    expect(new Set(t.state.operatives.get(P1)?.taskIds.map((id) => t.state.tasks.get(id)?.batchId))).toEqual(new Set(['WV-B1']));
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });

  it('[R31] refuses batches naming an order outside the wave, an order twice or an empty batch, and writes nothing', () => {
    const { t, ids } = floorWithOrders(4);
    const [w1, w2, w3, w4] = ids as [OrderId, OrderId, OrderId, OrderId];
    const cases: [readonly (readonly OrderId[])[], RegExp][] = [
      [[[w1, w2], [w3, asOrderId('ELSEWHERE')]], /batch 2 lists order ELSEWHERE, which is not in the wave/],
      [[[w1, w2], [w2, w3]], /order W2 is in more than one batch/],
      [[[w1, w2], []], /batch 2 must list at least one order/],
      [[[w1, w4]], /W4, which is not in the wave/],
    ];
    const before = t.log.length;
    for (const [batches, message] of cases) {
      const d = t.run({ type: 'releaseWave', waveId: 'WV', orderIds: [w1, w2, w3], batches });
      expect(d.ok).toBe(false);
      if (!d.ok) {
        expect(d.error.code).toBe('INVALID_STATE');
        expect(d.error.message).toMatch(message);
      }
    }
    expect(t.log.length).toBe(before);
    expect(ids.map((id) => t.state.orders.get(id)?.status)).toEqual(['allocated', 'allocated', 'allocated', 'allocated']);
    // The same wave id is still free.
    t.ok({ type: 'releaseWave', waveId: 'WV', orderIds: [w1, w2, w3], batches: [[w1, w2, w3]] });
  });
});
