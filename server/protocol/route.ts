/** Wire shapes of a picker's route: pushed to the handheld and drawn as an overlay on the 3D floor. Floor metres. */

/** One stop of a route: a pick task at a location. */
export interface RouteStopView {
  readonly taskId: string;
  readonly orderId: string;
  readonly locationId: string;
  readonly skuId: string;
  readonly skuDescription: string;
  readonly qty: number;
  /** Where the picker stands (access point on the aisle centreline). */
  readonly x: number;
  readonly y: number;
  readonly status: 'open' | 'picked' | 'shorted';
}

/** An operative's current route: the assigned tasks in the order the solver chose, with the walk drawn through them. */
export interface RouteView {
  readonly siteId: string;
  readonly operativeId: string;
  /** Twin seq at which this route was planned; a newer route replaces an older one. */
  readonly seq: number;
  readonly method: string;
  /** Length of the whole closed walk (depot → stops → depot), metres. */
  readonly distanceM: number;
  readonly stops: readonly RouteStopView[];
  /**
   * The walk still ahead as a flat polyline [x0, y0, x1, y1, …] following aisles and cross-aisles: from the last
   * finished stop (the depot before the first) through the open stops back to the depot.
   */
  readonly path: readonly number[];
  readonly plannedAt: number;
}

/** Why there is no route: nothing assigned, or the planner could not reach a pick (names the location). */
export interface NoRouteView {
  readonly siteId: string;
  readonly operativeId: string;
  readonly reason: 'NO_TASKS' | 'UNREACHABLE' | 'NOT_SIGNED_ON';
  readonly message: string;
}
