/** The 3PL client portal page: the React tree and its styles. three.js loads only with the Floor tab's own chunk. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { PortalApp } from './PortalApp.tsx';
import './portal.css';

/** Renders the client portal into `root`. */
export function mount(root: HTMLElement): void {
  document.title = 'Floortwin — client portal';
  createRoot(root).render(
    <StrictMode>
      <PortalApp />
    </StrictMode>,
  );
}
