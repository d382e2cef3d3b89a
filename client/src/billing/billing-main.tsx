/** The staff billing page: the React tree and its styles. Never loads three.js. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BillingApp } from './BillingApp.tsx';
import './billing.css';

/** Renders the billing page into `root`. */
export function mount(root: HTMLElement): void {
  document.title = 'Floortwin — billing';
  createRoot(root).render(
    <StrictMode>
      <BillingApp />
    </StrictMode>,
  );
}
