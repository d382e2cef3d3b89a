/** Aisle numbers in front of each aisle, as sprites that face the camera. */
import { useEffect, useMemo } from 'react';
import { aisleLabels } from './aisle-labels.ts';
import { floorPoint, floorToScene } from './coordinates.ts';
import { makeLabelTexture } from './label-texture.ts';

const LABEL_HEIGHT_M = 1.0;

/** Props of `AisleLabels`. */
export interface AisleLabelsProps {
  readonly segments: readonly number[];
}

/** One label per aisle. */
export function AisleLabels({ segments }: AisleLabelsProps) {
  const labels = useMemo(
    () =>
      aisleLabels(segments).map((label) => ({
        ...label,
        at: floorToScene(floorPoint(label.x, label.y, LABEL_HEIGHT_M / 2 + 0.1)),
        ...makeLabelTexture(label.text, '#64748b'),
      })),
    [segments],
  );
  useEffect(() => () => labels.forEach((l) => l.texture.dispose()), [labels]);
  return (
    <group>
      {labels.map((l) => (
        <sprite key={l.text} position={[l.at.x, l.at.y, l.at.z]} scale={[LABEL_HEIGHT_M * l.aspect, LABEL_HEIGHT_M, 1]}>
          <spriteMaterial map={l.texture} transparent depthWrite={false} />
        </sprite>
      ))}
    </group>
  );
}
