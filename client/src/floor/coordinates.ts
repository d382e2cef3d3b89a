/**
 * Floor coordinates (metres; x across the aisles, y along them, z up) versus three.js scene coordinates (Y up).
 * The two spaces are branded so one cannot be passed where the other is meant; `floorToScene` is the only place
 * that knows how the axes map. The map (x, y, z) → (x, z, −y) is a rotation, so handedness is kept: the front of
 * the site (small floor y) is nearest a camera looking down −Z.
 */

declare const space: unique symbol;

/** A point in floor space, metres. Mutable so hot loops can reuse one instance. */
export interface FloorPoint3 {
  x: number;
  y: number;
  z: number;
  readonly [space]: 'floor';
}

/** A point in three.js scene space (Y up), scene units = metres. Mutable so hot loops can reuse one instance. */
export interface ScenePoint3 {
  x: number;
  y: number;
  z: number;
  readonly [space]: 'scene';
}

/** Makes a floor-space point (z defaults to the floor surface). */
export function floorPoint(x: number, y: number, z = 0): FloorPoint3 {
  return { x, y, z } as FloorPoint3;
}

/** Makes a scene-space point; for scratch instances and for values read back from three.js. */
export function scenePoint(x = 0, y = 0, z = 0): ScenePoint3 {
  return { x, y, z } as ScenePoint3;
}

/** Converts a floor point to scene space, writing into `out` when given (no allocation in render loops). */
export function floorToScene(p: FloorPoint3, out: ScenePoint3 = scenePoint()): ScenePoint3 {
  const x = p.x;
  const y = p.y;
  const z = p.z;
  out.x = x;
  out.y = z;
  out.z = -y;
  return out;
}

/** Inverse of `floorToScene` (for reading positions back from the scene, e.g. a pointer hit). */
export function sceneToFloor(p: ScenePoint3, out: FloorPoint3 = floorPoint(0, 0)): FloorPoint3 {
  const x = p.x;
  const y = p.y;
  const z = p.z;
  out.x = x;
  out.y = -z;
  out.z = y;
  return out;
}

/** Converts a box's extent (sizes along floor x, y, z) to scene-axis sizes; uses `floorToScene`, so axes never diverge. */
export function floorExtentToScene(size: FloorPoint3, out: ScenePoint3 = scenePoint()): ScenePoint3 {
  floorToScene(size, out);
  out.x = Math.abs(out.x);
  out.y = Math.abs(out.y);
  out.z = Math.abs(out.z);
  return out;
}
