import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'solver/**/*.test.ts', 'simulations/**/*.test.ts', 'client/**/*.test.ts'],
    exclude: ['node_modules/**', 'client/dist/**', '.data/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Medium tests share the machine's Postgres; each file uses its own schema, so files may run in parallel.
    fileParallelism: true,
    pool: 'forks',
  },
});
