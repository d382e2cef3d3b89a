/** `npm run bench`: runs every benchmark in turn; each prints its table and writes bench-results/<name>.json. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { benchRoot } from './bench-util.ts';

const benches = ['twin.bench.ts', 'store.bench.ts', 'startup.bench.ts'];
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${bench}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(benchRoot, 'benchmarks', bench)], { stdio: 'inherit', cwd: benchRoot });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
