/**
 * Every bin of the site as ONE InstancedMesh, coloured by the chosen mode (fill, ABC, pick heat, replenish, client),
 * plus the highlight of the selected bin. Matrices are written once per layout. In fill mode colours are rewritten
 * in the render loop only for the bins the store marks dirty; in the other modes only when the attributes or the
 * mode change, and then only bins whose colour differs (no React state, no allocation per frame).
 * A click on a bin selects its location in the camera store.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { useFrame, type ThreeEvent } from '@react-three/fiber';
import type { InstancedMesh } from 'three';
import {
  Box3, BoxGeometry, Color, EdgesGeometry, InstancedBufferAttribute, LineBasicMaterial, MeshBasicMaterial, MeshLambertMaterial,
  SRGBColorSpace, Sphere, Vector3,
} from 'three';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import { binAttributesStore, type BinAttributesStore, type ColourMode } from '../net/bin-attributes.ts';
import { cameraStore, type CameraStore } from '../net/camera-store.ts';
import type { FloorStore } from '../net/floor-store.ts';
import { binColour, rgbKey } from './bin-colours.ts';
import { floorExtentToScene, floorPoint, floorToScene, scenePoint } from './coordinates.ts';
import { UNKNOWN_FILL_HEX, fillColour } from './fill-colour.ts';
import { floorProbe } from './floor-test-hooks.ts';
import { markLoad, perfProbe } from '../perf-probe.ts';

/** Fraction of a bin's slot the box fills, so neighbouring bins and levels read as separate boxes. */
const GAP_XZ = 0.9;
const GAP_HEIGHT = 0.86;
/** LUT index used for fill above 100%. */
const OVER_INDEX = 101;
/** Pointer travel (px) between press and release above which a press was a drag of the camera, not a click. */
const CLICK_SLOP_PX = 5;
/** "No colour written yet" in the per-bin colour keys (real keys are 24-bit). */
const UNSET = 0xffffffff;
/** The selection outline is this much larger than the bin's slot. */
const SELECTION_SCALE = 1.35;
const SELECTION_HEX = '#5ef2ff';

function buildFillLut(): Color[] {
  const rgb = { r: 0, g: 0, b: 0 };
  const lut: Color[] = [];
  for (let p = 0; p <= OVER_INDEX; p++) {
    fillColour(p, rgb);
    lut.push(new Color().setRGB(rgb.r, rgb.g, rgb.b, SRGBColorSpace));
  }
  return lut;
}

const lutIndex = (fillPercent: number): number =>
  fillPercent > 100 ? OVER_INDEX : Math.max(0, Math.round(Number.isFinite(fillPercent) ? fillPercent : 0));

/** Props of `Bins`. */
export interface BinsProps {
  readonly store: FloorStore;
  readonly layout: LayoutView;
  /** Colour mode and attributes (default: the page's store). */
  readonly attributes?: BinAttributesStore;
  /** Selection target (default: the page's camera store). */
  readonly camera?: CameraStore;
  /** Called with the bin under the pointer (index into the layout) and the pointer's client position; null on leave. */
  readonly onHover?: (hit: BinHover | null) => void;
}

/** The bin under the pointer. */
export interface BinHover {
  readonly index: number;
  readonly clientX: number;
  readonly clientY: number;
}

/** The racks: one box per location. Remount (key) on a new layout. */
export function Bins({ store, layout, attributes = binAttributesStore, camera = cameraStore, onHover }: BinsProps) {
  const meshRef = useRef<InstancedMesh>(null);
  const count = layout.ids.length;
  const geometry = useMemo(() => new BoxGeometry(1, 1, 1), []);
  const material = useMemo(() => new MeshLambertMaterial({ color: 0xffffff }), []);
  const lut = useMemo(buildFillLut, []);
  // Set on the frame colours of a snapshot were uploaded; confirmed drawn on the following frame.
  const uploadedSeq = useRef<number | null>(null);
  // What the buffer shows: the mode, the attributes version, and per bin the sRGB key written (non-fill modes).
  const drawn = useRef<{ mode: ColourMode; version: number }>({ mode: 'fill', version: -1 });
  const keys = useMemo(() => new Uint32Array(count).fill(UNSET), [count]);
  const scratch = useMemo(() => ({ rgb: { r: 0, g: 0, b: 0 }, colour: new Color() }), []);

  // Created once: the visitor the store calls for each dirty bin, writing straight into the instance colour buffer.
  const paint = useMemo(
    () => (index: number, fillPercent: number) => {
      const mesh = meshRef.current;
      const colour = lut[lutIndex(fillPercent)];
      if (mesh !== null && colour !== undefined) mesh.setColorAt(index, colour);
    },
    [lut],
  );
  const ignore = useMemo(() => () => undefined, []);

  useEffect(() => () => {
    geometry.dispose();
    material.dispose();
  }, [geometry, material]);

  useEffect(() => {
    floorProbe.binColour = (index) => {
      const colours = meshRef.current?.instanceColor;
      if (colours === null || colours === undefined || index < 0 || index >= count) return null;
      return `#${new Color().fromArray(colours.array, index * 3).getHexString()}`;
    };
    return () => {
      floorProbe.binColour = null;
    };
  }, [count]);

  useLayoutEffect(() => {
    const mesh = meshRef.current;
    if (mesh === null) return;
    const centre = floorPoint(0, 0, 0);
    const size = floorPoint(0, 0, 0);
    const at = scenePoint();
    const extent = scenePoint();
    const corner = new Vector3();
    // One pass straight into the instance buffers: a scaled, unrotated box per bin (column-major 4×4).
    const matrices = mesh.instanceMatrix.array;
    matrices.fill(0);
    const colours = new Float32Array(count * 3);
    const unknown = new Color(UNKNOWN_FILL_HEX);
    // The racks' extent, gathered in the same pass: three's `computeBoundingSphere` would visit every instance again
    // (a matrix and a sphere union each), on the way to the first floor.
    const bounds = new Box3();
    for (let i = 0; i < count; i++) {
      const h = layout.h[i] ?? 0;
      centre.x = layout.x[i] ?? 0;
      centre.y = layout.y[i] ?? 0;
      centre.z = (layout.z[i] ?? 0) + h / 2;
      size.x = (layout.d[i] ?? 0) * GAP_XZ;
      size.y = (layout.w[i] ?? 0) * GAP_XZ;
      size.z = h * GAP_HEIGHT;
      floorToScene(centre, at);
      floorExtentToScene(size, extent);
      const m = 16 * i;
      matrices[m] = extent.x;
      matrices[m + 5] = extent.y;
      matrices[m + 10] = extent.z;
      matrices[m + 12] = at.x;
      matrices[m + 13] = at.y;
      matrices[m + 14] = at.z;
      matrices[m + 15] = 1;
      bounds.expandByPoint(corner.set(at.x - extent.x / 2, at.y - extent.y / 2, at.z - extent.z / 2));
      bounds.expandByPoint(corner.set(at.x + extent.x / 2, at.y + extent.y / 2, at.z + extent.z / 2));
      colours[3 * i] = unknown.r;
      colours[3 * i + 1] = unknown.g;
      colours[3 * i + 2] = unknown.b;
    }
    mesh.instanceColor = new InstancedBufferAttribute(colours, 3);
    mesh.instanceMatrix.needsUpdate = true;
    // Culling and picking test against this sphere, which holds every box.
    if (count > 0) mesh.boundingSphere = bounds.getBoundingSphere(new Sphere());
    else mesh.computeBoundingSphere();
    drawn.current = { mode: 'fill', version: -1 };
    keys.fill(UNSET);
    markLoad('bins-built');
  }, [layout, count, keys]);

  useFrame(() => {
    const mesh = meshRef.current;
    if (mesh === null) return;
    if (uploadedSeq.current !== null && store.drawnSeq === null) {
      store.drawnSeq = uploadedSeq.current;
      markLoad('first-drawn');
    }
    const mode = attributes.mode;
    const shown = drawn.current;

    if (mode === 'fill') {
      if (shown.mode !== 'fill') {
        // Back from another mode: every bin shows fill again (unknown until the first snapshot).
        store.consumeDirty(ignore);
        const unknown = store.seq === null ? scratch.colour.set(UNKNOWN_FILL_HEX) : null;
        for (let i = 0; i < count; i++) {
          if (unknown !== null) mesh.setColorAt(i, unknown);
          else paint(i, store.fill[i] ?? 0);
        }
        keys.fill(UNSET);
        if (mesh.instanceColor !== null) mesh.instanceColor.needsUpdate = true;
        shown.mode = 'fill';
      } else if (store.pendingDirty > 0) {
        const t0 = perfProbe.start();
        store.consumeDirty(paint);
        if (mesh.instanceColor !== null) mesh.instanceColor.needsUpdate = true;
        perfProbe.end('bins', t0);
      }
      if (store.seq !== null && uploadedSeq.current === null) markLoad('first-frame');
      if (store.seq !== null) uploadedSeq.current = store.seq;
      shown.version = attributes.version;
      floorProbe.drawnMode = 'fill';
      floorProbe.drawnVersion = shown.version;
      return;
    }

    // Fill changes are not shown in this mode; drain them so the list stays short and the snapshot counts as drawn.
    if (store.pendingDirty > 0) store.consumeDirty(ignore);
    if (store.seq !== null) uploadedSeq.current = store.seq;
    if (shown.mode === mode && shown.version === attributes.version) return;
    const view = attributes.attributes;
    const data = view !== null && view.layoutId === layout.layoutId && view.tenant.length === count ? view : null;
    const maxHeat = attributes.maxHeat;
    const { rgb, colour } = scratch;
    let changed = 0;
    for (let i = 0; i < count; i++) {
      binColour(mode, i, 0, data, maxHeat, rgb);
      const key = rgbKey(rgb);
      if (keys[i] === key) continue;
      keys[i] = key;
      mesh.setColorAt(i, colour.setRGB(rgb.r, rgb.g, rgb.b, SRGBColorSpace));
      changed++;
    }
    if (changed > 0 && mesh.instanceColor !== null) mesh.instanceColor.needsUpdate = true;
    shown.mode = mode;
    shown.version = attributes.version;
    floorProbe.drawnMode = mode;
    floorProbe.drawnVersion = shown.version;
  });

  const onClick = (e: ThreeEvent<MouseEvent>): void => {
    if (e.delta > CLICK_SLOP_PX || e.instanceId === undefined) return;
    const id = layout.ids[e.instanceId];
    if (id === undefined) return;
    e.stopPropagation();
    camera.selectLocation(id);
  };

  return (
    <>
      <instancedMesh
        ref={meshRef}
        args={[geometry, material, count]}
        onClick={onClick}
        onPointerMove={
          onHover &&
          ((e) => {
            e.stopPropagation();
            if (e.instanceId !== undefined) onHover({ index: e.instanceId, clientX: e.nativeEvent.clientX, clientY: e.nativeEvent.clientY });
          })
        }
        onPointerOut={onHover && (() => onHover(null))}
      />
      <SelectedBin layout={layout} camera={camera} />
    </>
  );
}

/** The highlight never takes a click or hover from the bin under it. */
const noRaycast = (): void => undefined;

/** An outline (drawn through the racks) and a faint glow box around the selected location's bin. */
function SelectedBin({ layout, camera }: { layout: LayoutView; camera: CameraStore }) {
  const selected = useSyncExternalStore(camera.subscribe, () => camera.selectedLocation);
  const indexOf = useMemo(() => new Map(layout.ids.map((id, i) => [id, i])), [layout]);
  const parts = useMemo(() => {
    const box = new BoxGeometry(1, 1, 1);
    return {
      box,
      edges: new EdgesGeometry(box),
      line: new LineBasicMaterial({ color: SELECTION_HEX, depthTest: false, transparent: true }),
      glow: new MeshBasicMaterial({ color: SELECTION_HEX, transparent: true, opacity: 0.28, depthWrite: false }),
    };
  }, []);
  useEffect(() => () => {
    parts.box.dispose();
    parts.edges.dispose();
    parts.line.dispose();
    parts.glow.dispose();
  }, [parts]);

  const i = selected === null ? undefined : indexOf.get(selected);
  if (i === undefined) return null;
  const h = layout.h[i] ?? 0;
  const at = floorToScene(floorPoint(layout.x[i] ?? 0, layout.y[i] ?? 0, (layout.z[i] ?? 0) + h / 2));
  const extent = floorExtentToScene(floorPoint((layout.d[i] ?? 0) * SELECTION_SCALE, (layout.w[i] ?? 0) * SELECTION_SCALE, h * SELECTION_SCALE));
  return (
    <group position={[at.x, at.y, at.z]} scale={[extent.x, extent.y, extent.z]}>
      <lineSegments geometry={parts.edges} material={parts.line} renderOrder={10} raycast={noRaycast} />
      <mesh geometry={parts.box} material={parts.glow} renderOrder={9} raycast={noRaycast} />
    </group>
  );
}
