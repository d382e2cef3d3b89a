/** Where the camera starts: the whole site in view, seen from the front (low floor y), raised and turned a little. */
import type { LayoutView } from '../../../server/protocol/floor.ts';
import { floorPoint, floorToScene, scenePoint, type ScenePoint3 } from './coordinates.ts';

/** Camera pose in scene space. */
export interface CameraFrame {
  readonly target: ScenePoint3;
  readonly position: ScenePoint3;
  /** Distance from position to target, scene units (metres). */
  readonly distance: number;
}

/** How to frame; every field has a default suited to the overview a site manager opens on. */
export interface FrameOptions {
  /** Degrees above the floor. */
  readonly elevationDeg?: number;
  /** Degrees around the vertical; 0 = straight from the front, negative = from the left. */
  readonly azimuthDeg?: number;
  /** < 1 tightens the shot, which a tilted view allows because the far half of the site is foreshortened. */
  readonly fitFactor?: number;
  /** Where along the site's depth (0 = front, 1 = back) to aim; below 0.5 balances the foreshortened back half. */
  readonly aimDepth?: number;
  /** Fraction of the view width to move the site right, clearing the overlay panels on the left (wide screens only). */
  readonly shiftRight?: number;
}

type Bounds = LayoutView['bounds'];

/** The area worth seeing: the site's bounds grown to include the depot, plus a margin (metres). */
export function viewBounds(bounds: Bounds, depot: LayoutView['depot'], marginM = 3): Bounds {
  return {
    minX: Math.min(bounds.minX, depot.x) - marginM,
    minY: Math.min(bounds.minY, depot.y) - marginM,
    maxX: Math.max(bounds.maxX, depot.x) + marginM,
    maxY: Math.max(bounds.maxY, depot.y) + marginM,
  };
}

/**
 * Frames `bounds` for a perspective camera with vertical field of view `fovDeg` and `aspect` (width / height):
 * the bounds' circle fits the narrower field of view.
 */
export function frameSite(bounds: Bounds, fovDeg: number, aspect: number, options: FrameOptions = {}): CameraFrame {
  const { elevationDeg = 50, azimuthDeg = -15, fitFactor = 0.72, aimDepth = 0.45, shiftRight = 0.1 } = options;
  const aimY = bounds.minY + aimDepth * (bounds.maxY - bounds.minY);
  const target = floorToScene(floorPoint((bounds.minX + bounds.maxX) / 2, aimY, 0));
  const radius = Math.max(1, 0.5 * Math.hypot(bounds.maxX - bounds.minX, bounds.maxY - bounds.minY));
  const vFov = (fovDeg * Math.PI) / 180;
  const hFov = 2 * Math.atan(Math.tan(vFov / 2) * Math.max(0.1, aspect));
  const distance = (fitFactor * radius) / Math.sin(Math.min(vFov, hFov) / 2);
  const el = (elevationDeg * Math.PI) / 180;
  const az = (azimuthDeg * Math.PI) / 180;
  if (aspect > 1.2 && shiftRight !== 0) {
    // Moving the target along the camera's left moves the site right on screen.
    const shift = shiftRight * 2 * distance * Math.tan(hFov / 2);
    target.x -= shift * Math.cos(az);
    target.z += shift * Math.sin(az);
  }
  const position = scenePoint(
    target.x + distance * Math.sin(az) * Math.cos(el),
    target.y + distance * Math.sin(el),
    target.z + distance * Math.cos(az) * Math.cos(el),
  );
  return { target, position, distance };
}
