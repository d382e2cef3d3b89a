/** Reads what every report inlines (uPlot's browser build and CSS, the drawing script) and writes report files. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExperimentResult } from '../experiments/experiment.ts';
import type { SimulationResult } from '../model/result.ts';
import { renderReport } from './render-report.ts';
import type { ReportAssets } from './render-report.ts';

const require = createRequire(import.meta.url);
const CLIENT_SCRIPT = fileURLToPath(new URL('./report-client.js', import.meta.url));

let cached: Promise<ReportAssets> | undefined;

/** The report assets, read once per process. */
export function loadReportAssets(): Promise<ReportAssets> {
  cached ??= (async () => {
    const uplotDist = path.dirname(require.resolve('uplot'));
    const [uplotJs, uplotCss, clientJs] = await Promise.all([
      readFile(path.join(uplotDist, 'uPlot.iife.min.js'), 'utf8'),
      readFile(path.join(uplotDist, 'uPlot.min.css'), 'utf8'),
      readFile(CLIENT_SCRIPT, 'utf8'),
    ]);
    return { uplotJs, uplotCss, clientJs };
  })();
  // A failed read is not cached: the next call tries again.
  cached.catch(() => { cached = undefined; });
  return cached;
}

/** Renders `result` and writes it to `file` (creating its folder). */
export async function writeReport(file: string, result: SimulationResult | ExperimentResult): Promise<void> {
  const html = renderReport(result, await loadReportAssets());
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, html, 'utf8');
}
