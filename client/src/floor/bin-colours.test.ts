import { describe, expect, it } from 'vitest';
import type { BinAttributesView } from '../../../server/protocol/floor.ts';
import {
  ABC_CLASSES, CLIENT_PALETTE, EMPTY_BIN_HEX, HEAT_STOPS, REPLENISH_HEX, REPLENISH_OK_HEX, binColour, clientHex, heatColour,
  heatGradientCss, rgbKey,
} from './bin-colours.ts';
import { UNKNOWN_FILL_HEX, fillColour, hexToRgb } from './fill-colour.ts';

const attrs: BinAttributesView = {
  siteId: 's', layoutId: 'l', seq: 1, at: 0, heatHours: 8,
  tenants: [{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }],
  tenant: [0, 1, -1, 11], abc: [0, 1, -1, 2], heat: [0, 5, 10, 20], replenish: [1, 0, 0, 0],
};
const key = (hex: string): number => rgbKey(hexToRgb(hex));

describe('bin colours', () => {
  it('fill mode is the fill ramp; other modes are grey until attributes arrive', () => {
    expect(binColour('fill', 0, 40, null, 0)).toEqual(fillColour(40));
    expect(rgbKey(binColour('client', 0, 40, null, 0))).toBe(key(UNKNOWN_FILL_HEX));
  });

  it('colours clients by index (cycling the palette) and empty bins apart', () => {
    expect(rgbKey(binColour('client', 0, 0, attrs, 0))).toBe(key(CLIENT_PALETTE[0]!));
    expect(rgbKey(binColour('client', 1, 0, attrs, 0))).toBe(key(CLIENT_PALETTE[1]!));
    expect(rgbKey(binColour('client', 2, 0, attrs, 0))).toBe(key(EMPTY_BIN_HEX));
    expect(clientHex(11)).toBe(CLIENT_PALETTE[1]);
    expect(new Set(CLIENT_PALETTE).size).toBe(CLIENT_PALETTE.length);
  });

  it('colours A, B, C and empty bins distinctly', () => {
    const keys = [0, 1, 3, 2].map((i) => rgbKey(binColour('abc', i, 0, attrs, 0)));
    expect(keys).toEqual([...ABC_CLASSES.map((c) => key(c.hex)), key(EMPTY_BIN_HEX)]);
  });

  it('ramps heat relative to the hottest bin, with no picks as empty', () => {
    expect(rgbKey(binColour('heat', 0, 0, attrs, 20))).toBe(key(EMPTY_BIN_HEX));
    expect(rgbKey(binColour('heat', 3, 0, attrs, 20))).toBe(key(HEAT_STOPS[HEAT_STOPS.length - 1]!.hex));
    expect(rgbKey(binColour('heat', 2, 0, attrs, 20))).toBe(key(HEAT_STOPS[2]!.hex));
    expect(rgbKey(heatColour(5, 0))).toBe(key(EMPTY_BIN_HEX));
    expect(heatGradientCss()).toContain('#ffe45c 100%');
  });

  it('marks bins needing replenishment', () => {
    expect(rgbKey(binColour('replenish', 0, 0, attrs, 0))).toBe(key(REPLENISH_HEX));
    expect(rgbKey(binColour('replenish', 1, 0, attrs, 0))).toBe(key(REPLENISH_OK_HEX));
  });
});
