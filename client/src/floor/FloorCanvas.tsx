/**
 * The 3D floor: canvas, lights, ground, racks, markings, operatives and the selected operative's route for one site's
 * layout, and a bin tooltip.
 */
import { memo, useState } from 'react';
import { Canvas } from '@react-three/fiber';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import type { FloorStore } from '../net/floor-store.ts';
import { AisleLabels } from './AisleLabels.tsx';
import { AisleMarkings } from './AisleMarkings.tsx';
import { Bins, type BinHover } from './Bins.tsx';
import { CameraRig } from './CameraRig.tsx';
import type { RouteStore } from '../net/route-store.ts';
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
}

/** Fills its container; `data-testid="floor-canvas"` marks the container for the browser test. */
export function FloorCanvas({ store, layout, routes, onSelectOperative }: FloorCanvasProps) {
  const [hover, setHover] = useState<BinHover | null>(null);
  return (
    <div className="floor-canvas" data-testid="floor-canvas">
      <FloorScene store={store} layout={layout} routes={routes} onSelectOperative={onSelectOperative} onHover={setHover} />
      {hover !== null && <BinTooltip store={store} layout={layout} hover={hover} />}
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
}: FloorCanvasProps & { onHover: (hit: BinHover | null) => void }) {
  return (
    <Canvas camera={{ fov: 40, near: 0.5, far: 2000 }} dpr={[1, 2]} gl={{ antialias: true }}>
      <color attach="background" args={['#121822']} />
      <hemisphereLight args={['#eef3fa', '#1c222c', 1.5]} />
      <directionalLight position={[-40, 80, 60]} intensity={1.7} />
      <directionalLight position={[50, 30, -40]} intensity={0.35} />
      <CameraRig bounds={layout.bounds} depot={layout.depot} />
      <SiteGround bounds={layout.bounds} depot={layout.depot} />
      <AisleMarkings segments={layout.segments} />
      <AisleLabels segments={layout.segments} />
      <Bins key={layout.layoutId} store={store} layout={layout} onHover={onHover} />
      <Operatives store={store} onSelect={onSelectOperative} />
      <RouteOverlay routes={routes} floor={store} />
    </Canvas>
  );
});

function BinTooltip({ store, layout, hover }: { store: FloorStore; layout: LayoutView; hover: BinHover }) {
  const fill = store.fill[hover.index];
  return (
    <div className="bin-tooltip" style={{ left: hover.clientX + 14, top: hover.clientY + 14 }}>
      <div className="bin-tooltip__id">{layout.ids[hover.index] ?? `#${hover.index}`}</div>
      <div>{store.seq === null || fill === undefined ? 'fill unknown' : `${Math.round(fill)}% full`}</div>
    </div>
  );
}
