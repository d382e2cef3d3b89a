/**
 * `route --layout L.json --picks P.json [--method NAME]` (../shared/spec/rack-aisle-layout.md): plans each pick list
 * and prints one JSON document. Bad input: a one-line error on stderr, nothing on stdout, non-zero exit.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { LocationId } from '../twin/ids.ts';
import { parseLayoutDocument } from '../twin/layout/floortwin-layout.ts';
import type { Layout } from '../twin/layout/types.ts';
import { ROUTE_METHODS, findLocation, isRouteError, isRouteMethod, planRoute } from '../../solver/routing/plan-route.ts';
import type { RouteMethod } from '../../solver/routing/plan-route.ts';

/** Where a command writes; the CLI passes the process streams, tests may pass buffers. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Exit codes: 0 done, 1 bad input (files, locations), 2 bad usage (flags). */
export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 1;
export const EXIT_USAGE = 2;

export const ROUTE_USAGE = `usage: route --layout LAYOUT.json --picks PICKS.json [--method ${ROUTE_METHODS.join('|')}]`;

class InputError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_BAD_INPUT) {
    super(message);
  }
}

/** Flags as `--name value` or `--name=value`; each of `allowed` at most once. */
export function parseFlags(args: readonly string[], allowed: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new InputError(`unexpected argument ${JSON.stringify(arg)}`, EXIT_USAGE);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (!allowed.includes(name)) throw new InputError(`unknown flag --${name}`, EXIT_USAGE);
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = args[i + 1];
      i++;
    }
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) {
      throw new InputError(`flag --${name} needs a value`, EXIT_USAGE);
    }
    if (flags.has(name)) throw new InputError(`flag --${name} given twice`, EXIT_USAGE);
    flags.set(name, value);
  }
  return flags;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code ?? (e as Error).message;
    throw new InputError(`cannot read ${what} file ${JSON.stringify(path)} (${code})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new InputError(`${what} file ${JSON.stringify(path)} is not valid JSON: ${(e as Error).message}`);
  }
}

interface PickList {
  readonly id: string | number;
  readonly locations: readonly LocationId[];
}

/** Validates a picks document `{ "pickLists": [ { "id": "o1", "locations": ["A03-B2-017-L4", …] } ] }`. */
export function parsePickLists(json: unknown, path: string): PickList[] {
  const where = `picks file ${JSON.stringify(path)}`;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InputError(`${where}: expected a JSON object with "pickLists"`);
  const lists = (json as { pickLists?: unknown }).pickLists;
  if (!Array.isArray(lists)) throw new InputError(`${where}: "pickLists" must be an array`);
  return lists.map((raw: unknown, i): PickList => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(`${where}: pickLists[${i}] must be an object`);
    const { id, locations } = raw as { id?: unknown; locations?: unknown };
    if (!((typeof id === 'string' && id.length > 0) || (typeof id === 'number' && Number.isFinite(id)))) {
      throw new InputError(`${where}: pickLists[${i}].id must be a non-empty string`);
    }
    if (!Array.isArray(locations)) throw new InputError(`${where}: pickLists[${i}] (${String(id)}) "locations" must be an array of location ids`);
    for (const [k, loc] of locations.entries()) {
      if (typeof loc !== 'string') {
        throw new InputError(`${where}: pickLists[${i}] (${String(id)}) locations[${k}] must be a location id string (got ${JSON.stringify(loc)})`);
      }
    }
    return { id, locations: locations as LocationId[] };
  });
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Runs the route command; returns the exit code. */
export async function runRoute(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const flags = parseFlags(args, ['layout', 'picks', 'method']);
    const layoutPath = flags.get('layout');
    const picksPath = flags.get('picks');
    if (layoutPath === undefined) throw new InputError(`missing --layout (${ROUTE_USAGE})`, EXIT_USAGE);
    if (picksPath === undefined) throw new InputError(`missing --picks (${ROUTE_USAGE})`, EXIT_USAGE);
    const methodName = flags.get('method') ?? 'best';
    if (!isRouteMethod(methodName)) {
      throw new InputError(`unknown method ${JSON.stringify(methodName)} (methods: ${ROUTE_METHODS.join(', ')})`, EXIT_USAGE);
    }
    const method: RouteMethod = methodName;

    const layoutJson = await readJson(layoutPath, 'layout');
    const parsed = parseLayoutDocument(layoutJson);
    if (!parsed.ok) throw new InputError(`layout file ${JSON.stringify(layoutPath)}: ${parsed.error}`);
    const layout: Layout = parsed.value;
    const pickLists = parsePickLists(await readJson(picksPath, 'picks'), picksPath);

    const started = performance.now();
    const routes: { id: string | number; sequence: LocationId[]; distance: number }[] = [];
    for (const list of pickLists) {
      const r = planRoute({ layout, picks: list.locations, method, includePath: false });
      if (isRouteError(r)) {
        const detail = r.error.code === 'UNKNOWN_LOCATION'
          ? `unknown location ${JSON.stringify(list.locations.find((id) => findLocation(layout, id) === undefined) ?? '')}`
          : r.error.message;
        throw new InputError(`${detail} in pick list ${JSON.stringify(list.id)}`);
      }
      routes.push({ id: list.id, sequence: r.sequence, distance: round(r.distance, 6) });
    }
    const solveMs = performance.now() - started;
    io.out(`${JSON.stringify({ routes, method, solveMs: round(solveMs, 3) })}\n`);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof InputError) {
      io.err(`route: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
