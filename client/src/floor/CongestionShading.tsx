/**
 * Congestion shading of aisle segments: amber where two operatives share a segment, red where three or more do.
 * Recounted twice a second inside the frame loop from the store's positions; only segments whose level changed are
 * rewritten, and no React state changes per frame.
 */
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import type { InstancedMesh } from 'three';
import { BoxGeometry, Color, Matrix4, MeshBasicMaterial } from 'three';
import { useFrame } from '@react-three/fiber';
import type { FloorStore } from '../net/floor-store.ts';
import { placeStrips } from './AisleMarkings.tsx';
import { congestionLevel, countBySegmentIndexed, indexSegments } from './congestion.ts';
import { perfProbe } from '../perf-probe.ts';

const STRIP_WIDTH_M = 1.1;
const RECOUNT_MS = 500;
const LEVEL_COLOURS = [new Color('#000000'), new Color('#f59e0b'), new Color('#ef4444')] as const;
const HIDDEN = new Matrix4().makeScale(0, 0, 0);

/** Props of `CongestionShading`: the layout's flat [x1, y1, x2, y2] segments and the live floor. */
export interface CongestionShadingProps {
  readonly segments: readonly number[];
  readonly store: FloorStore;
}

export function CongestionShading({ segments, store }: CongestionShadingProps) {
  const mesh = useRef<InstancedMesh>(null);
  const count = Math.max(1, Math.floor(segments.length / 4));
  const geometry = useMemo(() => new BoxGeometry(1, 0.01, 1), []);
  const material = useMemo(() => new MeshBasicMaterial({ transparent: true, opacity: 0.55, depthWrite: false }), []);
  const state = useMemo(
    () => ({
      placed: [] as Matrix4[],
      levels: new Int8Array(count).fill(-1),
      counts: new Uint16Array(count),
      positions: new Float64Array(0),
      lastMs: 0,
    }),
    [count],
  );
  const index = useMemo(() => indexSegments(segments), [segments]);

  useEffect(() => () => {
    geometry.dispose();
    material.dispose();
  }, [geometry, material]);

  useLayoutEffect(() => {
    const m = mesh.current;
    if (m === null) return;
    // Place every strip once to learn its matrix, then hide them all until a recount shows congestion.
    placeStrips(m, segments, STRIP_WIDTH_M, 0.02);
    state.placed = [];
    for (let k = 0; k < count; k++) {
      const matrix = new Matrix4();
      m.getMatrixAt(k, matrix);
      state.placed.push(matrix);
      m.setMatrixAt(k, HIDDEN);
      m.setColorAt(k, LEVEL_COLOURS[0]);
    }
    state.levels.fill(0);
    m.instanceMatrix.needsUpdate = true;
    if (m.instanceColor) m.instanceColor.needsUpdate = true;
  }, [segments, count, state]);

  useFrame(() => {
    const m = mesh.current;
    const now = performance.now();
    if (m === null || now - state.lastMs < RECOUNT_MS) return;
    state.lastMs = now;
    const t0 = perfProbe.start();
    const ops = store.operatives;
    if (state.positions.length < ops.length * 2) state.positions = new Float64Array(ops.length * 2 + 64);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      if (op === undefined) continue;
      state.positions[2 * i] = op.toX;
      state.positions[2 * i + 1] = op.toY;
    }
    countBySegmentIndexed(segments, index, state.positions, ops.length, state.counts);
    let changed = false;
    for (let k = 0; k < count; k++) {
      const level = congestionLevel(state.counts[k] ?? 0);
      if (level === state.levels[k]) continue;
      state.levels[k] = level;
      m.setMatrixAt(k, level === 0 ? HIDDEN : (state.placed[k] ?? HIDDEN));
      m.setColorAt(k, LEVEL_COLOURS[level]);
      changed = true;
    }
    if (changed) {
      m.instanceMatrix.needsUpdate = true;
      if (m.instanceColor) m.instanceColor.needsUpdate = true;
    }
    perfProbe.end('congestion', t0);
  });

  return <instancedMesh ref={mesh} args={[geometry, material, count]} frustumCulled={false} />;
}
