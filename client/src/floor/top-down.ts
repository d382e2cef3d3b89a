/**
 * The 2D top-down view's maths: an orthographic camera's zoom (pixels per metre) that fits the site, and the
 * conversion between a perspective camera's distance and the zoom that shows the same height of floor, so switching
 * 3D ↔ 2D keeps both the focus point and the scale. Pure.
 */
import type { LayoutView } from '../../../server/protocol/floor.ts';

type Bounds = LayoutView['bounds'];

/** Orthographic zoom (px per metre) showing all of `bounds` in a `widthPx` × `heightPx` view, with a margin. */
export function topDownFitZoom(bounds: Bounds, widthPx: number, heightPx: number, fill = 0.9): number {
  const spanX = Math.max(1, bounds.maxX - bounds.minX);
  const spanY = Math.max(1, bounds.maxY - bounds.minY);
  return (fill * Math.min(Math.max(1, widthPx) / spanX, Math.max(1, heightPx) / spanY));
}

/** Height of floor (metres) a perspective camera with vertical field of view `fovDeg` sees at `distance`. */
export function visibleHeightAt(distance: number, fovDeg: number): number {
  return 2 * distance * Math.tan((fovDeg * Math.PI) / 360);
}

/** The orthographic zoom showing the same height of floor as a perspective camera at `distance`. */
export function zoomForDistance(distance: number, fovDeg: number, heightPx: number): number {
  return Math.max(1, heightPx) / Math.max(1e-3, visibleHeightAt(distance, fovDeg));
}

/** The perspective distance showing the same height of floor as an orthographic camera at `zoom`. */
export function distanceForZoom(zoom: number, fovDeg: number, heightPx: number): number {
  return Math.max(1, heightPx) / Math.max(1e-6, zoom) / (2 * Math.tan((fovDeg * Math.PI) / 360));
}

/** Smooth start and stop for camera flights, t in 0..1. */
export function easeInOut(t: number): number {
  const u = Math.min(1, Math.max(0, t));
  return u < 0.5 ? 4 * u * u * u : 1 - (-2 * u + 2) ** 3 / 2;
}
