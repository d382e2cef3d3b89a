/** What the colours mean: bins in the chosen colour mode, and operative states. */
import { useSyncExternalStore } from 'react';
import { binAttributesStore, type BinAttributesStore } from '../net/bin-attributes.ts';
import {
  ABC_CLASSES, EMPTY_BIN_HEX, REPLENISH_HEX, REPLENISH_OK_HEX, clientHex, heatGradientCss,
} from '../floor/bin-colours.ts';
import { OVER_CAPACITY_HEX, fillGradientCss } from '../floor/fill-colour.ts';
import { ACTIVITY_COLOURS, OPERATIVE_STATES } from '../floor/Operatives.tsx';
import { ACTIVITY_KINDS, ACTIVITY_STYLE } from '../net/activity-store.ts';

const fillGradient = fillGradientCss();
const heatGradient = heatGradientCss();

/** Props of `FloorLegend`; the store defaults to the page's. */
export interface FloorLegendProps {
  readonly attributes?: BinAttributesStore;
}

function Swatch({ hex, label }: { hex: string; label: string }) {
  return (
    <div className="legend__row">
      <span className="swatch" style={{ background: hex }} /> {label}
    </div>
  );
}

/** Bottom-left legend; follows the colour mode. */
export function FloorLegend({ attributes = binAttributesStore }: FloorLegendProps) {
  const modes = useSyncExternalStore(attributes.subscribe, attributes.getSnapshot);
  const data = modes.attributes;
  return (
    <section className="panel legend" aria-label="Legend" data-testid="floor-legend" data-mode={modes.mode}>
      {modes.mode === 'fill' && (
        <>
          <div className="legend__title">Bin fill</div>
          <div className="legend__ramp" style={{ background: fillGradient }} />
          <div className="legend__scale">
            <span>Empty</span>
            <span>50%</span>
            <span>Full</span>
          </div>
          <Swatch hex={OVER_CAPACITY_HEX} label="Over capacity" />
        </>
      )}
      {modes.mode === 'abc' && (
        <>
          <div className="legend__title">Velocity class of the bin&apos;s SKU</div>
          <Swatch hex={ABC_CLASSES[0]?.hex ?? EMPTY_BIN_HEX} label="A: top 20 % of SKUs by demand" />
          <Swatch hex={ABC_CLASSES[1]?.hex ?? EMPTY_BIN_HEX} label="B: next 30 %" />
          <Swatch hex={ABC_CLASSES[2]?.hex ?? EMPTY_BIN_HEX} label="C: the rest" />
          <Swatch hex={EMPTY_BIN_HEX} label="Empty" />
        </>
      )}
      {modes.mode === 'heat' && (
        <>
          <div className="legend__title">Picks per bin, last {modes.heatHours} h</div>
          <div className="legend__ramp" style={{ background: heatGradient }} />
          <div className="legend__scale">
            <span>1</span>
            <span>{modes.maxHeat > 0 ? `${modes.maxHeat} picks` : 'no picks yet'}</span>
          </div>
          <Swatch hex={EMPTY_BIN_HEX} label="No picks" />
        </>
      )}
      {modes.mode === 'replenish' && (
        <>
          <div className="legend__title">Replenishment</div>
          <Swatch hex={REPLENISH_HEX} label="Needed: under 20 % full and still ordered" />
          <Swatch hex={REPLENISH_OK_HEX} label="Not needed" />
          {data !== null && <div className="legend__scale">{data.replenish.reduce((n, r) => n + r, 0)} bins to replenish</div>}
        </>
      )}
      {modes.mode === 'client' && (
        <>
          <div className="legend__title">Client (stock owner)</div>
          {(data?.tenants ?? []).map((t, i) => (
            <Swatch key={t.id} hex={clientHex(i)} label={t.name} />
          ))}
          <Swatch hex={EMPTY_BIN_HEX} label="Empty" />
        </>
      )}
      <div className="legend__title legend__title--gap">Operatives</div>
      <div className="legend__row">
        {OPERATIVE_STATES.map(({ activity, label }) => (
          <span key={activity} style={{ display: 'inline-flex', alignItems: 'center', gap: 6, marginRight: 8 }}>
            <span className="swatch swatch--round" style={{ background: ACTIVITY_COLOURS[activity] }} /> {label}
          </span>
        ))}
      </div>
      <div className="legend__title legend__title--gap">Stock activity (a few seconds)</div>
      <div className="legend__row" data-testid="activity-legend" style={{ flexWrap: 'wrap', rowGap: 4 }}>
        {ACTIVITY_KINDS.map((kind) => (
          <span key={kind} style={{ display: 'inline-flex', alignItems: 'center', gap: 6, marginRight: 8 }} title={ACTIVITY_STYLE[kind].label}>
            <span className="swatch swatch--round" style={{ background: ACTIVITY_STYLE[kind].hex }} /> {ACTIVITY_STYLE[kind].short}
          </span>
        ))}
      </div>
      <div className="legend__title legend__title--gap">Aisles</div>
      <Swatch hex="#f59e0b" label="2 operatives in a segment (slowing)" />
      <Swatch hex="#ef4444" label="3 or more (queueing)" />
    </section>
  );
}
