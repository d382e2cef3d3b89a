/**
 * The floor canvas's drawing-buffer size, computed as react-three-fiber and three.js will set it (the pixel ratio
 * clamped to the canvas's `dpr` range, `WebGLRenderer.setSize` flooring CSS size × ratio), so the WebGL context can be
 * created at that size once instead of at the canvas's default 300×150 and then reallocated (FloorCanvas).
 */

/** Drawing-buffer size in device pixels; null when the container has no size yet (nothing to anticipate). */
export function drawingBufferSize(
  cssWidth: number,
  cssHeight: number,
  devicePixelRatio: number,
  dpr: readonly [min: number, max: number],
): { width: number; height: number } | null {
  if (!(cssWidth > 0 && cssHeight > 0)) return null;
  const ratio = Math.min(Math.max(dpr[0], devicePixelRatio), dpr[1]);
  return { width: Math.floor(cssWidth * ratio), height: Math.floor(cssHeight * ratio) };
}
