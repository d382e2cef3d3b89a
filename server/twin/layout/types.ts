/** Floortwin's layout model: one location model for put-away, routing, slotting and the 3D scene. */
import type { FloorPoint, LocationId } from '../ids.ts';

/** Parameters of the rack-aisle interchange format (../shared/spec/rack-aisle-layout.md), lengths in metres. */
export interface RackAisleParams {
  readonly id: string;
  readonly aisles: number;
  readonly blocks: number;
  readonly baysPerBlock: number;
  readonly levels: number;
  readonly bayLength: number;
  readonly aisleSpacing: number;
  readonly crossAisleWidth: number;
  readonly depot: { readonly x: number };
}

export type RackSide = 'L' | 'R';

/** A storage location (a bin on a rack level). Positions are the bin's centre in floor metres; z is the height of its base. */
export interface Location {
  readonly id: LocationId;
  /** Index of this location in `Layout.locations`; stable for a layout, used for compact columnar streaming. */
  readonly index: number;
  readonly x: number;
  readonly y: number;
  readonly z: number;
  /** Dimensions in metres: width along the aisle (y), depth across it (x), height (z). */
  readonly width: number;
  readonly depth: number;
  readonly height: number;
  /** How many units of an average item fit; fill level = on hand / capacityUnits. */
  readonly capacityUnits: number;
  readonly zone: string;
  readonly aisle: number;
  readonly block: number;
  readonly bay: number;
  readonly side: RackSide;
  readonly level: number;
  /** Where a picker stands to pick from this location: a point on an aisle centreline, floor metres. */
  readonly access: FloorPoint;
  /** Walk-graph node at the access point. */
  readonly accessNode: number;
}

/** A node of the walkable graph (aisle and cross-aisle centreline points). */
export interface WalkNode {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly kind: 'depot' | 'junction' | 'access';
}

/** An edge of the walkable graph; walkable both ways unless `oneWay` (then only from `a` to `b`). */
export interface WalkEdge {
  readonly a: number;
  readonly b: number;
  /** Length in metres. */
  readonly length: number;
  readonly oneWay?: boolean;
  readonly blocked?: boolean;
}

export interface WalkGraph {
  readonly nodes: readonly WalkNode[];
  readonly edges: readonly WalkEdge[];
  /** Node where every route starts and ends. */
  readonly depotNode: number;
}

export interface Zone {
  readonly id: string;
  readonly name: string;
}

/** A whole site's physical layout. */
export interface Layout {
  readonly id: string;
  readonly name: string;
  readonly locations: readonly Location[];
  readonly zones: readonly Zone[];
  readonly graph: WalkGraph;
  readonly depot: FloorPoint;
  /** Present when the layout is (or was generated as) a rack-aisle layout; export writes exactly these parameters. */
  readonly rackAisle?: RackAisleParams;
}
