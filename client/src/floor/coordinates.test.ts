import { describe, it, expect } from 'vitest';
import { floorExtentToScene, floorPoint, floorToScene, scenePoint, sceneToFloor } from './coordinates.ts';

describe('floorToScene', () => {
  it('puts floor height on the scene Y axis and floor y along scene −Z', () => {
    expect({ ...floorToScene(floorPoint(3, 7, 1.5)) }).toEqual({ x: 3, y: 1.5, z: -7 });
  });

  it('maps the floor surface to the scene ground plane', () => {
    expect(floorToScene(floorPoint(12, 40)).y).toBe(0);
  });

  it('keeps handedness: floor x × floor y = floor up, scene X × (−Z) = scene +Y', () => {
    const ex = floorToScene(floorPoint(1, 0, 0), scenePoint());
    const ey = floorToScene(floorPoint(0, 1, 0), scenePoint());
    const ez = floorToScene(floorPoint(0, 0, 1), scenePoint());
    const cross = {
      x: ex.y * ey.z - ex.z * ey.y,
      y: ex.z * ey.x - ex.x * ey.z,
      z: ex.x * ey.y - ex.y * ey.x,
    };
    expect(cross.x).toBeCloseTo(ez.x);
    expect(cross.y).toBeCloseTo(ez.y);
    expect(cross.z).toBeCloseTo(ez.z);
  });

  it('writes into a reused output instead of allocating', () => {
    const out = scenePoint();
    expect(floorToScene(floorPoint(1, 2, 3), out)).toBe(out);
  });

  it('round-trips through sceneToFloor', () => {
    const p = floorPoint(-4.25, 19.5, 2);
    expect({ ...sceneToFloor(floorToScene(p)) }).toEqual({ x: -4.25, y: 19.5, z: 2 });
  });

  it('turns floor extents into positive scene sizes', () => {
    // depth along x 1.2, width along y 0.9, height 0.5
    expect({ ...floorExtentToScene(floorPoint(1.2, 0.9, 0.5)) }).toEqual({ x: 1.2, y: 0.5, z: 0.9 });
  });
});
