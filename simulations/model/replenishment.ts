/**
 * Replenishment (SPEC M8): a bin a pick leaves at or below the trigger gets one top-up; replenishers walk to it, work,
 * fill it to capacity with what it held at the start (reserve stock arriving there), and walk back.
 */
import type { FloorPoint, LocationId, SkuId, TenantId } from '../../server/twin/ids.ts';
import type { WalkGraph } from '../../server/twin/layout/types.ts';
import type { TwinState } from '../../server/twin/state.ts';
import { pathPolyline, shortestDistance } from '../../solver/routing/distance-oracle.ts';
import type { ScenarioReplenishment } from '../scenario/types.ts';
import type { ModelContext } from './context.ts';

/** What a bin is topped up with: the (tenant, SKU, lot, expiry) of its largest quant at the start. */
interface Home {
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  readonly lot: string;
  readonly expiry: string | null;
  readonly onHand: number;
}

/** Units on hand in a bin. */
export function onHandAt(state: TwinState, locationId: LocationId): number {
  let units = 0;
  for (const key of state.quantsByLocation.get(locationId) ?? []) units += state.quants.get(key)?.onHand ?? 0;
  return units;
}

/** The replenishers and their queue of bins to top up. */
export class Replenishment {
  /** Called after a receipt, so orders waiting for the SKU can be allocated. */
  onReceived: (tenantId: TenantId, skuId: SkuId) => void = () => undefined;
  private readonly homes = new Map<LocationId, Home>();
  private readonly queue: LocationId[] = [];
  private head = 0;
  private readonly pending = new Set<LocationId>();
  private free: number;

  constructor(
    private readonly ctx: ModelContext,
    private readonly settings: ScenarioReplenishment,
    replenishers: number,
    /** The walk graph pickers use (blocked segments closed). */
    private readonly graph: WalkGraph,
    private readonly walkMsPerMetre: number,
    private readonly walked: (points: readonly FloorPoint[]) => void,
  ) {
    this.free = settings.enabled ? Math.max(0, Math.floor(replenishers)) : 0;
    const quants = [...ctx.state.quants.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const q of quants) {
      const held = this.homes.get(q.locationId);
      if (held === undefined || q.onHand > held.onHand) this.homes.set(q.locationId, { tenantId: q.tenantId, skuId: q.skuId, lot: q.lot, expiry: q.expiry, onHand: q.onHand });
    }
  }

  /** After a pick from `locationId`: queues a top-up when the bin is at or below the trigger (once until done). */
  check(locationId: LocationId): void {
    if (!this.settings.enabled || this.pending.has(locationId) || !this.homes.has(locationId)) return;
    if (onHandAt(this.ctx.state, locationId) > this.settings.triggerUnits) return;
    this.pending.add(locationId);
    this.queue.push(locationId);
    this.dispatch();
  }

  private dispatch(): void {
    const { sim, state } = this.ctx;
    const graph = this.graph;
    while (this.free > 0 && this.head < this.queue.length) {
      const locationId = this.queue[this.head++] as LocationId;
      const node = state.locationsById.get(locationId)?.accessNode;
      if (node === undefined) continue;
      this.free--;
      const out = shortestDistance(graph, graph.depotNode, node);
      const back = shortestDistance(graph, node, graph.depotNode);
      this.walked(pathPolyline(graph, [graph.depotNode, node, graph.depotNode]) ?? []);
      sim.scheduleIn(Math.round(out * this.walkMsPerMetre + this.settings.secondsPerTask * 1000), () => {
        this.topUp(locationId);
        sim.scheduleIn(Math.round(back * this.walkMsPerMetre), () => {
          this.free++;
          this.dispatch();
        });
      });
    }
  }

  private topUp(locationId: LocationId): void {
    const { state, send } = this.ctx;
    this.pending.delete(locationId);
    const home = this.homes.get(locationId);
    const location = state.locationsById.get(locationId);
    if (home === undefined || location === undefined) return;
    const room = location.capacityUnits - onHandAt(state, locationId);
    if (room <= 0) return;
    const lots = home.lot === '' ? {} : { lot: home.lot, ...(home.expiry === null ? {} : { expiry: home.expiry }) };
    if (send({ type: 'receiveStock', tenantId: home.tenantId, locationId, skuId: home.skuId, qty: room, ...lots })) this.onReceived(home.tenantId, home.skuId);
  }
}
