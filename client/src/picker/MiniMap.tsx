/**
 * The handheld's 2D map: racks, walkways, the remaining walk, numbered stops (the next one large), the depot, and the
 * picker's live position. SVG in floor metres; the static parts re-render only when the route changes, and the
 * position dot is moved by a requestAnimationFrame loop that writes its attributes (no React state per frame).
 */
import { memo, useEffect, useMemo, useRef } from 'react';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import type { RouteView } from '../../../server/protocol/route.ts';
import type { FloorStore } from '../net/floor-store.ts';
import { mapFrame, rackFootprints, type MapFrame } from './site-map.ts';

/** Props of `MiniMap`. */
export interface MiniMapProps {
  readonly layout: LayoutView;
  readonly route: RouteView | null;
  /** Index of the next open stop in `route.stops`, -1 for none. */
  readonly nextIndex: number;
  readonly floor: FloorStore;
  readonly operativeId: string;
}

const MARGIN_M = 2;

/** `data-testid="mini-map"` for the browser test. */
export function MiniMap({ layout, route, nextIndex, floor, operativeId }: MiniMapProps) {
  const frame = useMemo(() => mapFrame(layout.bounds, MARGIN_M), [layout.bounds]);
  // Marker sizes scale with the site so they read the same on a small or a large floor.
  const unit = Math.max(frame.width, frame.height) / 60;
  return (
    <svg
      className="minimap"
      data-testid="mini-map"
      viewBox={frame.viewBox}
      preserveAspectRatio="xMidYMid meet"
      role="img"
      aria-label={route === null ? 'Site map' : `Site map with the route: ${route.stops.length} stops`}
    >
      <SiteBase layout={layout} frame={frame} unit={unit} />
      {route !== null && <RouteLayer route={route} nextIndex={nextIndex} frame={frame} unit={unit} />}
      <PickerDot floor={floor} operativeId={operativeId} frame={frame} unit={unit} />
    </svg>
  );
}

/** Racks, walkways and the depot: drawn once per layout. */
const SiteBase = memo(function SiteBase({ layout, frame, unit }: { layout: LayoutView; frame: MapFrame; unit: number }) {
  const racks = useMemo(() => rackFootprints(layout), [layout]);
  const walkways = useMemo(() => {
    const s = layout.segments;
    let d = '';
    for (let k = 0; k + 3 < s.length; k += 4) {
      d += `M${frame.mx(s[k] ?? 0).toFixed(2)} ${frame.my(s[k + 1] ?? 0).toFixed(2)}L${frame.mx(s[k + 2] ?? 0).toFixed(2)} ${frame.my(s[k + 3] ?? 0).toFixed(2)}`;
    }
    return d;
  }, [layout.segments, frame]);
  const depotSize = unit * 2.2;
  return (
    <g>
      <rect x={0} y={0} width={frame.width} height={frame.height} className="minimap__ground" />
      <path d={walkways} className="minimap__walkway" strokeWidth={1.3} />
      {racks.map((r, i) => (
        <rect
          key={i}
          className="minimap__rack"
          x={frame.mx(r.minX)}
          y={frame.my(r.maxY)}
          width={r.maxX - r.minX}
          height={r.maxY - r.minY}
        />
      ))}
      <rect
        className="minimap__depot"
        x={frame.mx(layout.depot.x) - depotSize / 2}
        y={frame.my(layout.depot.y) - depotSize / 2}
        width={depotSize}
        height={depotSize}
        rx={unit * 0.3}
      />
    </g>
  );
});

/** The walk and its stops; the next stop is drawn last so it is on top. */
function RouteLayer({ route, nextIndex, frame, unit }: { route: RouteView; nextIndex: number; frame: MapFrame; unit: number }) {
  const points = useMemo(() => {
    const p = route.path;
    const out: string[] = [];
    for (let k = 0; k + 1 < p.length; k += 2) out.push(`${frame.mx(p[k] ?? 0).toFixed(2)},${frame.my(p[k + 1] ?? 0).toFixed(2)}`);
    return out.join(' ');
  }, [route.path, frame]);
  const order = route.stops.map((_, i) => i).filter((i) => i !== nextIndex);
  if (nextIndex >= 0) order.push(nextIndex);
  return (
    <g>
      <polyline points={points} className="minimap__path-casing" strokeWidth={unit * 0.9} />
      <polyline points={points} className="minimap__path" strokeWidth={unit * 0.5} />
      {order.map((i) => {
        const stop = route.stops[i];
        if (stop === undefined) return null;
        const isNext = i === nextIndex;
        const r = unit * (isNext ? 1.9 : 1.25);
        const state = isNext ? 'next' : stop.status === 'open' ? 'open' : 'done';
        return (
          <g key={`${stop.taskId}-${i}`} className={`minimap__stop minimap__stop--${state}`}>
            <circle cx={frame.mx(stop.x)} cy={frame.my(stop.y)} r={r} />
            <text x={frame.mx(stop.x)} y={frame.my(stop.y)} fontSize={r * 1.15} dy="0.36em" textAnchor="middle">
              {i + 1}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** The picker's live position, moved every animation frame from the floor store (hidden while unknown). */
function PickerDot({ floor, operativeId, frame, unit }: { floor: FloorStore; operativeId: string; frame: MapFrame; unit: number }) {
  const dot = useRef<SVGGElement>(null);
  useEffect(() => {
    const xy = { x: 0, y: 0 };
    let handle = 0;
    const tick = (): void => {
      const g = dot.current;
      const track = floor.operative(operativeId);
      if (g !== null) {
        if (track === undefined) {
          g.setAttribute('visibility', 'hidden');
        } else {
          floor.positionAt(track, performance.now(), xy);
          g.setAttribute('visibility', 'visible');
          g.setAttribute('transform', `translate(${frame.mx(xy.x).toFixed(2)} ${frame.my(xy.y).toFixed(2)})`);
        }
      }
      handle = requestAnimationFrame(tick);
    };
    handle = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(handle);
  }, [floor, operativeId, frame]);
  return (
    <g ref={dot} visibility="hidden" className="minimap__me" data-testid="mini-map-me">
      <circle r={unit * 2.6} className="minimap__me-halo" />
      <circle r={unit * 1.2} className="minimap__me-dot" strokeWidth={unit * 0.45} />
    </g>
  );
}
