/** The sign-in page (`/signin`): the React tree and its styles. No three.js, no sockets. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { SignInApp } from './SignInApp.tsx';
import './signin.css';

/** Renders the sign-in page into `root`; `?next=` says where to return. */
export function mount(root: HTMLElement): void {
  document.title = 'Floortwin — sign in';
  const next = new URLSearchParams(window.location.search).get('next');
  createRoot(root).render(
    <StrictMode>
      <SignInApp next={next} go={(path) => window.location.replace(path)} />
    </StrictMode>,
  );
}
