/**
 * Stock activity on the 3D floor: a short-lived coloured ring above the rack column of the bin (growing, fading) and
 * a beam down to the bin, per `floor:activity` held by the activity store. Two instanced meshes sized to the store's
 * cap; the frame loop walks its slots and rewrites only while a marker shows (idle frames cost a version check).
 * Additive blending: a colour scaled toward black fades the marker out, so no per-instance opacity is needed.
 */
import { useEffect, useMemo, useRef } from 'react';
import type { InstancedMesh } from 'three';
import { AdditiveBlending, Color, CylinderGeometry, Matrix4, MeshBasicMaterial, Quaternion, RingGeometry, Vector3 } from 'three';
import { useFrame } from '@react-three/fiber';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import { ACTIVITY_KINDS, ACTIVITY_STYLE, installActivityHooks, pulseAt, type ActivityStore } from '../net/activity-store.ts';
import { markerPlaces } from './activity-marks.ts';
import { floorPoint, floorToScene, scenePoint } from './coordinates.ts';

/** Ring height above the column top, and the beam's reach above it, metres. */
const RING_LIFT_M = 0.25;
const BEAM_ABOVE_M = 3;
const HIDDEN = new Matrix4().makeScale(0, 0, 0);
const KIND_COLOURS = ACTIVITY_KINDS.map((k) => new Color(ACTIVITY_STYLE[k].hex));
/** The ring geometry lies in the XY plane: turned to lie flat (scene Y up). */
const FLAT = new Quaternion().setFromAxisAngle(new Vector3(1, 0, 0), -Math.PI / 2);
const UPRIGHT = new Quaternion();
/** A marker first drawn later than this after it arrived (the tab was hidden) is stale: not shown. */
const MAX_WAIT_MS = 10_000;

/** Props of `ActivityPulses`. */
export interface ActivityPulsesProps {
  readonly activities: ActivityStore;
  readonly layout: LayoutView;
}

export function ActivityPulses({ activities, layout }: ActivityPulsesProps) {
  const rings = useRef<InstancedMesh>(null);
  const beams = useRef<InstancedMesh>(null);
  const count = activities.capacity;
  const places = useMemo(() => markerPlaces(layout), [layout]);
  const ringGeometry = useMemo(() => new RingGeometry(1.0, 1.6, 40), []);
  const beamGeometry = useMemo(() => new CylinderGeometry(0.18, 0.18, 1, 8), []);
  const material = useMemo(() => new MeshBasicMaterial({ transparent: true, depthWrite: false, blending: AdditiveBlending, toneMapped: false }), []);
  // Scratch objects for the frame loop (no allocation per frame).
  const scratch = useMemo(
    () => ({
      matrix: new Matrix4(), colour: new Color(), at: scenePoint(), floor: floorPoint(0, 0), pos: new Vector3(), scale: new Vector3(),
      shown: new Uint8Array(count), seen: new Float64Array(count).fill(Number.NaN), version: -1,
    }),
    [count],
  );

  useEffect(() => activities.setBins(layout.ids.length), [activities, layout]);
  useEffect(() => installActivityHooks(activities), [activities]);
  useEffect(
    () => () => {
      ringGeometry.dispose();
      beamGeometry.dispose();
      material.dispose();
    },
    [ringGeometry, beamGeometry, material],
  );
  useEffect(() => {
    for (const mesh of [rings.current, beams.current]) {
      if (mesh === null) continue;
      for (let s = 0; s < count; s++) {
        mesh.setMatrixAt(s, HIDDEN);
        mesh.setColorAt(s, KIND_COLOURS[0] ?? scratch.colour);
      }
      mesh.instanceMatrix.needsUpdate = true;
      if (mesh.instanceColor) mesh.instanceColor.needsUpdate = true;
    }
    scratch.shown.fill(0);
  }, [count, scratch]);

  useFrame(() => {
    const ringMesh = rings.current;
    const beamMesh = beams.current;
    if (ringMesh === null || beamMesh === null) return;
    let anyShown = false;
    for (let s = 0; s < count; s++) anyShown ||= scratch.shown[s] === 1;
    // Nothing showing and nothing new: an idle frame.
    if (!anyShown && scratch.version === activities.version) return;
    scratch.version = activities.version;
    const now = performance.now();
    let drawn = 0;
    for (let s = 0; s < count; s++) {
      const kind = activities.kind[s] ?? -1;
      if (kind >= 0 && scratch.seen[s] !== activities.startMs[s]) {
        // First frame of this marker: its life starts now, so a slow frame (software WebGL, a busy machine) still
        // shows it whole; one that waited too long (a hidden tab) is stale and skipped.
        const waited = now - (activities.startMs[s] ?? 0);
        activities.startMs[s] = waited <= MAX_WAIT_MS ? now : -Infinity;
        scratch.seen[s] = activities.startMs[s] ?? 0;
        if (waited <= MAX_WAIT_MS) activities.drawnTotal++;
      }
      const pulse = kind < 0 ? null : pulseAt(now - (activities.startMs[s] ?? 0), activities.lifetimeMs);
      if (pulse === null) {
        if (scratch.shown[s] === 1) {
          ringMesh.setMatrixAt(s, HIDDEN);
          beamMesh.setMatrixAt(s, HIDDEN);
          scratch.shown[s] = 0;
        }
        continue;
      }
      drawn++;
      scratch.shown[s] = 1;
      const i = activities.locationIndex[s] ?? -1;
      const atDepot = i < 0;
      const x = atDepot ? places.depot.x : (places.x[i] ?? 0);
      const y = atDepot ? places.depot.y : (places.y[i] ?? 0);
      // At the depot the ring floats at head height, over the depot's own marker.
      const top = atDepot ? 1.5 : (places.top[i] ?? 0);
      const bottom = atDepot ? 0 : (places.bin[i] ?? 0);
      // Ring above the column, flat.
      scratch.floor.x = x;
      scratch.floor.y = y;
      scratch.floor.z = top + RING_LIFT_M;
      floorToScene(scratch.floor, scratch.at);
      scratch.pos.set(scratch.at.x, scratch.at.y, scratch.at.z);
      scratch.scale.set(pulse.scale, pulse.scale, 1);
      ringMesh.setMatrixAt(s, scratch.matrix.compose(scratch.pos, FLAT, scratch.scale));
      // Beam from the bin to above the ring.
      const height = top + BEAM_ABOVE_M - bottom;
      scratch.floor.z = bottom + height / 2;
      floorToScene(scratch.floor, scratch.at);
      scratch.pos.set(scratch.at.x, scratch.at.y, scratch.at.z);
      scratch.scale.set(1, height, 1);
      beamMesh.setMatrixAt(s, scratch.matrix.compose(scratch.pos, UPRIGHT, scratch.scale));
      scratch.colour.copy(KIND_COLOURS[kind] ?? scratch.colour).multiplyScalar(pulse.intensity);
      ringMesh.setColorAt(s, scratch.colour);
      beamMesh.setColorAt(s, scratch.colour);
    }
    for (const mesh of [ringMesh, beamMesh]) {
      mesh.instanceMatrix.needsUpdate = true;
      if (mesh.instanceColor) mesh.instanceColor.needsUpdate = true;
    }
    activities.drawn = drawn;
  });

  return (
    <>
      <instancedMesh ref={rings} args={[ringGeometry, material, count]} frustumCulled={false} renderOrder={3} />
      <instancedMesh ref={beams} args={[beamGeometry, material, count]} frustumCulled={false} renderOrder={3} />
    </>
  );
}
