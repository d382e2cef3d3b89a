// Worker-thread entry for piscina: worker threads do not inherit a TypeScript loader, so register tsx, then load
// the solver's TypeScript entry (worker-entry.ts: solver/worker.ts with its adapters). Kept as tiny plain JavaScript.
import { register } from 'tsx/esm/api';

register();
const solver = await import('./worker-entry.ts');

export default solver.default;
