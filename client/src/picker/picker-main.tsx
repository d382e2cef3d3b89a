/** The handheld: a floor store (for the picker's live position), a route store, the test hooks, the React tree. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { FloorStore } from '../net/floor-store.ts';
import { RouteStore } from '../net/route-store.ts';
import { installPickerHooks } from './picker-hooks.ts';
import { PickerApp } from './PickerApp.tsx';
import './picker.css';

/** Renders the handheld view into `root`. */
export function mount(root: HTMLElement): void {
  const floor = new FloorStore();
  const routes = new RouteStore();
  installPickerHooks(routes);
  document.title = 'Floortwin — picker';
  createRoot(root).render(
    <StrictMode>
      <PickerApp floor={floor} routes={routes} />
    </StrictMode>,
  );
}
