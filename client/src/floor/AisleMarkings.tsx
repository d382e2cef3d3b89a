/** Walkways and their painted centre lines, from the layout's aisle segments: two InstancedMeshes laid on the floor. */
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import type { InstancedMesh } from 'three';
import { BoxGeometry, MeshLambertMaterial, Object3D } from 'three';
import { floorPoint, floorToScene, scenePoint } from './coordinates.ts';

const WALKWAY_WIDTH_M = 1.3;
const LINE_WIDTH_M = 0.09;

/** Props of `AisleMarkings`: flat [x1, y1, x2, y2] quadruples in floor metres. */
export interface AisleMarkingsProps {
  readonly segments: readonly number[];
}

export function placeStrips(mesh: InstancedMesh, segments: readonly number[], width: number, lift: number): void {
  const dummy = new Object3D();
  const a = scenePoint();
  const b = scenePoint();
  const count = Math.floor(segments.length / 4);
  for (let k = 0; k < count; k++) {
    floorToScene(floorPoint(segments[4 * k] ?? 0, segments[4 * k + 1] ?? 0), a);
    floorToScene(floorPoint(segments[4 * k + 2] ?? 0, segments[4 * k + 3] ?? 0), b);
    const dx = b.x - a.x;
    const dz = b.z - a.z;
    // Extend by the width so strips overlap at junctions instead of leaving notches.
    const length = Math.hypot(dx, dz) + width;
    dummy.position.set((a.x + b.x) / 2, lift, (a.z + b.z) / 2);
    dummy.rotation.set(0, Math.atan2(-dz, dx), 0);
    dummy.scale.set(length, 1, width);
    dummy.updateMatrix();
    mesh.setMatrixAt(k, dummy.matrix);
  }
  mesh.instanceMatrix.needsUpdate = true;
  mesh.computeBoundingSphere();
}

/** Floor markings for the walkable network. */
export function AisleMarkings({ segments }: AisleMarkingsProps) {
  const walkways = useRef<InstancedMesh>(null);
  const lines = useRef<InstancedMesh>(null);
  const count = Math.max(1, Math.floor(segments.length / 4));
  const geometry = useMemo(() => new BoxGeometry(1, 0.01, 1), []);
  const walkwayMaterial = useMemo(() => new MeshLambertMaterial({ color: '#343d4d' }), []);
  const lineMaterial = useMemo(() => new MeshLambertMaterial({ color: '#e0b325', emissive: '#3a2c00' }), []);

  useEffect(() => () => {
    geometry.dispose();
    walkwayMaterial.dispose();
    lineMaterial.dispose();
  }, [geometry, walkwayMaterial, lineMaterial]);

  useLayoutEffect(() => {
    if (walkways.current !== null) placeStrips(walkways.current, segments, WALKWAY_WIDTH_M, 0.002);
    if (lines.current !== null) placeStrips(lines.current, segments, LINE_WIDTH_M, 0.01);
  }, [segments]);

  return (
    <group>
      <instancedMesh ref={walkways} args={[geometry, walkwayMaterial, count]} />
      <instancedMesh ref={lines} args={[geometry, lineMaterial, count]} />
    </group>
  );
}
