/**
 * Browser entry: one Vite app, the view chosen by path — `/signin`, `/picker` (the handheld), `/pack`, `/stock`,
 * `/slotting`, `/billing`, `/portal` (a 3PL client's), anything else the site manager's 3D floor. Each view is its
 * own chunk; only the floor views download three.js. Every page but sign-in first asks who is signed in.
 */
import { beginEarlyFloorStart, keepEarlyFloorStart } from './floor/start-floor.ts';
import { fetchLayout, fetchSites } from './net/api.ts';
import { guardPage } from './auth/session-guard.ts';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');

/**
 * One loader per view, kept apart in an object: written as a chain of conditional `import()`s (three views), the
 * minifier merged the calls, and Vite then preloaded the floor's chunks (three.js, its CSS) for every view.
 */
const views = {
  picker: () => import('./picker/picker-main.tsx'),
  pack: () => import('./pack/pack-main.tsx'),
  slotting: () => import('./slotting/slotting-main.tsx'),
  stock: () => import('./stock/stock-main.tsx'),
  signin: () => import('./auth/signin-main.tsx'),
  portal: () => import('./portal/portal-main.tsx'),
  billing: () => import('./billing/billing-main.tsx'),
  floor: () => import('./floor-main.tsx'),
} satisfies Record<string, () => Promise<{ mount(root: HTMLElement): void }>>;

/** `/picker`, `/picker/` and `/picker/anything` all open the handheld; the same for `/pack`. */
function viewOf(path: string): keyof typeof views {
  if (/^\/picker(\/|$)/.test(path)) return 'picker';
  if (/^\/pack(\/|$)/.test(path)) return 'pack';
  if (/^\/slotting(\/|$)/.test(path)) return 'slotting';
  if (/^\/stock(\/|$)/.test(path)) return 'stock';
  if (/^\/signin(\/|$)/.test(path)) return 'signin';
  if (/^\/portal(\/|$)/.test(path)) return 'portal';
  if (/^\/billing(\/|$)/.test(path)) return 'billing';
  return 'floor';
}

const view = viewOf(window.location.pathname);
// Every page but the sign-in page: who is signed in (nobody → /signin, a client on a staff page → /portal), and the
// account bar. In parallel with the page, which the server refuses anyway without a session.
if (view !== 'signin') void guardPage({ bar: view === 'floor' ? 'page' : 'above' });
if (view === 'floor') {
  // The floor's site list, layout and socket start now, while its chunk (three.js) downloads and compiles; the floor
  // view's `startFloor` takes them over. The socket's module is small and comes before that chunk.
  const wanted = new URLSearchParams(window.location.search).get('site');
  keepEarlyFloorStart(
    beginEarlyFloorStart(wanted, {
      fetchSites: () => fetchSites(),
      fetchLayout: (siteId) => fetchLayout(siteId),
      openSocket: () => import('./net/floor-socket.ts').then((socket) => socket.openFloorSocket()),
    }),
  );
}

views[view]()
  .then((view) => view.mount(root))
  .catch((error: unknown) => {
    root.textContent = `Could not start: ${error instanceof Error ? error.message : String(error)}`;
  });
