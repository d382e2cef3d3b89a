/**
 * Aisle segments for congestion (SPEC M6): the stretch of one aisle inside one block, where pickers stand to pick.
 * Derived from the layout's locations (their aisle, block and access point); a piece of a walk counts in a segment
 * when it runs along that aisle's centreline within the block's span.
 */
import type { FloorPoint } from '../../server/twin/ids.ts';
import type { Layout } from '../../server/twin/layout/types.ts';

/** How far past its outermost access points (metres) a segment reaches along the aisle. */
const SPAN_MARGIN_M = 0.75;

interface Span {
  readonly id: number;
  minY: number;
  maxY: number;
}

/** The aisle segments of a layout. */
export class AisleSegments {
  /** Number of segments; ids are 0 … count − 1 in (aisle, block) order. */
  readonly count: number;
  /** Segment of each walk-graph access node, −1 for nodes where nothing is picked. */
  private readonly segmentOfNode: Int32Array;
  /** Segments by aisle centreline x (rounded to mm). */
  private readonly spansByX = new Map<number, Span[]>();

  constructor(layout: Layout) {
    const keys = new Map<string, { aisle: number; block: number; x: number; minY: number; maxY: number; nodes: number[] }>();
    for (const loc of layout.locations) {
      const key = `${loc.aisle}|${loc.block}`;
      const entry = keys.get(key);
      if (entry === undefined) {
        keys.set(key, { aisle: loc.aisle, block: loc.block, x: loc.access.x, minY: loc.access.y, maxY: loc.access.y, nodes: [loc.accessNode] });
      } else {
        entry.minY = Math.min(entry.minY, loc.access.y);
        entry.maxY = Math.max(entry.maxY, loc.access.y);
        entry.nodes.push(loc.accessNode);
      }
    }
    const sorted = [...keys.values()].sort((a, b) => a.aisle - b.aisle || a.block - b.block);
    this.count = sorted.length;
    this.segmentOfNode = new Int32Array(layout.graph.nodes.length).fill(-1);
    sorted.forEach((s, id) => {
      for (const node of s.nodes) this.segmentOfNode[node] = id;
      const xKey = Math.round(s.x * 1000);
      const list = this.spansByX.get(xKey) ?? [];
      list.push({ id, minY: s.minY - SPAN_MARGIN_M, maxY: s.maxY + SPAN_MARGIN_M });
      this.spansByX.set(xKey, list);
    });
  }

  /** Segment where a picker standing at access node `node` picks, or −1. */
  segmentOfAccessNode(node: number): number {
    return this.segmentOfNode[node] ?? -1;
  }

  /** Segment a straight piece of walk a→b runs in (along an aisle centreline, by its midpoint), or −1. */
  segmentOfPiece(a: FloorPoint, b: FloorPoint): number {
    if (Math.abs(a.x - b.x) > 1e-6) return -1;
    const spans = this.spansByX.get(Math.round(a.x * 1000));
    if (spans === undefined) return -1;
    const y = (a.y + b.y) / 2;
    for (const s of spans) if (y >= s.minY && y <= s.maxY) return s.id;
    return -1;
  }
}

/**
 * Who is picking in each aisle segment, and who waits for room (SPEC M6): at most `capacity` pick at once, the rest
 * queue first in, first out.
 */
export class SegmentBoard {
  private readonly picking: Int32Array;
  private readonly waiting: (() => void)[][];

  constructor(
    segments: number,
    private readonly capacity: number,
  ) {
    this.picking = new Int32Array(segments);
    this.waiting = Array.from({ length: segments }, () => []);
  }

  /** Pickers standing in the segment: picking or waiting to pick. */
  occupants(segment: number): number {
    return (this.picking[segment] ?? 0) + (this.waiting[segment]?.length ?? 0);
  }

  /** Takes a picking place when one is free (true); otherwise queues `onRoom`, called when a place is handed over. */
  enter(segment: number, onRoom: () => void): boolean {
    const queue = this.waiting[segment];
    if (segment < 0 || queue === undefined) return true;
    if ((this.picking[segment] ?? 0) < this.capacity && queue.length === 0) {
      this.picking[segment] = (this.picking[segment] ?? 0) + 1;
      return true;
    }
    queue.push(onRoom);
    return false;
  }

  /** Gives up a picking place; the first waiter, if any, takes it at once. */
  leave(segment: number): void {
    const queue = this.waiting[segment];
    if (segment < 0 || queue === undefined) return;
    const next = queue.shift();
    if (next !== undefined) next();
    else this.picking[segment] = (this.picking[segment] ?? 1) - 1;
  }
}
