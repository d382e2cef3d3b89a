/** The pack station page: the React tree and its styles. Never loads three.js. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { PackApp } from './PackApp.tsx';
import './pack.css';

/** Renders the pack station into `root`. */
export function mount(root: HTMLElement): void {
  document.title = 'Floortwin — pack station';
  createRoot(root).render(
    <StrictMode>
      <PackApp />
    </StrictMode>,
  );
}
