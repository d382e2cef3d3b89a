/** Browser entry: one store for the page, the test hooks over it, and the React tree. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { FloorStore } from './net/floor-store.ts';
import { installTestHooks } from './test-hooks.ts';
import './styles.css';

const store = new FloorStore();
installTestHooks(store);

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App store={store} />
  </StrictMode>,
);
