import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'solver/**/*.test.ts', 'simulations/**/*.test.ts', 'client/**/*.test.ts'],
    exclude: ['node_modules/**', 'client/dist/**', '.data/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Medium tests share the machine's Postgres; each file uses its own schema, so files may run in parallel.
    fileParallelism: true,
    // Many files wait on Postgres, Redis or a child process most of the time: at least 3 workers, even on a 2-core
    // machine (CI), where vitest's default (cores − 1) ran the files one at a time (437 s there, 225 s with 3).
    maxWorkers: Math.max(3, availableParallelism() - 1),
    pool: 'forks',
  },
});
