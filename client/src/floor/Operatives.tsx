/**
 * Operatives as simple figures (body, head, a ring on the floor), coloured by activity and gliding between their last
 * two reported positions. Three InstancedMeshes share one matrix per operative; the render loop reads the store.
 * Every instance has the same scale and no rotation, so per frame only the translation floats of the instance
 * matrices are written, and a colour only when that instance's activity changed.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useFrame, type ThreeEvent } from '@react-three/fiber';
import { perfProbe } from '../perf-probe.ts';
import type { InstancedMesh } from 'three';
import {
  CapsuleGeometry, Color, InstancedBufferAttribute, MeshLambertMaterial, RingGeometry, Sphere, SphereGeometry, type BufferGeometry,
} from 'three';
import type { OperativeActivity } from '../../../server/protocol/floor.ts';
import type { FloorStore } from '../net/floor-store.ts';
import { floorPoint, floorToScene, scenePoint } from './coordinates.ts';

/** Activity colours, also used by the legend. */
export const ACTIVITY_COLOURS: Readonly<Record<OperativeActivity, string>> = {
  walking: '#3b82f6',
  picking: '#22c55e',
  idle: '#9ca3af',
  blocked: '#e11d48',
  offline: '#4b5563',
};

/** The states the legend lists, in order. 'Blocked': waiting for another operative to clear the aisle segment ahead. */
export const OPERATIVE_STATES: readonly { readonly activity: OperativeActivity; readonly label: string }[] = [
  { activity: 'picking', label: 'Picking' },
  { activity: 'walking', label: 'Walking' },
  { activity: 'idle', label: 'Idle' },
  { activity: 'blocked', label: 'Blocked' },
  { activity: 'offline', label: 'Offline' },
];

/** Figures are drawn larger than life so a person stays visible when the whole site is in view. */
const FIGURE_SCALE = 1.5;
const BODY_RADIUS = 0.26;
const BODY_LENGTH = 0.85;
const HEAD_RADIUS = 0.2;

function figureGeometries(): { body: BufferGeometry; head: BufferGeometry; ring: BufferGeometry } {
  // Each geometry is built with its base on the floor at the origin, so all three share one instance matrix.
  // Low-poly (about 200 triangles a figure, was 520): software WebGL's cost follows triangles, 500 figures were a third
  // of every frame, and a figure is a few pixels wide at the opening view.
  const body = new CapsuleGeometry(BODY_RADIUS, BODY_LENGTH, 2, 8).translate(0, BODY_RADIUS + BODY_LENGTH / 2, 0);
  const head = new SphereGeometry(HEAD_RADIUS, 8, 6).translate(0, 2 * BODY_RADIUS + BODY_LENGTH + HEAD_RADIUS + 0.04, 0);
  const ring = new RingGeometry(0.42, 0.58, 16).rotateX(-Math.PI / 2).translate(0, 0.03, 0);
  return { body, head, ring };
}

/** Height of a figure (head top), metres before `FIGURE_SCALE`: pads the bounding sphere used to pick figures. */
const FIGURE_HEIGHT_M = 2 * BODY_RADIUS + BODY_LENGTH + 2 * HEAD_RADIUS + 0.04;

const nextCapacity = (n: number): number => Math.max(64, 2 ** Math.ceil(Math.log2(Math.max(1, n))));

/**
 * Gives every instance the figure's scale (no rotation); the frame loop then writes only translations. With
 * `coloured`, also creates the per-instance colour buffer now: three picks the shader variant by whether it exists,
 * and created lazily by the first `setColorAt` (when the snapshot's people arrive) it would force a shader compile in
 * the middle of the first floor's frame instead of in the render gate's early `compile`.
 */
function prepareInstances(mesh: InstancedMesh, coloured: boolean): void {
  const m = mesh.instanceMatrix.array;
  for (let i = 0; i < mesh.instanceMatrix.count; i++) {
    m[16 * i] = FIGURE_SCALE;
    m[16 * i + 5] = FIGURE_SCALE;
    m[16 * i + 10] = FIGURE_SCALE;
  }
  mesh.instanceMatrix.needsUpdate = true;
  if (coloured && mesh.instanceColor === null) mesh.instanceColor = new InstancedBufferAttribute(new Float32Array(mesh.instanceMatrix.count * 3).fill(1), 3);
}

/** Props of `Operatives`. */
export interface OperativesProps {
  readonly store: FloorStore;
  /** Called with the id of an operative clicked (a click, not the end of an orbit drag). */
  readonly onSelect?: (operativeId: string) => void;
}

/** Pointer travel (px) between press and release above which a press was a drag of the camera, not a click. */
const CLICK_SLOP_PX = 5;

/** All operatives on the floor. */
export function Operatives({ store, onSelect }: OperativesProps) {
  const [capacity, setCapacity] = useState(() => nextCapacity(store.operatives.length));
  const body = useRef<InstancedMesh>(null);
  const head = useRef<InstancedMesh>(null);
  const ring = useRef<InstancedMesh>(null);
  const geometries = useMemo(figureGeometries, []);
  const materials = useMemo(
    () => ({
      body: new MeshLambertMaterial({ color: 0xffffff }),
      head: new MeshLambertMaterial({ color: '#f1e4d4' }),
      ring: new MeshLambertMaterial({ color: 0xffffff, transparent: true, opacity: 0.85, depthWrite: false }),
    }),
    [],
  );
  const colours = useMemo(() => {
    const out = {} as Record<OperativeActivity, Color>;
    for (const key of Object.keys(ACTIVITY_COLOURS) as OperativeActivity[]) out[key] = new Color(ACTIVITY_COLOURS[key]);
    return out;
  }, []);
  // Scratch values reused every frame; `shown` is the activity each instance's colour was last written for.
  const scratch = useMemo(
    () => ({ floor: floorPoint(0, 0, 0), scene: scenePoint(), xy: { x: 0, y: 0 }, shown: new Array<OperativeActivity | null>(capacity).fill(null) }),
    [capacity],
  );

  useLayoutEffect(() => {
    if (body.current !== null) prepareInstances(body.current, true);
    if (head.current !== null) prepareInstances(head.current, false);
    if (ring.current !== null) prepareInstances(ring.current, true);
  }, [capacity]);

  useEffect(() => () => {
    for (const g of Object.values(geometries)) g.dispose();
    for (const m of Object.values(materials)) m.dispose();
  }, [geometries, materials]);

  useFrame(() => {
    const b = body.current;
    const h = head.current;
    const r = ring.current;
    if (b === null || h === null || r === null) return;
    const tracks = store.operatives;
    const n = tracks.length;
    if (n > capacity) {
      // Rare: more people than instances. Grow through React (remounts the meshes) and draw them next frame.
      setCapacity(nextCapacity(n));
      return;
    }
    const now = performance.now();
    const t0 = perfProbe.start();
    const { floor, scene, xy, shown } = scratch;
    const bm = b.instanceMatrix.array;
    const hm = h.instanceMatrix.array;
    const rm = r.instanceMatrix.array;
    let recoloured = false;
    let minX = Infinity;
    let maxX = -Infinity;
    let minZ = Infinity;
    let maxZ = -Infinity;
    for (let i = 0; i < n; i++) {
      const track = tracks[i];
      if (track === undefined) continue;
      store.positionAt(track, now, xy);
      floor.x = xy.x;
      floor.y = xy.y;
      floor.z = 0;
      floorToScene(floor, scene);
      const k = 16 * i + 12;
      bm[k] = hm[k] = rm[k] = scene.x;
      bm[k + 1] = hm[k + 1] = rm[k + 1] = scene.y;
      bm[k + 2] = hm[k + 2] = rm[k + 2] = scene.z;
      minX = Math.min(minX, scene.x);
      maxX = Math.max(maxX, scene.x);
      minZ = Math.min(minZ, scene.z);
      maxZ = Math.max(maxZ, scene.z);
      if (shown[i] !== track.activity) {
        shown[i] = track.activity;
        const colour = colours[track.activity];
        b.setColorAt(i, colour);
        r.setColorAt(i, colour);
        recoloured = true;
      }
    }
    for (const mesh of [b, h, r]) {
      mesh.count = n;
      mesh.instanceMatrix.needsUpdate = true;
      if (recoloured && mesh.instanceColor !== null) mesh.instanceColor.needsUpdate = true;
    }
    if (onSelect !== undefined && n > 0) {
      // Raycasting culls by the bounding sphere, which three computes once; the figures move, so keep it around them
      // (from the positions just written: O(people), no allocation) or clicks on someone who walked away would miss.
      const height = FIGURE_HEIGHT_M * FIGURE_SCALE;
      const radius = Math.hypot((maxX - minX) / 2, (maxZ - minZ) / 2, height / 2) + height;
      for (const mesh of [b, h, r]) {
        mesh.boundingSphere ??= new Sphere();
        mesh.boundingSphere.center.set((minX + maxX) / 2, height / 2, (minZ + maxZ) / 2);
        mesh.boundingSphere.radius = radius;
      }
    }
    perfProbe.end('operatives', t0);
  });

  const onClick =
    onSelect &&
    ((e: ThreeEvent<MouseEvent>) => {
      if (e.delta > CLICK_SLOP_PX || e.instanceId === undefined) return;
      const track = store.operatives[e.instanceId];
      if (track === undefined) return;
      e.stopPropagation();
      onSelect(track.id);
    });

  return (
    <group key={capacity}>
      <instancedMesh ref={body} args={[geometries.body, materials.body, capacity]} frustumCulled={false} onClick={onClick} />
      <instancedMesh ref={head} args={[geometries.head, materials.head, capacity]} frustumCulled={false} onClick={onClick} />
      <instancedMesh ref={ring} args={[geometries.ring, materials.ring, capacity]} frustumCulled={false} onClick={onClick} />
    </group>
  );
}
