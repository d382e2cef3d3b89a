/** Orbit / pan / zoom around the site with three's OrbitControls, starting from a framing of the site's bounds. */
import { useEffect, useRef } from 'react';
import { useFrame, useThree } from '@react-three/fiber';
import { MOUSE, PerspectiveCamera } from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import { frameSite, viewBounds } from './framing.ts';

/** Props of `CameraRig`. */
export interface CameraRigProps {
  readonly bounds: LayoutView['bounds'];
  readonly depot: LayoutView['depot'];
}

/** Installs the controls; double-click returns to the default view. */
export function CameraRig({ bounds, depot }: CameraRigProps) {
  const camera = useThree((s) => s.camera);
  const domElement = useThree((s) => s.gl.domElement);
  const controlsRef = useRef<OrbitControls | null>(null);

  useEffect(() => {
    const controls = new OrbitControls(camera, domElement);
    controls.enableDamping = true;
    controls.dampingFactor = 0.12;
    controls.screenSpacePanning = false;
    controls.maxPolarAngle = Math.PI * 0.47;
    controls.mouseButtons = { LEFT: MOUSE.ROTATE, MIDDLE: MOUSE.DOLLY, RIGHT: MOUSE.PAN };

    const reset = (): void => {
      const rect = domElement.getBoundingClientRect();
      const aspect = rect.height > 0 ? rect.width / rect.height : 16 / 9;
      const fov = camera instanceof PerspectiveCamera ? camera.fov : 40;
      const frame = frameSite(viewBounds(bounds, depot), fov, aspect);
      camera.position.set(frame.position.x, frame.position.y, frame.position.z);
      controls.target.set(frame.target.x, frame.target.y, frame.target.z);
      controls.minDistance = 3;
      controls.maxDistance = frame.distance * 3;
      if (camera instanceof PerspectiveCamera) {
        camera.near = Math.max(0.1, frame.distance / 500);
        camera.far = frame.distance * 8;
        camera.updateProjectionMatrix();
      }
      controls.update();
    };
    reset();
    domElement.addEventListener('dblclick', reset);
    controlsRef.current = controls;
    return () => {
      domElement.removeEventListener('dblclick', reset);
      controls.dispose();
      controlsRef.current = null;
    };
  }, [camera, domElement, bounds, depot]);

  useFrame(() => {
    controlsRef.current?.update();
  });
  return null;
}
