/**
 * Read-only hooks for the floor-modes browser test, added to `window.__floortwin` (installed by test-hooks.ts):
 * the colour mode and the attributes version the bins last drew, a bin's colour as drawn, the view mode, the
 * selected location and the camera's focus. The scene writes the probes (`floorProbe`); nothing here is per frame.
 */
import type { BinAttributesStore, ColourMode } from '../net/bin-attributes.ts';
import type { CameraStore, ViewMode } from '../net/camera-store.ts';

/** What the scene reports for the hooks; set by `Bins` and `CameraRig` when they mount. */
export const floorProbe: {
  /** `#rrggbb` (sRGB) of bin i as in the instance colour buffer; null before the bins mount or out of range. */
  binColour: ((index: number) => string | null) | null;
  /** Mode and attributes version the bin colours were last written for. */
  drawnMode: ColourMode | null;
  drawnVersion: number;
  /** The camera's focus (orbit target / top-down centre) in floor metres, the camera kind, and its zoom (px per metre, 2D). */
  focus: (() => CameraFocus) | null;
} = { binColour: null, drawnMode: null, drawnVersion: -1, focus: null };

/** Where the camera looks. */
export interface CameraFocus {
  readonly x: number;
  readonly y: number;
  readonly camera: 'perspective' | 'orthographic';
  /** Orthographic zoom (CSS px per metre); 1 for the perspective camera. */
  readonly zoom: number;
}

/** The hooks this module adds to `window.__floortwin`. */
export interface FloorModesTestHooks {
  readonly colourMode: ColourMode;
  /** True once the bins show the current mode with the current attributes (not the loading grey). */
  readonly coloursDrawn: boolean;
  binColour(index: number): string | null;
  readonly viewMode: ViewMode;
  readonly selectedLocation: string | null;
  focus(): CameraFocus | null;
}

/** Adds the getters to `target.__floortwin` (creates it if the base hooks are not installed). */
export function installFloorTestHooks(attributes: BinAttributesStore, camera: CameraStore, target: Window = window): void {
  const holder = target as unknown as { __floortwin?: object };
  const hooks = holder.__floortwin ?? {};
  holder.__floortwin = hooks;
  const descriptors: { [K in keyof FloorModesTestHooks]: PropertyDescriptor } = {
    colourMode: { get: () => attributes.mode, configurable: true, enumerable: true },
    coloursDrawn: {
      get: () =>
        floorProbe.drawnMode === attributes.mode &&
        floorProbe.drawnVersion === attributes.version &&
        (attributes.mode === 'fill' || attributes.attributes !== null),
      configurable: true,
      enumerable: true,
    },
    binColour: { value: (index: number) => floorProbe.binColour?.(index) ?? null, configurable: true, enumerable: true },
    viewMode: { get: () => camera.viewMode, configurable: true, enumerable: true },
    selectedLocation: { get: () => camera.selectedLocation, configurable: true, enumerable: true },
    focus: { value: () => floorProbe.focus?.() ?? null, configurable: true, enumerable: true },
  };
  Object.defineProperties(hooks, descriptors);
}
