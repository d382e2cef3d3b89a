/**
 * `npm run bench [-- NAME…]`: runs the named benchmarks (all when none is named) in turn; each prints its table and
 * writes bench/results/<name>.json. A name is a file benchmarks/<name>.bench.ts (e.g. `npm run bench -- routing`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { benchRoot } from './bench-util.ts';

const all = readdirSync(path.join(benchRoot, 'benchmarks')).filter((f) => f.endsWith('.bench.ts')).map((f) => f.slice(0, -'.bench.ts'.length)).sort();
const asked = process.argv.slice(2).map((a) => a.replace(/\.bench\.ts$/, ''));
const unknown = asked.filter((a) => !all.includes(a));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')} (known: ${all.join(', ')})`);
  process.exit(2);
}
let failed = 0;
for (const name of asked.length > 0 ? asked : all) {
  const bench = `${name}.bench.ts`;
  console.log(`\n=== ${bench}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(benchRoot, 'benchmarks', bench)], { stdio: 'inherit', cwd: benchRoot });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
