import { describe, it, expect } from 'vitest';
import { frameSite, viewBounds } from './framing.ts';

const bounds = { minX: 0, minY: 0, maxX: 60, maxY: 40 };
const centred = { shiftRight: 0, aimDepth: 0.5 };

describe('frameSite', () => {
  it('aims at the centre of the site on the floor', () => {
    const { target } = frameSite(bounds, 40, 16 / 9, centred);
    expect({ ...target }).toEqual({ x: 30, y: 0, z: -20 });
  });

  it('looks from the front (scene +Z, the low floor y side) and from above', () => {
    const { target, position } = frameSite(bounds, 40, 16 / 9, { ...centred, elevationDeg: 50, azimuthDeg: 0 });
    expect(position.z).toBeGreaterThan(target.z);
    expect(position.y).toBeGreaterThan(0);
    expect(position.x).toBeCloseTo(target.x, 9);
  });

  it('stands back further on a narrow screen and for a bigger site', () => {
    const wide = frameSite(bounds, 40, 16 / 9).distance;
    expect(frameSite(bounds, 40, 0.6).distance).toBeGreaterThan(wide);
    expect(frameSite({ ...bounds, maxX: 120, maxY: 80 }, 40, 16 / 9).distance).toBeCloseTo(2 * wide, 6);
  });

  it('keeps the chosen distance from the target', () => {
    const { target, position, distance } = frameSite(bounds, 45, 1.5, { elevationDeg: 35, azimuthDeg: 30 });
    expect(Math.hypot(position.x - target.x, position.y - target.y, position.z - target.z)).toBeCloseTo(distance, 6);
  });

  it('on a wide screen moves the site right (target to the left) to clear the panels; not on a narrow one', () => {
    const shifted = frameSite(bounds, 40, 16 / 9, { azimuthDeg: 0, shiftRight: 0.1 });
    expect(shifted.target.x).toBeLessThan(30);
    expect(shifted.target.z).toBeCloseTo(frameSite(bounds, 40, 16 / 9, { azimuthDeg: 0, shiftRight: 0 }).target.z, 9);
    expect(frameSite(bounds, 40, 0.7, { azimuthDeg: 0, shiftRight: 0.1 }).target.x).toBe(30);
  });

  it('aims nearer the front than the middle by default, to balance the foreshortened back', () => {
    expect(frameSite(bounds, 40, 16 / 9, { shiftRight: 0 }).target.z).toBeGreaterThan(-20);
  });
});

describe('viewBounds', () => {
  it('includes the depot and a margin', () => {
    expect(viewBounds(bounds, { x: -5, y: -2 }, 3)).toEqual({ minX: -8, minY: -5, maxX: 63, maxY: 43 });
  });
});
