// `node scripts/run-parallel.js typecheck lint build:client test:unit`: runs those npm scripts at the same time (used
// by `npm test`). None needs another's output (the unit tests read no client build), and each leaves a core idle much
// of the time: tsc and the type-aware lint are one thread each, the unit tests wait on Postgres. Every line a script
// prints is passed on as it comes, prefixed with `[script]`; the end prints each script's outcome and wall time. All
// are let finish, so one run reports every failure; the exit code is 1 when any failed.
// Kept as plain JavaScript, like build-server.js: it runs before anything is built.
import { spawn } from 'node:child_process';

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  console.error('usage: node scripts/run-parallel.js <npm script>...');
  process.exit(2);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Writes each complete line of `stream` to stdout as `[name] line`; the unfinished rest when the stream ends. */
function relay(stream, name) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (text) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop() ?? '';
    if (lines.length > 0) process.stdout.write(lines.map((line) => `[${name}] ${line}\n`).join(''));
  });
  stream.on('end', () => rest !== '' && process.stdout.write(`[${name}] ${rest}\n`));
}

const runs = scripts.map(
  (name) =>
    new Promise((resolve) => {
      const started = performance.now();
      const child = spawn(npm, ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
      relay(child.stdout, name);
      relay(child.stderr, name);
      child.once('error', (error) => process.stdout.write(`[${name}] ${error.message}\n`));
      child.once('close', (code, signal) => {
        const outcome = code === 0 ? 'ok' : `FAILED (${signal ?? `exit ${code}`})`;
        resolve({ name, ok: code === 0, line: `${name}: ${outcome} in ${((performance.now() - started) / 1000).toFixed(1)} s` });
      });
    }),
);
const results = await Promise.all(runs);
process.stdout.write(`\n${results.map((r) => r.line).join('\n')}\n`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
