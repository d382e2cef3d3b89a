/** The stock handheld page (`/stock`): the React tree and its styles (the picker's, plus a few of its own). No three.js. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { StockApp } from './StockApp.tsx';
import '../picker/picker.css';
import './stock.css';

/** Renders the stock handheld into `root`. */
export function mount(root: HTMLElement): void {
  document.title = 'Floortwin — stock';
  createRoot(root).render(
    <StrictMode>
      <StockApp />
    </StrictMode>,
  );
}
