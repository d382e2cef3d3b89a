/** Pack stations and carrier trucks (SPEC M7): picked orders are packed first in, first out, and leave on their truck. */
import type { OrderId } from '../../server/twin/ids.ts';
import { epochMs } from '../../server/twin/ids.ts';
import { minutesOfDay } from '../scenario/time-of-day.ts';
import type { ScenarioStations } from '../scenario/types.ts';
import type { ModelContext } from './context.ts';
import type { ModelOrder, OrderBook } from './orders.ts';
import { dailyInstants } from './time-of-day.ts';

const MINUTE_MS = 60_000;

/** The pack stations: `packStations` servers over one FIFO queue. */
export class PackStations {
  /** Station time spent packing within the run, ms. */
  busyMs = 0;
  private readonly queue: OrderId[] = [];
  private head = 0;
  private free: number;

  constructor(
    private readonly ctx: ModelContext,
    private readonly book: OrderBook,
    private readonly stations: ScenarioStations,
    private readonly onPacked: (order: ModelOrder) => void,
  ) {
    this.free = Math.max(0, Math.floor(stations.packStations));
  }

  /** Queues an order of the run once it is picked (later calls for it do nothing). */
  enqueue(id: OrderId): void {
    const order = this.book.orders.get(id);
    if (order === undefined || order.packQueued || this.ctx.state.orders.get(id)?.status !== 'picked') return;
    order.packQueued = true;
    this.queue.push(id);
    this.start();
  }

  private start(): void {
    const { sim, state } = this.ctx;
    while (this.free > 0 && this.head < this.queue.length) {
      const id = this.queue[this.head++] as OrderId;
      const o = state.orders.get(id);
      if (o === undefined) continue;
      this.free--;
      let units = 0;
      for (const line of o.lines) units += line.picked;
      const ms = Math.round((this.stations.packSecondsPerOrder + this.stations.packSecondsPerUnit * units) * 1000);
      this.busyMs += Math.min(ms, this.ctx.endAt - sim.now());
      sim.scheduleIn(ms, () => {
        const order = this.book.orders.get(id);
        if (this.ctx.send({ type: 'packOrder', orderId: id }) && order !== undefined) this.onPacked(order);
        this.free++;
        this.start();
      });
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** The trucks: packed orders wait for their carrier's next cut-off and are despatched on it. */
export class Trucks {
  /** Orders despatched so far. */
  despatched = 0;
  private readonly waiting = new Map<string, OrderId[]>();

  constructor(
    private readonly ctx: ModelContext,
    private readonly book: OrderBook,
    private readonly stations: ScenarioStations,
  ) {}

  /** Schedules every cut-off of the run (times in (start, end], in time then list order). */
  schedule(): void {
    const { sim, startAt, endAt } = this.ctx;
    const trucks = this.stations.cutoffs
      .flatMap((c, i) => dailyInstants(minutesOfDay(c.at) * MINUTE_MS, startAt + 1, endAt + 1).map((at) => ({ at, i, carrier: c.carrier })))
      .sort((a, b) => a.at - b.at || a.i - b.i);
    for (const t of trucks) sim.schedule(t.at, () => this.leave(t.carrier));
  }

  /** A packed order waits for its truck; without cut-offs it leaves at once. */
  load(order: ModelOrder): void {
    if (this.stations.cutoffs.length === 0) {
      this.despatch(order, true);
      return;
    }
    const list = this.waiting.get(order.carrier);
    if (list === undefined) this.waiting.set(order.carrier, [order.id]);
    else list.push(order.id);
  }

  private leave(carrier: string): void {
    const list = this.waiting.get(carrier);
    if (list === undefined) return;
    this.waiting.set(carrier, []);
    const t = this.ctx.sim.now();
    for (const id of list) {
      const order = this.book.orders.get(id);
      if (order !== undefined) this.despatch(order, order.dueAt === null || t <= order.dueAt);
    }
  }

  private despatch(order: ModelOrder, byCutoff: boolean): void {
    if (!this.ctx.send({ type: 'despatchOrder', orderId: order.id, carrier: order.carrier })) return;
    this.despatched++;
    order.despatchedByCutoff = byCutoff;
    this.ctx.metrics.orderDespatched(epochMs(this.ctx.sim.now()), epochMs(order.arrivedAt), byCutoff);
  }
}
