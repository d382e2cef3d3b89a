/**
 * Chooses how bins are coloured (fill, ABC, pick heat with its window, replenish, client) and toggles the 2D
 * top-down view (also the `T` key). Re-renders only when the mode, the attributes or the view mode change.
 */
import { useSyncExternalStore, type CSSProperties } from 'react';
import { COLOUR_MODES, HEAT_WINDOWS_H, binAttributesStore, type BinAttributesStore } from '../net/bin-attributes.ts';
import { cameraStore, type CameraStore } from '../net/camera-store.ts';

/** Props of `ColourModeSwitch`; both stores default to the page's. */
export interface ColourModeSwitchProps {
  readonly attributes?: BinAttributesStore;
  readonly camera?: CameraStore;
}

const row: CSSProperties = { display: 'flex', flexWrap: 'wrap', gap: 6, alignItems: 'center' };
const button = (active: boolean): CSSProperties => ({
  font: 'inherit',
  minHeight: 32,
  padding: '0 10px',
  borderRadius: 6,
  border: '1px solid var(--panel-border, #334155)',
  background: active ? '#facc15' : 'transparent',
  color: active ? '#111827' : 'inherit',
  fontWeight: active ? 700 : 400,
  cursor: 'pointer',
});

/** The switch panel. */
export function ColourModeSwitch({ attributes = binAttributesStore, camera = cameraStore }: ColourModeSwitchProps) {
  const modes = useSyncExternalStore(attributes.subscribe, attributes.getSnapshot);
  const view = useSyncExternalStore(camera.subscribe, camera.getSnapshot);
  const topDown = view.viewMode === '2d';
  return (
    <section className="panel colour-modes" aria-label="Floor view" style={{ padding: '10px 12px', display: 'grid', gap: 8, maxWidth: 332, boxSizing: 'border-box' }}>
      <div role="group" aria-label="Colour bins by" style={row}>
        {COLOUR_MODES.map(({ mode, label }) => (
          <button
            key={mode}
            type="button"
            aria-pressed={modes.mode === mode}
            data-testid={`colour-mode-${mode}`}
            style={button(modes.mode === mode)}
            onClick={() => attributes.setMode(mode)}
          >
            {label}
          </button>
        ))}
      </div>
      <div style={row}>
        {modes.mode === 'heat' && (
          <label style={{ fontSize: 12 }}>
            Picks in the last{' '}
            <select value={modes.heatHours} onChange={(e) => attributes.setHeatHours(Number(e.target.value))} data-testid="heat-window">
              {HEAT_WINDOWS_H.map((h) => (
                <option key={h} value={h}>
                  {h} h
                </option>
              ))}
            </select>
          </label>
        )}
        <button
          type="button"
          aria-pressed={topDown}
          data-testid="view-toggle"
          title="Toggle the top-down plan (T)"
          style={button(topDown)}
          onClick={() => camera.toggleViewMode()}
        >
          {topDown ? 'Plan (2D) · T' : '3D · T'}
        </button>
      </div>
      {modes.mode !== 'fill' && modes.loading && <div style={{ fontSize: 12, opacity: 0.8 }}>Loading bin data…</div>}
      {modes.mode !== 'fill' && modes.error !== null && (
        <div role="status" style={{ fontSize: 12, color: 'var(--bad, #ef4444)' }}>
          Bin data not updated: {modes.error}
        </div>
      )}
    </section>
  );
}
