/** The 3D floor: canvas, lights, ground, racks, markings and operatives for one site's layout. */
import { Canvas } from '@react-three/fiber';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import type { FloorStore } from '../net/floor-store.ts';
import { AisleMarkings } from './AisleMarkings.tsx';
import { Bins } from './Bins.tsx';
import { CameraRig } from './CameraRig.tsx';
import { Operatives } from './Operatives.tsx';
import { SiteGround } from './SiteGround.tsx';

/** Props of `FloorCanvas`. */
export interface FloorCanvasProps {
  readonly store: FloorStore;
  readonly layout: LayoutView;
}

/** Fills its container; `data-testid="floor-canvas"` marks the container for the browser test. */
export function FloorCanvas({ store, layout }: FloorCanvasProps) {
  return (
    <div className="floor-canvas" data-testid="floor-canvas">
      <Canvas camera={{ fov: 40, near: 0.5, far: 2000 }} dpr={[1, 2]} gl={{ antialias: true }}>
        <color attach="background" args={['#121822']} />
        <hemisphereLight args={['#eef3fa', '#1c222c', 1.5]} />
        <directionalLight position={[-40, 80, 60]} intensity={1.7} />
        <directionalLight position={[50, 30, -40]} intensity={0.35} />
        <CameraRig bounds={layout.bounds} depot={layout.depot} />
        <SiteGround bounds={layout.bounds} depot={layout.depot} />
        <AisleMarkings segments={layout.segments} />
        <Bins key={layout.layoutId} store={store} layout={layout} />
        <Operatives store={store} />
      </Canvas>
    </div>
  );
}
