/**
 * The selected operative's route over the 3D floor: the walk as a ribbon just above the floor, a numbered marker per
 * stop (the next one larger, amber, pulsing), and a halo around the operative. Geometry is rebuilt only when the
 * route changes (instanced strips and discs written in place); the render loop only moves the halo and the pulse.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useFrame } from '@react-three/fiber';
import type { InstancedMesh, Mesh, Sprite } from 'three';
import {
  BoxGeometry, Color, CylinderGeometry, Matrix4, MeshBasicMaterial, Object3D, RingGeometry, SpriteMaterial, type CanvasTexture,
} from 'three';
import type { RouteView } from '../../../server/protocol/route.ts';
import type { FloorStore } from '../net/floor-store.ts';
import { nextStopIndex } from '../net/route-math.ts';
import type { RouteStore } from '../net/route-store.ts';
import { useRouteSummary } from '../views/use-route-summary.ts';
import { floorPoint, floorToScene, scenePoint } from './coordinates.ts';
import { makeLabelTexture } from './label-texture.ts';

/** Route colours (also used by the route panel). */
export const ROUTE_COLOURS = { path: '#22d3ee', stop: '#f8fafc', next: '#fbbf24', done: '#64748b' } as const;

const PATH_WIDTH_M = 0.32;
const PATH_LIFT_M = 0.06;
const STOP_RADIUS_M = 0.55;
const LABEL_HEIGHT_M = 3.2;
const LABEL_SIZE_M = 1.5;

const nextCapacity = (n: number): number => Math.max(64, 2 ** Math.ceil(Math.log2(Math.max(1, n))));

/** Props of `RouteOverlay`. */
export interface RouteOverlayProps {
  readonly routes: RouteStore;
  readonly floor: FloorStore;
}

/** Draws the route held by `routes`, if any. */
export function RouteOverlay({ routes, floor }: RouteOverlayProps) {
  const summary = useRouteSummary(routes);
  const route = summary.route;
  const segments = route === null ? 0 : Math.max(0, route.path.length / 2 - 1);
  const stops = route?.stops.length ?? 0;
  const [capacity, setCapacity] = useState(() => ({ segments: nextCapacity(segments), stops: nextCapacity(stops) }));
  // Grow (rare) through React so the instanced meshes are remounted with room for the longer route.
  if (segments > capacity.segments || stops > capacity.stops) {
    setCapacity({ segments: nextCapacity(Math.max(segments, capacity.segments)), stops: nextCapacity(Math.max(stops, capacity.stops)) });
  }
  if (summary.operativeId === null) return null;
  return (
    <RouteMeshes
      key={`${capacity.segments}/${capacity.stops}`}
      routes={routes}
      floor={floor}
      route={route}
      routeVersion={summary.routeVersion}
      capacity={capacity}
    />
  );
}

interface RouteMeshesProps {
  readonly routes: RouteStore;
  readonly floor: FloorStore;
  readonly route: RouteView | null;
  readonly routeVersion: number;
  readonly capacity: { segments: number; stops: number };
}

function RouteMeshes({ routes, floor, route, routeVersion, capacity }: RouteMeshesProps) {
  const strips = useRef<InstancedMesh>(null);
  const xray = useRef<InstancedMesh>(null);
  const discs = useRef<InstancedMesh>(null);
  const nextMarker = useRef<Mesh>(null);
  const halo = useRef<Mesh>(null);
  const resources = useMemo(
    () => ({
      strip: new BoxGeometry(1, 0.04, 1),
      disc: new CylinderGeometry(STOP_RADIUS_M, STOP_RADIUS_M, 0.08, 24),
      ring: new RingGeometry(1.0, 1.45, 40).rotateX(-Math.PI / 2),
      haloRing: new RingGeometry(1.05, 1.35, 40).rotateX(-Math.PI / 2),
      pathMaterial: new MeshBasicMaterial({ color: ROUTE_COLOURS.path }),
      // The same ribbon again, faint and drawn through the racks, so the walk stays readable down occluded aisles.
      xrayMaterial: new MeshBasicMaterial({ color: ROUTE_COLOURS.path, transparent: true, opacity: 0.4, depthTest: false, depthWrite: false }),
      discMaterial: new MeshBasicMaterial({ color: 0xffffff }),
      nextMaterial: new MeshBasicMaterial({ color: ROUTE_COLOURS.next, transparent: true, opacity: 0.95, depthTest: false, depthWrite: false }),
      haloMaterial: new MeshBasicMaterial({ color: ROUTE_COLOURS.path, transparent: true, opacity: 0.9, depthTest: false, depthWrite: false }),
      colours: { stop: new Color(ROUTE_COLOURS.stop), next: new Color(ROUTE_COLOURS.next), done: new Color(ROUTE_COLOURS.done) },
    }),
    [],
  );
  // Number tags are cached per text and colour: a re-plan reuses them instead of drawing new canvases.
  const labels = useMemo(() => new Map<string, { texture: CanvasTexture; aspect: number; material: SpriteMaterial }>(), []);
  const scratch = useMemo(() => ({ matrix: new Matrix4(), floor: floorPoint(0, 0, 0), scene: scenePoint(), xy: { x: 0, y: 0 } }), []);
  const nextIndex = route === null ? -1 : nextStopIndex(route);
  const nextStop = route?.stops[nextIndex];

  useEffect(() => () => {
    const { colours: _colours, ...disposable } = resources;
    for (const r of Object.values(disposable)) r.dispose();
    for (const l of labels.values()) {
      l.texture.dispose();
      l.material.dispose();
    }
    labels.clear();
  }, [resources, labels]);

  useLayoutEffect(() => {
    const s = strips.current;
    const x = xray.current;
    const d = discs.current;
    if (s === null || x === null || d === null) return;
    const path = route?.path ?? [];
    const dummy = new Object3D();
    const a = scenePoint();
    const b = scenePoint();
    let n = 0;
    for (let k = 2; k + 1 < path.length; k += 2) {
      floorToScene(floorPoint(path[k - 2] ?? 0, path[k - 1] ?? 0), a);
      floorToScene(floorPoint(path[k] ?? 0, path[k + 1] ?? 0), b);
      const dx = b.x - a.x;
      const dz = b.z - a.z;
      const length = Math.hypot(dx, dz);
      if (length < 1e-6) continue;
      // Extended by the width so consecutive strips overlap at corners.
      dummy.position.set((a.x + b.x) / 2, PATH_LIFT_M, (a.z + b.z) / 2);
      dummy.rotation.set(0, Math.atan2(-dz, dx), 0);
      dummy.scale.set(length + PATH_WIDTH_M, 1, PATH_WIDTH_M);
      dummy.updateMatrix();
      s.setMatrixAt(n, dummy.matrix);
      x.setMatrixAt(n, dummy.matrix);
      n++;
    }
    for (const mesh of [s, x]) {
      mesh.count = n;
      mesh.instanceMatrix.needsUpdate = true;
      mesh.computeBoundingSphere();
    }

    const stops = route?.stops ?? [];
    const p = scenePoint();
    stops.forEach((stop, i) => {
      floorToScene(floorPoint(stop.x, stop.y, 0.1), p);
      dummy.position.set(p.x, p.y, p.z);
      dummy.rotation.set(0, 0, 0);
      dummy.scale.setScalar(1);
      dummy.updateMatrix();
      d.setMatrixAt(i, dummy.matrix);
      d.setColorAt(i, i === nextIndex ? resources.colours.next : stop.status === 'open' ? resources.colours.stop : resources.colours.done);
    });
    d.count = stops.length;
    d.instanceMatrix.needsUpdate = true;
    if (d.instanceColor !== null) d.instanceColor.needsUpdate = true;
    d.computeBoundingSphere();

    if (route !== null) {
      routes.drawn = { operativeId: route.operativeId, stops: stops.length, pathPoints: path.length / 2, routeVersion };
    } else {
      routes.drawn = null;
    }
  }, [route, routeVersion, routes, nextIndex, resources]);

  useEffect(() => () => {
    routes.drawn = null;
  }, [routes]);

  useFrame(({ clock }) => {
    const t = clock.getElapsedTime();
    const marker = nextMarker.current;
    if (marker !== null) marker.scale.setScalar(1 + 0.25 * Math.sin(t * 4));
    const h = halo.current;
    const track = routes.operativeId === null ? undefined : floor.operative(routes.operativeId);
    if (h === null) return;
    if (track === undefined) {
      h.visible = false;
      return;
    }
    const { floor: fp, scene, xy } = scratch;
    floor.positionAt(track, performance.now(), xy);
    fp.x = xy.x;
    fp.y = xy.y;
    fp.z = 0.05;
    floorToScene(fp, scene);
    h.visible = true;
    h.position.set(scene.x, scene.y, scene.z);
    h.scale.setScalar(1.5 + 0.15 * Math.sin(t * 3));
  });

  const labelFor = (text: string, accent: string, filled: boolean) => {
    const key = `${text}|${accent}|${filled ? 'f' : 'o'}`;
    let label = labels.get(key);
    if (label === undefined) {
      const { texture, aspect } = makeLabelTexture(text, accent, { filled });
      label = { texture, aspect, material: new SpriteMaterial({ map: texture, depthTest: false, transparent: true }) };
      labels.set(key, label);
    }
    return label;
  };

  const nextScene = nextStop === undefined ? null : floorToScene(floorPoint(nextStop.x, nextStop.y, 0.12));

  return (
    <group>
      <instancedMesh ref={strips} args={[resources.strip, resources.pathMaterial, capacity.segments]} renderOrder={2} />
      <instancedMesh ref={xray} args={[resources.strip, resources.xrayMaterial, capacity.segments]} renderOrder={5} />
      <instancedMesh ref={discs} args={[resources.disc, resources.discMaterial, capacity.stops]} renderOrder={3} />
      {nextScene !== null && (
        <mesh ref={nextMarker} geometry={resources.ring} material={resources.nextMaterial} position={[nextScene.x, nextScene.y, nextScene.z]} renderOrder={4} />
      )}
      <mesh ref={halo} geometry={resources.haloRing} material={resources.haloMaterial} visible={false} renderOrder={4} />
      {route?.stops.map((stop, i) => {
        const isNext = i === nextIndex;
        const label = labelFor(
          String(i + 1),
          isNext ? ROUTE_COLOURS.next : stop.status === 'open' ? ROUTE_COLOURS.path : ROUTE_COLOURS.done,
          isNext,
        );
        const at = floorToScene(floorPoint(stop.x, stop.y, LABEL_HEIGHT_M + (isNext ? 0.6 : 0)));
        const size = LABEL_SIZE_M * (isNext ? 1.35 : 1);
        return (
          <sprite
            key={`${stop.taskId}-${i}`}
            material={label.material}
            position={[at.x, at.y, at.z]}
            scale={[size * label.aspect, size, 1]}
            renderOrder={isNext ? 11 : 10}
            ref={(sprite: Sprite | null) => {
              if (sprite !== null) sprite.center.set(0.5, 0);
            }}
          />
        );
      })}
    </group>
  );
}
