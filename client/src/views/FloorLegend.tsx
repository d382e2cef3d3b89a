/** What the colours mean: bin fill ramp and operative activity. */
import { OVER_CAPACITY_HEX, fillGradientCss } from '../floor/fill-colour.ts';
import { ACTIVITY_COLOURS } from '../floor/Operatives.tsx';

const gradient = fillGradientCss();

/** Bottom-left legend. */
export function FloorLegend() {
  return (
    <section className="panel legend" aria-label="Legend">
      <div className="legend__title">Bin fill</div>
      <div className="legend__ramp" style={{ background: gradient }} />
      <div className="legend__scale">
        <span>Empty</span>
        <span>50%</span>
        <span>Full</span>
      </div>
      <div className="legend__row">
        <span className="swatch" style={{ background: OVER_CAPACITY_HEX }} /> Over capacity
      </div>
      <div className="legend__title legend__title--gap">Operatives</div>
      <div className="legend__row">
        <span className="swatch swatch--round" style={{ background: ACTIVITY_COLOURS.walking }} /> Walking
        <span className="swatch swatch--round" style={{ background: ACTIVITY_COLOURS.picking }} /> Picking
        <span className="swatch swatch--round" style={{ background: ACTIVITY_COLOURS.idle }} /> Idle
      </div>
    </section>
  );
}
