/** The manager's 3D floor: one floor store and one route store for the page, the test hooks over them, the React tree. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { FloorStore } from './net/floor-store.ts';
import { RouteStore } from './net/route-store.ts';
import { installTestHooks } from './test-hooks.ts';
import { installPerfHooks } from './perf-probe.ts';
import './styles.css';

/** Renders the floor view into `root`. */
export function mount(root: HTMLElement): void {
  const store = new FloorStore();
  const routes = new RouteStore();
  installTestHooks(store, routes);
  installPerfHooks(store);
  createRoot(root).render(
    <StrictMode>
      <App store={store} routes={routes} />
    </StrictMode>,
  );
}
