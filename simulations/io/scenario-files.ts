/**
 * Scenario files on disk: reads a `data/scenarios/*.json`, validates it (`parseScenario`), loads the site and snapshot
 * files it names (paths relative to the repository root) and resolves its start state.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { loadSiteFiles } from '../../server/site/site-loader.ts';
import type { TwinSnapshotData } from '../../server/twin/twin.ts';
import { resolveScenario, type LoadedScenarioFiles, type ResolvedScenario } from '../scenario/resolve.ts';
import type { Scenario } from '../scenario/types.ts';
import { formatIssuePath, parseScenario } from './parse-scenario.ts';

/** The repository root: scenario files name their site and snapshot files relative to it. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A scenario file that cannot be used, with one message per problem (each naming the field). */
export class ScenarioFileError extends Error {
  constructor(
    readonly file: string,
    readonly errors: readonly string[],
  ) {
    super(`${file}: ${errors.join('; ')}`);
    this.name = 'ScenarioFileError';
  }
}

export interface ScenarioFileOptions {
  /** Folder the site and snapshot paths are relative to; default the repository root. */
  readonly root?: string;
}

/** Reads, validates and resolves the scenario file `file` (relative to the working directory, or absolute). */
export async function loadScenarioFile(file: string, options: ScenarioFileOptions = {}): Promise<ResolvedScenario> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new ScenarioFileError(file, [`cannot read the file (${(error as Error).message})`]);
  });
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ScenarioFileError(file, [`not valid JSON (${(error as Error).message})`]);
  }
  const parsed = parseScenario(json);
  if (!parsed.ok) throw new ScenarioFileError(file, parsed.errors);
  return resolveScenarioFiles(parsed.scenario, { ...options, source: file });
}

/** Loads the files a parsed scenario names and resolves it (what a worker does with a scenario it was sent). */
export async function resolveScenarioFiles(
  scenario: Scenario,
  options: ScenarioFileOptions & { readonly source?: string } = {},
): Promise<ResolvedScenario> {
  const source = options.source ?? scenario.name;
  const loaded = await loadReferencedFiles(scenario, options.root ?? REPO_ROOT, source);
  let resolved: ResolvedScenario;
  try {
    resolved = resolveScenario(scenario, loaded);
  } catch (error) {
    throw new ScenarioFileError(source, [(error as Error).message]);
  }
  // A snapshot file names its site (`GET …/snapshot` writes siteId first): restoring it on another site is a mistake.
  const snapshotSite = (loaded.snapshot as { readonly siteId?: string } | undefined)?.siteId;
  if (snapshotSite !== undefined && snapshotSite !== resolved.site.id) {
    throw new ScenarioFileError(source, [`start.path: the snapshot is of site '${snapshotSite}', the scenario's site is '${resolved.site.id}'`]);
  }
  return resolved;
}

/** `relative` resolved against `root`; a path that leaves `root` is refused (a scenario may come from a request). */
function inside(root: string, relative: string, field: string, source: string): string {
  const file = path.resolve(root, relative);
  const rel = path.relative(root, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new ScenarioFileError(source, [`${field}: '${relative}' must be a file inside ${root}`]);
  }
  return file;
}

async function loadReferencedFiles(scenario: Scenario, root: string, source: string): Promise<LoadedScenarioFiles> {
  let loaded: LoadedScenarioFiles = {};
  if (scenario.site.kind === 'file') {
    const sitePath = scenario.site.path;
    const siteFiles = await loadSiteFiles(inside(root, sitePath, 'site.path', source)).catch((error: unknown) => {
      throw new ScenarioFileError(source, [`site.path: ${(error as Error).message}`]);
    });
    loaded = { site: siteFiles.site, initialStock: siteFiles.initialStock };
  }
  if (scenario.start.kind === 'snapshot') {
    const snapshotPath = scenario.start.path;
    const text = await readFile(inside(root, snapshotPath, 'start.path', source), 'utf8').catch((error: unknown) => {
      throw new ScenarioFileError(source, [`start.path: cannot read '${snapshotPath}' (${(error as Error).message})`]);
    });
    loaded = { ...loaded, snapshot: parseSnapshotFile(text, source, snapshotPath) };
  }
  return loaded;
}

/** The fields `fromSnapshotData` relies on; the rest of each entry is the twin's own data, kept as written. */
const snapshotShape = z.looseObject({
  siteId: z.string().optional(),
  seq: z.number().int().nonnegative(),
  now: z.number(),
  quants: z.array(z.looseObject({ key: z.string(), locationId: z.string(), skuId: z.string(), onHand: z.number(), reserved: z.number() })),
  orders: z.array(z.looseObject({ id: z.string(), tenantId: z.string(), status: z.string(), lines: z.array(z.looseObject({ skuId: z.string(), qty: z.number() })) })),
  tasks: z.array(z.looseObject({ id: z.string(), orderId: z.string(), status: z.string() })),
  operatives: z.array(z.looseObject({ id: z.string(), position: z.looseObject({ x: z.number(), y: z.number() }) })),
  counters: z.looseObject({}),
  releaseQueue: z.array(z.string()),
  recentPickTimes: z.array(z.number()),
});

function parseSnapshotFile(text: string, source: string, snapshotPath: string): TwinSnapshotData {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ScenarioFileError(source, [`start.path: '${snapshotPath}' is not valid JSON (${(error as Error).message})`]);
  }
  const result = snapshotShape.safeParse(json);
  if (!result.success) {
    throw new ScenarioFileError(
      source,
      result.error.issues.slice(0, 10).map((issue) => `start.path: '${snapshotPath}' ${formatIssuePath(issue.path)}: ${issue.message}`),
    );
  }
  // Checked above for the fields the restore reads; the file is the twin's own snapshot (`GET …/snapshot`).
  return json as TwinSnapshotData;
}
