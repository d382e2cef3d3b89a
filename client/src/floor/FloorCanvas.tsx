/**
 * The 3D floor: canvas, lights, ground, racks, markings, operatives and the selected operative's route for one site's
 * layout, and a bin tooltip. Keeps the bin attributes for the colour modes fresh while a mode other than fill is
 * shown, and adds the colour / view mode test hooks.
 */
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Canvas, useFrame } from '@react-three/fiber';
import { WebGLRenderer, type WebGLRendererParameters } from 'three';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import { binAttributesStore, pollBinAttributes, type BinAttributesStore } from '../net/bin-attributes.ts';
import { cameraStore, type CameraStore } from '../net/camera-store.ts';
import type { FloorStore } from '../net/floor-store.ts';
import { markLoad, renderingDisabled } from '../perf-probe.ts';
import { markExtraStep } from './extra-marks.ts';
import { drawingBufferSize } from './drawing-buffer.ts';
import { AisleLabels } from './AisleLabels.tsx';
import { AisleMarkings } from './AisleMarkings.tsx';
import { Bins, type BinHover } from './Bins.tsx';
import { CameraRig } from './CameraRig.tsx';
import { CongestionShading } from './CongestionShading.tsx';
import type { RouteStore } from '../net/route-store.ts';
import { installFloorTestHooks } from './floor-test-hooks.ts';
import { Operatives } from './Operatives.tsx';
import { RouteOverlay } from './RouteOverlay.tsx';
import { ActivityPulses } from './ActivityPulses.tsx';
import { activityStore } from '../net/activity-store.ts';
import { SiteGround } from './SiteGround.tsx';

/** Props of `FloorCanvas`. */
export interface FloorCanvasProps {
  readonly store: FloorStore;
  readonly layout: LayoutView;
  readonly routes: RouteStore;
  /** Called when an operative is clicked; must be a stable function (the scene is memoised on it). */
  readonly onSelectOperative?: (operativeId: string) => void;
  /** Colour mode and bin attributes (default: the page's store). */
  readonly attributes?: BinAttributesStore;
  /** View mode, fly requests and the selected location (default: the page's store). */
  readonly camera?: CameraStore;
}

/** Fills its container; `data-testid="floor-canvas"` marks the container for the browser test. */
export function FloorCanvas({
  store, layout, routes, onSelectOperative, attributes = binAttributesStore, camera = cameraStore,
}: FloorCanvasProps) {
  const [hover, setHover] = useState<BinHover | null>(null);
  useLayoutEffect(() => markLoad('layout-applied'), []);
  useEffect(() => pollBinAttributes(attributes, { siteId: layout.siteId, bins: layout.ids.length }), [attributes, layout]);
  useEffect(() => installFloorTestHooks(attributes, camera), [attributes, camera]);
  useEffect(() => {
    // F flies to the selected bin, as in most 3D tools ("frame selected").
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'f' && e.key !== 'F') return;
      if (e.ctrlKey || e.metaKey || e.altKey || (e.target instanceof HTMLElement && /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName))) return;
      const id = camera.selectedLocation;
      const i = id === null ? -1 : layout.ids.indexOf(id);
      const x = layout.x[i];
      const y = layout.y[i];
      if (x !== undefined && y !== undefined) camera.flyTo(x, y);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [camera, layout]);
  return (
    <div className="floor-canvas" data-testid="floor-canvas">
      <FloorScene
        store={store}
        layout={layout}
        routes={routes}
        onSelectOperative={onSelectOperative}
        onHover={setHover}
        attributes={attributes}
        camera={camera}
      />
      {hover !== null && <BinTooltip store={store} layout={layout} hover={hover} attributes={attributes} />}
    </div>
  );
}

/**
 * Takes rendering over from react-three-fiber (a frame callback with a positive priority does) to draw nothing until
 * the first snapshot is in, or the connection has failed: with software WebGL a frame of 20,000 grey boxes takes
 * seconds, and drawing them held up the socket's connect and join, i.e. the first real floor. Benchmark only,
 * `?norender=1` never draws, while every other `useFrame` still runs.
 */
function RenderGate({ store }: { store: FloorStore }) {
  const disabled = useMemo(renderingDisabled, []);
  const open = useRef(false);
  const compiled = useRef(false);
  useFrame(({ gl, scene, camera }) => {
    if (disabled) return;
    open.current ||= store.seq !== null || store.status === 'offline' || store.status === 'error';
    if (open.current) {
      gl.render(scene, camera);
    } else if (!compiled.current) {
      // While the snapshot is on its way, build the shader programs the first frame needs (work it would do anyway).
      compiled.current = true;
      gl.compile(scene, camera);
      markExtraStep('shaders-compiled');
    }
  }, 1);
  return null;
}

/** Device pixel ratio range of the canvas (sharp on high-density screens, at most 2× the pixels). */
const DPR: [number, number] = [1, 2];

/** The options react-three-fiber hands a `gl` factory: its own canvas (an HTMLCanvasElement in a page) among them. */
type RendererDefaults = Omit<WebGLRendererParameters, 'canvas'> & { readonly canvas: object };

const onCanvasCreated = (): void => markLoad('canvas-created');

/**
 * Sizes the canvas's drawing buffer as react-three-fiber is about to (its container's size × the pixel ratio, clamped
 * to the `dpr` range) before the WebGL context exists, so the context is created at its final size once. Otherwise
 * it starts at the canvas's default 300×150 and is reallocated on every size and pixel-ratio update; each costs a
 * buffer allocation and a clear on the GPU (over 100 ms apiece with software WebGL), all before the first floor.
 */
function createRenderer(defaults: RendererDefaults): WebGLRenderer {
  const { canvas, ...options } = defaults;
  if (!(canvas instanceof HTMLCanvasElement)) throw new Error('the floor draws into a page canvas');
  const box = canvas.parentElement?.getBoundingClientRect();
  const size = box === undefined ? null : drawingBufferSize(box.width, box.height, window.devicePixelRatio, DPR);
  if (size !== null) {
    canvas.width = size.width;
    canvas.height = size.height;
  }
  return new WebGLRenderer({ ...options, canvas });
}

/**
 * Renders `children` only once the first floor has been drawn (`store.drawnSeq`), so extras that cost shader programs,
 * textures and draw calls (aisle labels, congestion shading) do not delay the first picture of the racks.
 */
function AfterFirstFloor({ store, children }: { store: FloorStore; children: ReactNode }) {
  const [shown, setShown] = useState(false);
  useFrame(() => {
    if (!shown && store.drawnSeq !== null) setShown(true);
  });
  return shown ? children : null;
}

/** The canvas and scene graph; memoised so tooltip and panel updates never reconcile the scene. */
const FloorScene = memo(function FloorScene({
  store,
  layout,
  routes,
  onSelectOperative,
  onHover,
  attributes,
  camera,
}: FloorCanvasProps & { onHover: (hit: BinHover | null) => void }) {
  return (
    <Canvas camera={{ fov: 40, near: 0.5, far: 2000 }} dpr={DPR} gl={createRenderer} onCreated={onCanvasCreated}>
      <RenderGate store={store} />
      <color attach="background" args={['#121822']} />
      <hemisphereLight args={['#eef3fa', '#1c222c', 1.5]} />
      <directionalLight position={[-40, 80, 60]} intensity={1.7} />
      <directionalLight position={[50, 30, -40]} intensity={0.35} />
      <CameraRig bounds={layout.bounds} depot={layout.depot} {...(camera === undefined ? {} : { camera })} />
      <SiteGround bounds={layout.bounds} depot={layout.depot} />
      <AisleMarkings segments={layout.segments} />
      <AfterFirstFloor store={store}>
        <CongestionShading segments={layout.segments} store={store} />
        <AisleLabels segments={layout.segments} />
      </AfterFirstFloor>
      <Bins
        key={layout.layoutId}
        store={store}
        layout={layout}
        onHover={onHover}
        {...(attributes === undefined ? {} : { attributes })}
        {...(camera === undefined ? {} : { camera })}
      />
      <Operatives store={store} onSelect={onSelectOperative} />
      <RouteOverlay routes={routes} floor={store} />
      <ActivityPulses activities={activityStore} layout={layout} />
    </Canvas>
  );
});

const ABC_NAMES = ['A', 'B', 'C'];

/** What the current colour mode says about bin `i` (null in fill mode or before the attributes arrive). */
function modeLine(attributes: BinAttributesStore, i: number): string | null {
  const data = attributes.attributes;
  if (attributes.mode === 'fill' || data === null) return null;
  switch (attributes.mode) {
    case 'abc':
      return `class ${ABC_NAMES[data.abc[i] ?? -1] ?? '–'}`;
    case 'heat':
      return `${data.heat[i] ?? 0} picks in ${data.heatHours} h`;
    case 'replenish':
      return data.replenish[i] === 1 ? 'needs replenishing' : 'no replenishment needed';
    case 'client':
      return data.tenants[data.tenant[i] ?? -1]?.name ?? 'empty';
  }
}

function BinTooltip({ store, layout, hover, attributes }: { store: FloorStore; layout: LayoutView; hover: BinHover; attributes: BinAttributesStore }) {
  const fill = store.fill[hover.index];
  const line = modeLine(attributes, hover.index);
  return (
    <div className="bin-tooltip" style={{ left: hover.clientX + 14, top: hover.clientY + 14 }}>
      <div className="bin-tooltip__id">{layout.ids[hover.index] ?? `#${hover.index}`}</div>
      <div>{store.seq === null || fill === undefined ? 'fill unknown' : `${Math.round(fill)}% full`}</div>
      {line !== null && <div>{line}</div>}
    </div>
  );
}
