/** The floor slab under the site and the depot (where every route starts and ends), with its label. */
import { useEffect, useMemo } from 'react';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import { floorPoint, floorToScene } from './coordinates.ts';
import { makeLabelTexture } from './label-texture.ts';

const MARGIN_M = 4;
const DEPOT_ACCENT = '#2dd4bf';

/** Props of `SiteGround`. */
export interface SiteGroundProps {
  readonly bounds: LayoutView['bounds'];
  readonly depot: LayoutView['depot'];
}

/** Ground slab and depot marker. */
export function SiteGround({ bounds, depot }: SiteGroundProps) {
  const width = bounds.maxX - bounds.minX + 2 * MARGIN_M;
  const length = bounds.maxY - bounds.minY + 2 * MARGIN_M;
  const centre = floorToScene(floorPoint((bounds.minX + bounds.maxX) / 2, (bounds.minY + bounds.maxY) / 2, -0.05));
  const depotAt = floorToScene(floorPoint(depot.x, depot.y, 0));
  const label = useMemo(() => makeLabelTexture('DEPOT', DEPOT_ACCENT), []);
  useEffect(() => () => label.texture.dispose(), [label]);
  const labelHeight = 1.1;

  return (
    <group>
      <mesh position={[centre.x, centre.y, centre.z]}>
        <boxGeometry args={[width, 0.1, length]} />
        <meshLambertMaterial color="#242b37" />
      </mesh>
      <group position={[depotAt.x, depotAt.y, depotAt.z]}>
        <mesh position={[0, 0.02, 0]}>
          <boxGeometry args={[3.2, 0.04, 2.4]} />
          <meshLambertMaterial color={DEPOT_ACCENT} emissive="#0b3d38" />
        </mesh>
        <mesh position={[0, 0.6, 0]}>
          <cylinderGeometry args={[0.08, 0.08, 1.2, 12]} />
          <meshLambertMaterial color="#dfe7ef" />
        </mesh>
        <sprite position={[0, 1.2 + labelHeight / 2 + 0.2, 0]} scale={[labelHeight * label.aspect, labelHeight, 1]}>
          <spriteMaterial map={label.texture} transparent depthWrite={false} />
        </sprite>
      </group>
    </group>
  );
}
