/**
 * `npm run test:e2e`: the end-to-end (`*.e2e.test.ts`) and browser (`*.browser.test.ts`) files against real server
 * processes. client/e2e/e2e-setup.ts starts one Chromium and the shared demo-shift server first; files that change
 * state start their own server. Files run one at a time (software WebGL needs the CPU; see client/e2e/browser-kit.ts).
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// Servers start from the build, as `npm start` and the Docker image run them (dist/, rebuilt first when a source is
// newer: server/testing/server-process.ts): a start under tsx costs about twice the CPU, most of it loading, and these
// files start some twenty. FLOORTWIN_SERVER_BUILT=0 runs the sources instead. Set before the workers are forked, so
// they and the global set-up's shared server see it.
process.env['FLOORTWIN_SERVER_BUILT'] ??= '1';

export default defineConfig({
  test: {
    ...base.test,
    // Every *.e2e.test.ts and *.browser.test.ts under the unit run's roots (test:unit excludes exactly these).
    include: base.test!.include!.map((glob) => glob.replace(/\*\.test\.ts$/, '*.{e2e,browser}.test.ts')),
    globalSetup: ['client/e2e/e2e-setup.ts'],
    fileParallelism: false,
    // One worker runs the files one after another and keeps the modules it loaded (playwright, the server's code):
    // each file re-runs, but its imports are not loaded again. Files keep no state in shared modules.
    isolate: false,
  },
});
