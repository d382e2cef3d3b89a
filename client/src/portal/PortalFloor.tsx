/**
 * The client's read-only 3D floor: the site's racks drawn by the floor's own components (Bins, CameraRig, SiteGround,
 * AisleMarkings), coloured by the client mode with only this client's bins lit (from `GET …/portal/…/floor`). No live
 * socket, no operatives, no other client's data. Its own chunk (it loads three.js), imported only when the Floor tab
 * opens. A list of the lit bins beside the canvas is the keyboard way in: choosing one selects the bin and flies there.
 */
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { Canvas } from '@react-three/fiber';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import { AisleMarkings } from '../floor/AisleMarkings.tsx';
import { Bins } from '../floor/Bins.tsx';
import { CameraRig } from '../floor/CameraRig.tsx';
import { SiteGround } from '../floor/SiteGround.tsx';
import { clientHex, EMPTY_BIN_HEX } from '../floor/bin-colours.ts';
import { floorProbe } from '../floor/floor-test-hooks.ts';
import { BinAttributesStore } from '../net/bin-attributes.ts';
import { CameraStore } from '../net/camera-store.ts';
import { FloorStore } from '../net/floor-store.ts';
import { fetchFloor, fetchPortalLayout, type PortalFloorView } from './portal-api.ts';
import { formatUnits, litCount, portalBinAttributes } from './portal-model.ts';

/** `window.__floortwinPortal`, for the browser test: what the API said and what the canvas drew. */
export interface PortalFloorTestHooks {
  /** Bins the floor answer listed (−1 until it arrived). */
  readonly apiCount: number;
  /** True once the bins show the client colours for the current answer. */
  readonly drawn: boolean;
  /** Bins whose drawn colour is the lit colour. */
  litDrawn(): number;
}

declare global {
  interface Window {
    __floortwinPortal?: PortalFloorTestHooks;
  }
}

/** The colour of a lit bin (the client is tenant 0 of the view). */
export const LIT_HEX = clientHex(0);

export interface PortalFloorProps {
  readonly siteId: string;
  readonly tenant: { readonly id: string; readonly name: string };
}

export default function PortalFloor({ siteId, tenant }: PortalFloorProps) {
  const store = useMemo(() => new FloorStore(), []);
  const attributes = useMemo(() => {
    const a = new BinAttributesStore();
    a.setMode('client');
    return a;
  }, []);
  const camera = useMemo(() => new CameraStore(), []);
  const [layout, setLayout] = useState<LayoutView | null>(null);
  const [floor, setFloor] = useState<PortalFloorView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const viewMode = useSyncExternalStore(camera.subscribe, () => camera.viewMode);
  const selected = useSyncExternalStore(camera.subscribe, () => camera.selectedLocation);

  useEffect(() => {
    const abort = new AbortController();
    Promise.all([fetchPortalLayout<LayoutView>(siteId, abort.signal), fetchFloor(siteId, abort.signal)])
      .then(([l, f]) => {
        store.setLayout(l);
        attributes.applyAttributes(portalBinAttributes(l, f, tenant, attributes.heatHours));
        setLayout(l);
        setFloor(f);
      })
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      });
    return () => abort.abort();
  }, [siteId, tenant, store, attributes]);

  useEffect(() => {
    const hooks: PortalFloorTestHooks = {
      get apiCount() {
        return floor?.count ?? -1;
      },
      get drawn() {
        return floorProbe.drawnMode === 'client' && floorProbe.drawnVersion === attributes.version && attributes.attributes !== null;
      },
      litDrawn() {
        const n = layout?.ids.length ?? 0;
        let lit = 0;
        for (let i = 0; i < n; i++) if (floorProbe.binColour?.(i) === LIT_HEX) lit++;
        return lit;
      },
    };
    window.__floortwinPortal = hooks;
    return () => {
      if (window.__floortwinPortal === hooks) delete window.__floortwinPortal;
    };
  }, [floor, layout, attributes]);

  const flyTo = (bin: { locationId: string; index: number }): void => {
    camera.selectLocation(bin.locationId);
    const x = layout?.x[bin.index];
    const y = layout?.y[bin.index];
    if (x !== undefined && y !== undefined) camera.flyTo(x, y);
  };

  if (error !== null) return <p role="alert" className="portal__error">Could not load the floor: {error}</p>;
  if (layout === null || floor === null) return <p role="status">Loading the floor…</p>;
  const lit = litCount(attributes.attributes ?? { tenant: [] });
  return (
    <div className="portal-floor">
      <div className="portal-floor__canvas" data-testid="portal-floor-canvas" aria-label={`3D floor: ${lit} bins holding your stock are lit`} role="img">
        <Canvas camera={{ fov: 40, near: 0.5, far: 2000 }} dpr={[1, 2]} gl={{ antialias: true }}>
          <color attach="background" args={['#121822']} />
          <hemisphereLight args={['#eef3fa', '#1c222c', 1.5]} />
          <directionalLight position={[-40, 80, 60]} intensity={1.7} />
          <directionalLight position={[50, 30, -40]} intensity={0.35} />
          <CameraRig bounds={layout.bounds} depot={layout.depot} camera={camera} />
          <SiteGround bounds={layout.bounds} depot={layout.depot} />
          <AisleMarkings segments={layout.segments} />
          <Bins key={layout.layoutId} store={store} layout={layout} attributes={attributes} camera={camera} />
        </Canvas>
      </div>
      <aside className="portal-floor__side" aria-label="Your bins">
        <p className="portal-floor__legend">
          <span className="swatch" style={{ background: LIT_HEX }} aria-hidden="true" /> your stock ({formatUnits(floor.count)} bins, {formatUnits(floor.units)} units)
          <br />
          <span className="swatch" style={{ background: EMPTY_BIN_HEX }} aria-hidden="true" /> other bins
        </p>
        <button type="button" onClick={() => camera.toggleViewMode()} aria-pressed={viewMode === '2d'}>
          {viewMode === '2d' ? '3D view' : 'Plan view'}
        </button>
        {floor.offFloor.length > 0 && (
          <p className="portal__muted">
            Not on the racks yet: {floor.offFloor.map((o) => `${formatUnits(o.units)} units at the ${o.locationClass === 'dock' ? 'goods-in dock' : 'returns desk'}`).join(', ')}.
          </p>
        )}
        <label htmlFor="portal-bin-list">Fly to a bin</label>
        <select
          id="portal-bin-list"
          size={12}
          value={selected ?? ''}
          onChange={(e) => {
            const bin = floor.bins.find((b) => b.locationId === e.target.value);
            if (bin !== undefined) flyTo(bin);
          }}
        >
          {floor.bins.map((bin) => (
            <option key={bin.locationId} value={bin.locationId}>
              {bin.locationId} — {formatUnits(bin.units)} units
            </option>
          ))}
        </select>
      </aside>
    </div>
  );
}
