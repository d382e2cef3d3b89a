// Worker-thread entry for piscina (same approach as server/solver-pool/solver-worker.js): worker threads do not
// inherit a TypeScript loader, so register tsx, then load the TypeScript entry. Kept as tiny plain JavaScript.
import { register } from 'tsx/esm/api';

register();
const worker = await import('./simulation-worker.ts');

export default worker.default;
