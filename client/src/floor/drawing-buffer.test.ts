import { describe, expect, it } from 'vitest';
import { drawingBufferSize } from './drawing-buffer.ts';

describe('drawingBufferSize', () => {
  it('is the CSS size at a pixel ratio of 1', () => {
    expect(drawingBufferSize(960, 600, 1, [1, 2])).toEqual({ width: 960, height: 600 });
  });

  it('clamps the pixel ratio to the range and floors as three.js setSize does', () => {
    expect(drawingBufferSize(1280.5, 719.5, 3, [1, 2])).toEqual({ width: 2561, height: 1439 });
    expect(drawingBufferSize(801, 401, 0.5, [1, 2])).toEqual({ width: 801, height: 401 });
    expect(drawingBufferSize(101, 51, 1.25, [1, 2])).toEqual({ width: 126, height: 63 });
  });

  it('anticipates nothing for a container without a size', () => {
    expect(drawingBufferSize(0, 600, 1, [1, 2])).toBeNull();
    expect(drawingBufferSize(960, 0, 1, [1, 2])).toBeNull();
  });
});
