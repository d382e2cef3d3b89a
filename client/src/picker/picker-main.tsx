/**
 * The handheld: one socket (route feed + picking), a floor store (for the picker's live position), a route store, the
 * picking session with its scan queue in localStorage, the test hooks, the React tree.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { FloorStore } from '../net/floor-store.ts';
import { RouteStore } from '../net/route-store.ts';
import { installPickerHooks } from './picker-hooks.ts';
import { PickerSession, randomId, type KeyValueStorage } from './picker-session.ts';
import { PickingClient, openPickerSocket } from './picking-socket.ts';
import { PickerApp } from './PickerApp.tsx';
import './picker.css';

/** localStorage, or null where it is disabled (private mode): the handheld then keeps its queue in memory only. */
function deviceStorage(): KeyValueStorage | null {
  try {
    const storage = window.localStorage;
    storage.getItem('floortwin.picker.device');
    return storage;
  } catch {
    return null;
  }
}

/** Renders the handheld view into `root`. */
export function mount(root: HTMLElement): void {
  const floor = new FloorStore();
  const routes = new RouteStore();
  const socket = openPickerSocket();
  const session = new PickerSession({ client: new PickingClient(socket), storage: deviceStorage(), newId: randomId });
  installPickerHooks(routes, session);
  document.title = 'Floortwin — picker';
  createRoot(root).render(
    <StrictMode>
      <PickerApp floor={floor} routes={routes} session={session} socket={socket} />
    </StrictMode>,
  );
}
