/**
 * The floor's camera: a perspective orbit (3D) or an orthographic camera looking straight down (2D, `T` or the
 * toggle), each driven by three's OrbitControls and framed on the site's bounds. Switching keeps the focus point and
 * the scale. `cameraStore.flyTo(x, y)` glides the focus there inside the frame loop (no React state per frame).
 */
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useFrame, useThree } from '@react-three/fiber';
import { MOUSE, OrthographicCamera, PerspectiveCamera, Vector3 } from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import { cameraStore, type CameraStore } from '../net/camera-store.ts';
import { floorPoint, floorToScene, sceneToFloor, scenePoint } from './coordinates.ts';
import { floorProbe } from './floor-test-hooks.ts';
import { frameSite, viewBounds } from './framing.ts';
import { distanceForZoom, easeInOut, topDownFitZoom, zoomForDistance } from './top-down.ts';

/** Props of `CameraRig`. */
export interface CameraRigProps {
  readonly bounds: LayoutView['bounds'];
  readonly depot: LayoutView['depot'];
  /** View mode and fly requests (default: the page's camera store). */
  readonly camera?: CameraStore;
}

/** A flight lasts this long. */
const FLY_SECONDS = 0.9;
/** A flight in 3D ends at most this far (metres) from its target, close enough to read the bins. */
const FLY_MAX_DISTANCE = 45;
/** A flight in 2D zooms in until at most this much floor (metres, vertically) is in view. */
const FLY_VISIBLE_M = 60;
/** Most zoomed-in top-down view, px per metre. */
const MAX_TOP_DOWN_ZOOM = 120;

const isTyping = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));

/** Installs the controls of the current view mode; double-click returns to that mode's default view. */
export function CameraRig({ bounds, depot, camera: store = cameraStore }: CameraRigProps) {
  const get = useThree((s) => s.get);
  const set = useThree((s) => s.set);
  const domElement = useThree((s) => s.gl.domElement);
  const viewMode = useSyncExternalStore(store.subscribe, () => store.viewMode);
  const [perspective] = useState(() => {
    const initial = get().camera;
    return initial instanceof PerspectiveCamera ? initial : new PerspectiveCamera(40, 1, 0.5, 2000);
  });
  const ortho = useMemo(() => new OrthographicCamera(-1, 1, 1, -1, 0.1, 5000), []);
  const controlsRef = useRef<OrbitControls | null>(null);
  // Where the view was when the mode last changed, so the other mode starts there.
  const last = useMemo(() => ({ framed: false, focus: new Vector3(), direction: new Vector3(0, 1, 1).normalize(), distance: 100, zoom: 1 }), []);
  const flight = useMemo(
    () => ({
      active: false,
      served: store.fly?.seq ?? 0,
      t: 0,
      from: new Vector3(),
      to: new Vector3(),
      fromScale: 0,
      toScale: 0,
      offset: new Vector3(),
      floor: floorPoint(0, 0, 0),
      scene: scenePoint(),
    }),
    [store],
  );

  useEffect(() => {
    const size = get().size;
    const width = Math.max(1, size.width);
    const height = Math.max(1, size.height);
    const fov = perspective.fov;
    const area = viewBounds(bounds, depot);
    const topDown = viewMode === '2d';
    const active = topDown ? ortho : perspective;
    if (get().camera !== active) set({ camera: active });
    if (topDown) {
      ortho.left = -width / 2;
      ortho.right = width / 2;
      ortho.top = height / 2;
      ortho.bottom = -height / 2;
      // Floor y (scene −z) points up the screen, as on a site plan.
      ortho.up.set(0, 0, -1);
    } else {
      perspective.aspect = width / height;
    }
    const controls = new OrbitControls(active, domElement);
    controls.enableDamping = true;
    controls.dampingFactor = 0.12;
    if (topDown) {
      controls.enableRotate = false;
      controls.screenSpacePanning = true;
      controls.mouseButtons = { LEFT: MOUSE.PAN, MIDDLE: MOUSE.DOLLY, RIGHT: MOUSE.PAN };
      controls.zoomToCursor = true;
    } else {
      controls.screenSpacePanning = false;
      controls.maxPolarAngle = Math.PI * 0.47;
      controls.mouseButtons = { LEFT: MOUSE.ROTATE, MIDDLE: MOUSE.DOLLY, RIGHT: MOUSE.PAN };
    }
    const siteSpan = Math.max(area.maxX - area.minX, area.maxY - area.minY);
    const overhead = siteSpan * 2 + 50;

    const placeTopDown = (focus: Vector3, zoom: number): void => {
      const fit = topDownFitZoom(area, width, height);
      controls.minZoom = fit * 0.5;
      controls.maxZoom = Math.max(fit, MAX_TOP_DOWN_ZOOM);
      ortho.position.set(focus.x, overhead, focus.z);
      ortho.near = 0.1;
      ortho.far = overhead * 2;
      ortho.zoom = Math.min(controls.maxZoom, Math.max(controls.minZoom, zoom));
      ortho.updateProjectionMatrix();
      controls.target.copy(focus);
    };
    const reset = (): void => {
      flight.active = false;
      if (topDown) {
        const centre = floorToScene(floorPoint((area.minX + area.maxX) / 2, (area.minY + area.maxY) / 2, 0));
        placeTopDown(new Vector3(centre.x, centre.y, centre.z), topDownFitZoom(area, width, height));
      } else {
        const frame = frameSite(area, fov, width / height);
        perspective.position.set(frame.position.x, frame.position.y, frame.position.z);
        controls.target.set(frame.target.x, frame.target.y, frame.target.z);
        controls.minDistance = 3;
        controls.maxDistance = frame.distance * 3;
        perspective.near = Math.max(0.1, frame.distance / 500);
        perspective.far = frame.distance * 8;
        perspective.updateProjectionMatrix();
      }
      controls.update();
    };

    if (!last.framed) {
      reset();
    } else if (topDown) {
      placeTopDown(last.focus, zoomForDistance(last.distance, fov, height));
      controls.update();
    } else {
      // Back to 3D: the same direction of view as before, aimed at the focus the 2D view had, at the matching scale.
      const frame = frameSite(area, fov, width / height);
      controls.minDistance = 3;
      controls.maxDistance = frame.distance * 3;
      perspective.near = Math.max(0.1, frame.distance / 500);
      perspective.far = frame.distance * 8;
      perspective.updateProjectionMatrix();
      const distance = Math.min(controls.maxDistance, Math.max(controls.minDistance, distanceForZoom(last.zoom, fov, height)));
      controls.target.copy(last.focus);
      perspective.position.copy(last.direction).multiplyScalar(distance).add(last.focus);
      controls.update();
    }
    last.framed = true;

    const stopFlight = (): void => {
      flight.active = false;
    };
    controls.addEventListener('start', stopFlight);
    domElement.addEventListener('dblclick', reset);
    controlsRef.current = controls;
    floorProbe.focus = () => {
      const at = sceneToFloor(scenePoint(controls.target.x, controls.target.y, controls.target.z));
      return { x: at.x, y: at.y, camera: topDown ? 'orthographic' : 'perspective', zoom: topDown ? ortho.zoom : 1 };
    };
    return () => {
      // Remember the view for the other mode.
      last.focus.copy(controls.target);
      if (topDown) {
        last.zoom = ortho.zoom;
        last.distance = distanceForZoom(ortho.zoom, fov, height);
      } else {
        last.distance = perspective.position.distanceTo(controls.target);
        last.direction.copy(perspective.position).sub(controls.target).normalize();
        last.zoom = zoomForDistance(last.distance, fov, height);
      }
      controls.removeEventListener('start', stopFlight);
      domElement.removeEventListener('dblclick', reset);
      controls.dispose();
      controlsRef.current = null;
      floorProbe.focus = null;
    };
  }, [viewMode, bounds, depot, get, set, domElement, perspective, ortho, last, flight]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (e.key === 't' || e.key === 'T') store.toggleViewMode();
      else if (e.key === 'Escape') store.selectLocation(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);

  useFrame((_, delta) => {
    const controls = controlsRef.current;
    if (controls === null) return;
    const topDown = controls.object === ortho;
    const request = store.fly;
    if (request !== null && request.seq !== flight.served) {
      flight.served = request.seq;
      flight.active = true;
      flight.t = 0;
      flight.from.copy(controls.target);
      flight.floor.x = request.x;
      flight.floor.y = request.y;
      flight.floor.z = 0;
      floorToScene(flight.floor, flight.scene);
      flight.to.set(flight.scene.x, flight.scene.y, flight.scene.z);
      if (topDown) {
        flight.fromScale = ortho.zoom;
        flight.toScale = Math.min(controls.maxZoom, Math.max(ortho.zoom, get().size.height / FLY_VISIBLE_M));
      } else {
        flight.fromScale = controls.object.position.distanceTo(controls.target);
        flight.toScale = Math.min(flight.fromScale, FLY_MAX_DISTANCE);
      }
    }
    if (flight.active) {
      flight.t = Math.min(1, flight.t + delta / FLY_SECONDS);
      const e = easeInOut(flight.t);
      const scale = flight.fromScale + (flight.toScale - flight.fromScale) * e;
      flight.offset.copy(controls.object.position).sub(controls.target);
      controls.target.lerpVectors(flight.from, flight.to, e);
      if (topDown) {
        ortho.zoom = scale;
        ortho.updateProjectionMatrix();
      } else {
        flight.offset.setLength(scale);
      }
      controls.object.position.copy(controls.target).add(flight.offset);
      if (flight.t >= 1) flight.active = false;
    }
    controls.update();
  });
  return null;
}
