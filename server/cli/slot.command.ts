/**
 * `slot --site SITE.json --history ORDERS.json [--moves N]`: slots the site's initial stock against an order history
 * (ORDERS.json: an array of orders, each an array of SKU ids) and prints one JSON document — the move plan of at most N
 * moves, or without --moves the whole target assignment — with the routed distance per order before and after.
 * Bad usage: one line on stderr, exit 2; bad files: one line on stderr, exit 1; stdout stays empty.
 */
import { readFile } from 'node:fs/promises';
import { slottingReport } from '../../solver/slotting/slot-report.ts';
import type { SkuId } from '../twin/ids.ts';
import { loadSiteFiles } from '../site/site-loader.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from './route.command.ts';
import type { CliIo } from './route.command.ts';
import { CommandError, integerFlag, parseArgs } from './simulate.command.ts';

export const SLOT_USAGE = 'usage: slot --site SITE.json --history ORDERS.json [--moves N]';
/** Most moves a plan may ask for (the planner page's limit too). */
const MAX_MOVES = 5_000;

const bad = (message: string): CommandError => new CommandError([message], EXIT_BAD_INPUT);

/** Validates ORDERS.json: an array of orders, each a non-empty array of SKU ids the site knows. */
export function parseHistory(json: unknown, file: string, known: ReadonlySet<string>): SkuId[][] {
  const where = `history file ${JSON.stringify(file)}`;
  if (!Array.isArray(json)) throw bad(`${where}: expected an array of orders, each an array of SKU ids`);
  if (json.length === 0) throw bad(`${where}: has no orders`);
  return json.map((order: unknown, i) => {
    if (!Array.isArray(order) || order.length === 0) throw bad(`${where}: [${i}] must be a non-empty array of SKU ids`);
    return order.map((sku: unknown, k) => {
      if (typeof sku !== 'string') throw bad(`${where}: [${i}][${k}] must be a SKU id string (got ${JSON.stringify(sku)})`);
      if (!known.has(sku)) throw bad(`${where}: [${i}][${k}] unknown SKU ${JSON.stringify(sku)}`);
      return sku as SkuId;
    });
  });
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw bad(`cannot read ${what} file ${JSON.stringify(file)} (${(e as { code?: string }).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw bad(`${what} file ${JSON.stringify(file)} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Runs the slot command; returns the exit code. */
export async function runSlot(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { positionals, flags } = parseArgs(argv, ['site', 'history', 'moves'], []);
    if (positionals.length > 0) throw new CommandError([`unexpected argument ${JSON.stringify(positionals[0])} (${SLOT_USAGE})`]);
    const siteFile = flags.get('site');
    const historyFile = flags.get('history');
    if (siteFile === undefined) throw new CommandError([`missing --site (${SLOT_USAGE})`]);
    if (historyFile === undefined) throw new CommandError([`missing --history (${SLOT_USAGE})`]);
    const moves = integerFlag(flags, 'moves', 1, MAX_MOVES);

    const loaded = await loadSiteFiles(siteFile).catch((e: unknown) => {
      throw bad(`site ${JSON.stringify(siteFile)}: ${(e as Error).message}`);
    });
    const { site, initialStock } = loaded;
    const orders = parseHistory(await readJson(historyFile, 'history'), historyFile, new Set(site.skus.map((s) => s.id)));
    const stock = initialStock.map((s) => ({ locationId: s.locationId, skuId: s.skuId, tenantId: s.tenantId, lot: s.lot ?? '', onHand: s.qty }));
    const report = slottingReport({ site, stock, orders }, moves === undefined ? {} : { moves });
    const { before, after } = report.distancePerOrder;
    io.out(`${JSON.stringify({ site: site.id, orders: orders.length, predictedSaving: before > 0 ? (before - after) / before : null, ...report })}\n`);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommandError) {
      io.err(`slot: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
