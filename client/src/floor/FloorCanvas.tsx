/**
 * The 3D floor: canvas, lights, ground, racks, markings, operatives and the selected operative's route for one site's
 * layout, and a bin tooltip. Keeps the bin attributes for the colour modes fresh while a mode other than fill is
 * shown, and adds the colour / view mode test hooks.
 */
import { memo, useEffect, useState } from 'react';
import { Canvas } from '@react-three/fiber';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import { binAttributesStore, pollBinAttributes, type BinAttributesStore } from '../net/bin-attributes.ts';
import { cameraStore, type CameraStore } from '../net/camera-store.ts';
import type { FloorStore } from '../net/floor-store.ts';
import { AisleLabels } from './AisleLabels.tsx';
import { AisleMarkings } from './AisleMarkings.tsx';
import { Bins, type BinHover } from './Bins.tsx';
import { CameraRig } from './CameraRig.tsx';
import { CongestionShading } from './CongestionShading.tsx';
import type { RouteStore } from '../net/route-store.ts';
import { installFloorTestHooks } from './floor-test-hooks.ts';
import { Operatives } from './Operatives.tsx';
import { RouteOverlay } from './RouteOverlay.tsx';
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
    <Canvas camera={{ fov: 40, near: 0.5, far: 2000 }} dpr={[1, 2]} gl={{ antialias: true }}>
      <color attach="background" args={['#121822']} />
      <hemisphereLight args={['#eef3fa', '#1c222c', 1.5]} />
      <directionalLight position={[-40, 80, 60]} intensity={1.7} />
      <directionalLight position={[50, 30, -40]} intensity={0.35} />
      <CameraRig bounds={layout.bounds} depot={layout.depot} {...(camera === undefined ? {} : { camera })} />
      <SiteGround bounds={layout.bounds} depot={layout.depot} />
      <AisleMarkings segments={layout.segments} />
      <CongestionShading segments={layout.segments} store={store} />
      <AisleLabels segments={layout.segments} />
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
