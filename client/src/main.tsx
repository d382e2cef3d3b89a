/**
 * Browser entry: one Vite app, two views chosen by path. `/picker` is the handheld (phone-sized, no three.js);
 * anything else is the site manager's 3D floor. Each view is its own chunk, so the handheld never downloads three.
 */
const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');

/** `/picker`, `/picker/` and `/picker/anything` all open the handheld. */
const isPicker = /^\/picker(\/|$)/.test(window.location.pathname);

const start = isPicker ? import('./picker/picker-main.tsx') : import('./floor-main.tsx');
start
  .then((view) => view.mount(root))
  .catch((error: unknown) => {
    root.textContent = `Could not start: ${error instanceof Error ? error.message : String(error)}`;
  });
