/**
 * Every bin of the site as ONE InstancedMesh, coloured by fill. Matrices are written once per layout; colours are
 * rewritten in the render loop only for the bins the store marks dirty (no React state, no allocation per frame).
 */
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { useFrame } from '@react-three/fiber';
import type { InstancedMesh } from 'three';
import { BoxGeometry, Color, Matrix4, MeshLambertMaterial, SRGBColorSpace } from 'three';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import type { FloorStore } from '../net/floor-store.ts';
import { floorExtentToScene, floorPoint, floorToScene, scenePoint } from './coordinates.ts';
import { UNKNOWN_FILL_HEX, fillColour } from './fill-colour.ts';

/** Fraction of a bin's slot the box fills, so neighbouring bins and levels read as separate boxes. */
const GAP_XZ = 0.9;
const GAP_HEIGHT = 0.86;
/** LUT index used for fill above 100%. */
const OVER_INDEX = 101;

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
export function Bins({ store, layout, onHover }: BinsProps) {
  const meshRef = useRef<InstancedMesh>(null);
  const count = layout.ids.length;
  const geometry = useMemo(() => new BoxGeometry(1, 1, 1), []);
  const material = useMemo(() => new MeshLambertMaterial({ color: 0xffffff }), []);
  const lut = useMemo(buildFillLut, []);
  // Set on the frame colours of a snapshot were uploaded; confirmed drawn on the following frame.
  const uploadedSeq = useRef<number | null>(null);

  // Created once: the visitor the store calls for each dirty bin, writing straight into the instance colour buffer.
  const paint = useMemo(
    () => (index: number, fillPercent: number) => {
      const mesh = meshRef.current;
      const colour = lut[lutIndex(fillPercent)];
      if (mesh !== null && colour !== undefined) mesh.setColorAt(index, colour);
    },
    [lut],
  );

  useEffect(() => () => {
    geometry.dispose();
    material.dispose();
  }, [geometry, material]);

  useLayoutEffect(() => {
    const mesh = meshRef.current;
    if (mesh === null) return;
    const matrix = new Matrix4();
    const centre = floorPoint(0, 0, 0);
    const size = floorPoint(0, 0, 0);
    const at = scenePoint();
    const extent = scenePoint();
    const unknown = new Color(UNKNOWN_FILL_HEX);
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
      matrix.makeScale(extent.x, extent.y, extent.z);
      matrix.setPosition(at.x, at.y, at.z);
      mesh.setMatrixAt(i, matrix);
      mesh.setColorAt(i, unknown);
    }
    mesh.instanceMatrix.needsUpdate = true;
    if (mesh.instanceColor !== null) mesh.instanceColor.needsUpdate = true;
    mesh.computeBoundingSphere();
  }, [layout, count]);

  useFrame(() => {
    const mesh = meshRef.current;
    if (mesh === null) return;
    if (uploadedSeq.current !== null && store.drawnSeq === null) store.drawnSeq = uploadedSeq.current;
    if (store.pendingDirty === 0) return;
    store.consumeDirty(paint);
    if (mesh.instanceColor !== null) mesh.instanceColor.needsUpdate = true;
    if (store.seq !== null) uploadedSeq.current = store.seq;
  });

  return (
    <instancedMesh
      ref={meshRef}
      args={[geometry, material, count]}
      onPointerMove={
        onHover &&
        ((e) => {
          e.stopPropagation();
          if (e.instanceId !== undefined) onHover({ index: e.instanceId, clientX: e.nativeEvent.clientX, clientY: e.nativeEvent.clientY });
        })
      }
      onPointerOut={onHover && (() => onHover(null))}
    />
  );
}
