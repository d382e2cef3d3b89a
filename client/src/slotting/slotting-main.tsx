/** The slotting planner page: the React tree and its styles. Never loads three.js. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { SlottingApp } from './SlottingApp.tsx';
import './slotting.css';

/** Renders the slotting planner into `root`. */
export function mount(root: HTMLElement): void {
  document.title = 'Floortwin — slotting planner';
  createRoot(root).render(
    <StrictMode>
      <SlottingApp />
    </StrictMode>,
  );
}
