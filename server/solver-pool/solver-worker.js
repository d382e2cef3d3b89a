// Worker-thread entry for piscina: worker threads do not inherit a TypeScript loader, so register tsx, then load
// the solver's TypeScript entry. Kept as tiny plain JavaScript on purpose.
import { register } from 'tsx/esm/api';

register();
const solver = await import('../../solver/worker.ts');

export default solver.default;
