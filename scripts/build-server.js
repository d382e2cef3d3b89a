// `npm run build:server`: the server as plain JavaScript in dist/, so `npm start` runs it with node and no TypeScript
// loader (issue 10, F1: restart to ready ≤ 2 s; under tsx a restart took over twice the CPU, most of it loading).
// One file out per source file of ours, never one bundle: import.meta.url keeps meaning "this file" (the piscina worker
// entries, the migrations folder), and dist/ mirrors the repository (dist/server, dist/solver, dist/simulations). Only what the
// server and its worker threads reach is built; data/ and client/ are linked, so paths from the root resolve as in the
// sources. Type checking stays with `npm run typecheck`. Kept as plain JavaScript: it runs before anything is built.
import { build } from 'esbuild';
import { cp, lstat, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist');
const started = performance.now();
const BUILD_STAMP = '.build-stamp.json';

// What runs in the built server: main, and the TypeScript entries the worker bootstraps load on their threads. The
// solver's bootstrap (solver-worker.js) is replaced by one that loads the built worker-entry.js; the simulation's
// needs none, as its built entry lands on the bootstrap's own path (simulation-worker.ts → simulation-worker.js).
const workers = { 'server/solver-pool/solver-worker.js': './worker-entry.js' };
const entries = ['server/main.ts', 'server/solver-pool/worker-entry.ts', 'simulations/experiments/simulation-worker.ts'];
// Read by path at run time, next to the module that reads them.
const assets = ['server/store/migrations', 'simulations/report/report-client.js'];
// Resolved from the root (main.ts: client/dist, data/…; DATA_DIR's default .data): linked, not copied, so the built
// server reads the same site files and the same embedded database as the sources.
const linked = ['data', 'client', '.data'];

// Packages loaded on every start that are many small files: each is bundled into one file, dist/vendor/<name>.js,
// which our modules import instead (redis is 578 files and 3× faster to load bundled; express, zod and pg 1.3–1.7×).
// Only packages nothing else in node_modules shares state with (one copy of each in the server); socket.io stays
// out (its adapter class is shared with @socket.io/redis-adapter), as do packages that read files by path (piscina).
const vendored = ['redis', 'express', 'zod', 'pg'];

const options = { absWorkingDir: root, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' };

// Pass 1: every source file the entries reach (a bundle of ours, packages left out, thrown away).
const reach = await build({ ...options, entryPoints: entries, bundle: true, packages: 'external', write: false, metafile: true, outdir: out });
const sources = Object.keys(reach.metafile.inputs).filter((file) => !file.startsWith('node_modules/'));

// Pass 2: each of them on its own, imports kept as imports with `.ts` made `.js` (bundling with every import external
// is how esbuild rewrites specifiers file by file).
const vendorPath = (importer, name) => {
  const from = path.dirname(path.join(out, path.relative(root, importer)));
  return `./${path.relative(from, path.join(out, 'vendor', `${name}.js`))}`.replace(/^\.\/\.\.\//, '../');
};
const keepImports = {
  name: 'keep-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (vendored.includes(args.path)) return { path: vendorPath(args.importer, args.path), external: true };
      return { path: args.path.replace(/\.ts$/, '.js'), external: true };
    });
  },
};
// Written over in place, never removed first: a server or test already running from dist/ keeps finding its files.
await build({ ...options, entryPoints: sources, outbase: root, outdir: out, bundle: true, plugins: [keepImports] });

// Each vendored package as one ES module with the package's own exports (CommonJS ones as Node would show them).
for (const name of vendored) {
  const exported = Object.keys(await import(name));
  const named = exported.filter((key) => key !== 'default' && /^[A-Za-z_$][\w$]*$/.test(key));
  const contents = [`export { ${named.join(', ')} } from '${name}';`, ...(exported.includes('default') ? [`export { default } from '${name}';`] : [])].join('\n');
  await build({
    ...options,
    stdin: { contents, resolveDir: root, sourcefile: `vendor/${name}.js` },
    bundle: true,
    outfile: path.join(out, 'vendor', `${name}.js`),
    // Bundled CommonJS asks `require` for Node's modules; an ES module has none of its own.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    // pg loads its optional native binding only when asked (pg.native).
    external: ['pg-native'],
  });
}

// The worker bootstraps register tsx for the sources; built, they load the JavaScript next to them. Still through a
// top-level await, as the sources do: piscina require()s the file first, and Node 20 fails a require of a module graph
// it has half loaded on the later import(); with the await, require() refuses at once and import() loads it cleanly.
for (const [bootstrap, entry] of Object.entries(workers)) {
  const text = `// Built worker entry (scripts/build-server.js): no TypeScript loader needed.\nconst worker = await import('${entry}');\n\nexport default worker.default;\n`;
  await writeFile(path.join(out, bootstrap), text);
}
for (const asset of assets) await cp(path.join(root, asset), path.join(out, asset), { recursive: true });
await mkdir(path.join(root, '.data'), { recursive: true });
for (const name of linked) {
  const link = path.join(out, name);
  if (!(await lstat(link).then(() => true, () => false))) await symlink(path.join('..', name), link);
}

// Every relative import of the output must name a file there: a miss here, not on a server's first request.
let missing = 0;
for (const file of [...sources.map((s) => s.replace(/\.ts$/, '.js')), ...Object.keys(workers)]) {
  const text = await readFile(path.join(out, file), 'utf8');
  for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    if (!existsSync(path.resolve(path.dirname(path.join(out, file)), spec))) {
      console.error(`build:server: ${file} imports ${spec}, which is not in dist/`);
      missing++;
    }
  }
}
if (missing > 0) process.exit(1);
// When this build was made and from how many modules: server/testing/server-process.ts rebuilds when a source is newer.
await writeFile(path.join(out, BUILD_STAMP), `${JSON.stringify({ builtAt: new Date().toISOString(), modules: sources.length })}\n`);
console.log(`build:server: ${sources.length} modules into dist/ in ${Math.round(performance.now() - started)} ms`);
