/**
 * Turns a scenario into what a run needs: the site and the twin state at the start. Pure: files are read by the io
 * layer (`io/scenario-files.ts`) and passed in as `loaded`; the demo and generated sites are generated here.
 */
import type { ReceiveStock } from '../../server/twin/commands.ts';
import { epochMs, type EpochMs } from '../../server/twin/ids.ts';
import { DEMO_SITE_PARAMS, DEMO_SITE_SEED } from '../../server/twin/layout/demo-site.ts';
import { generateSite } from '../../server/twin/layout/generator.ts';
import type { SiteDefinition } from '../../server/twin/site.ts';
import type { TwinState } from '../../server/twin/state.ts';
import { applyEvents, createTwinState, decide, fromSnapshotData, type TwinSnapshotData } from '../../server/twin/twin.ts';
import type { Scenario } from './types.ts';

/** A scenario with its site and start state (what `runScenario` takes). */
export interface ResolvedScenario {
  readonly scenario: Scenario;
  readonly site: SiteDefinition;
  readonly state: TwinState;
}

/** What the io layer read for a scenario: the site (and its initial stock) of a `file` site, a `snapshot` start. */
export interface LoadedScenarioFiles {
  readonly site?: SiteDefinition;
  /** The site file's initial stock, for `demo-stock` on a `file` site. */
  readonly initialStock?: readonly ReceiveStock[];
  readonly snapshot?: TwinSnapshotData;
}

/**
 * Resolves `scenario` to its site and start state. Throws an Error naming the scenario field when something it needs
 * is missing (a `file` site without `loaded.site`, a `snapshot` start without `loaded.snapshot`) or does not apply.
 */
export function resolveScenario(scenario: Scenario, loaded: LoadedScenarioFiles = {}): ResolvedScenario {
  const startAt = epochMs(Date.parse(scenario.startAt));
  if (!Number.isFinite(startAt)) throw new Error(`startAt: expected an ISO 8601 UTC time, got '${scenario.startAt}'`);
  const { site, initialStock } = resolveSite(scenario, loaded);
  const state = resolveStart(scenario, site, initialStock, loaded, startAt);
  return { scenario, site, state };
}

function resolveSite(scenario: Scenario, loaded: LoadedScenarioFiles): { site: SiteDefinition; initialStock: readonly ReceiveStock[] } {
  const spec = scenario.site;
  switch (spec.kind) {
    case 'demo':
      return generateSite(DEMO_SITE_PARAMS, DEMO_SITE_SEED);
    case 'generated':
      return generateSite(spec.params, spec.seed);
    case 'file':
      if (loaded.site === undefined) throw new Error(`site.path: the site file '${spec.path}' was not loaded`);
      return { site: loaded.site, initialStock: loaded.initialStock ?? [] };
    case 'definition':
      return { site: spec.definition, initialStock: [] };
  }
}

function resolveStart(
  scenario: Scenario,
  site: SiteDefinition,
  initialStock: readonly ReceiveStock[],
  loaded: LoadedScenarioFiles,
  startAt: EpochMs,
): TwinState {
  const spec = scenario.start;
  switch (spec.kind) {
    case 'empty':
      return createTwinState(site, startAt);
    case 'demo-stock': {
      if (scenario.site.kind === 'definition') throw new Error(`start.kind: 'demo-stock' needs a demo, generated or file site`);
      const state = createTwinState(site, startAt);
      for (const command of initialStock) {
        const decision = decide(state, command, { now: startAt });
        if (!decision.ok) throw new Error(`start: the site's initial stock was refused (${decision.error.code}: ${decision.error.message})`);
        applyEvents(state, decision.events);
      }
      return state;
    }
    case 'snapshot':
      if (loaded.snapshot === undefined) throw new Error(`start.path: the snapshot file '${spec.path}' was not loaded`);
      return fromSnapshotData(site, loaded.snapshot);
    case 'state':
      return fromSnapshotData(site, spec.snapshot);
  }
}
