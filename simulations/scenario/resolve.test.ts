import { describe, expect, it } from 'vitest';
import { asOrderId } from '../../server/twin/ids.ts';
import { generateSite, type SiteParams } from '../../server/twin/layout/generator.ts';
import { newTwin } from '../../server/twin/test-site.ts';
import { toSnapshotData } from '../../server/twin/twin.ts';
import { scenarioWith } from './defaults.ts';
import { resolveScenario } from './resolve.ts';

const PARAMS: SiteParams = {
  id: 'resolve-test',
  name: 'Resolve test',
  aisles: 3,
  blocks: 1,
  baysPerBlock: 6,
  levels: 2,
  skuCount: 30,
  tenants: 2,
  stockFillRatio: 0.7,
  baseDate: '2026-11-01',
};
const START = '2026-11-27T06:00:00Z';
const generated = { kind: 'generated', params: PARAMS, seed: 5 } as const;

describe('resolveScenario', () => {
  it('generates the demo site, empty at the start time', () => {
    const { site, state } = resolveScenario(scenarioWith({ startAt: START, site: { kind: 'demo' }, start: { kind: 'empty' } }));
    expect(site.id).toBe('demo');
    expect(site.layout.locations).toHaveLength(8000);
    expect(state.site).toBe(site);
    expect(state.quants.size).toBe(0);
    expect(state.now).toBe(Date.parse(START));
  });

  it('stocks a generated site with its initial stock through the twin', () => {
    const { initialStock } = generateSite(PARAMS, 5);
    const { site, state } = resolveScenario(scenarioWith({ startAt: START, site: generated, start: { kind: 'demo-stock' } }));
    expect(site.id).toBe('resolve-test');
    expect(state.quants.size).toBe(initialStock.length);
    const onHand = [...state.quants.values()].reduce((sum, q) => sum + q.onHand, 0);
    expect(onHand).toBe(initialStock.reduce((sum, c) => sum + c.qty, 0));
    expect(state.seq).toBe(initialStock.length);
  });

  it('uses the loaded site of a file site, and its initial stock for demo-stock', () => {
    const { site, initialStock } = generateSite(PARAMS, 9);
    const scenario = scenarioWith({ startAt: START, site: { kind: 'file', path: 'data/sites/x.json' }, start: { kind: 'demo-stock' } });
    const resolved = resolveScenario(scenario, { site, initialStock });
    expect(resolved.site).toBe(site);
    expect(resolved.state.quants.size).toBe(initialStock.length);
    expect(() => resolveScenario(scenario)).toThrow(/^site\.path: /);
  });

  it('restores a forked state on the live site without sharing it', () => {
    const twin = newTwin();
    const tenant = twin.state.site.tenants[0]!.id;
    const sku = twin.state.site.skus.find((s) => s.tenantId === tenant)!;
    twin.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: tenant, lines: [{ skuId: sku.id, qty: 1 }] });
    const snapshot = toSnapshotData(twin.state);
    const scenario = scenarioWith({
      startAt: new Date(twin.now).toISOString(),
      site: { kind: 'definition', definition: twin.state.site },
      start: { kind: 'state', snapshot },
    });
    const { site, state } = resolveScenario(scenario);
    expect(site).toBe(twin.state.site);
    expect([...state.orders.keys()]).toEqual(['O1']);
    expect(state.seq).toBe(twin.state.seq);
    state.orders.get(asOrderId('O1'))!.status = 'cancelled';
    expect(twin.state.orders.get(asOrderId('O1'))!.status).toBe('open');
    expect(snapshot.orders[0]!.status).toBe('open');
  });

  it('refuses what it cannot resolve, naming the field', () => {
    const snapshotStart = scenarioWith({ startAt: START, site: generated, start: { kind: 'snapshot', path: 'snap.json' } });
    expect(() => resolveScenario(snapshotStart)).toThrow(/^start\.path: /);
    const { site } = generateSite(PARAMS, 5);
    const liveStock = scenarioWith({ startAt: START, site: { kind: 'definition', definition: site }, start: { kind: 'demo-stock' } });
    expect(() => resolveScenario(liveStock)).toThrow(/^start\.kind: /);
    expect(() => resolveScenario(scenarioWith({ startAt: 'soon' }))).toThrow(/^startAt: /);
  });
});
