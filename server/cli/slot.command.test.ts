import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSiteFiles } from '../site/site-loader.ts';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE } from './route.command.ts';
import { SLOT_USAGE, runSlot } from './slot.command.ts';

const SITE = resolve(import.meta.dirname, '../../data/sites/demo.json');
const dir = mkdtempSync(join(tmpdir(), 'floortwin-slot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

async function slot(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runSlot(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

interface SlotOutput {
  site: string;
  orders: number;
  predictedSaving: number;
  distancePerOrder: { before: number; after: number };
  slotCost: { before: number; after: number };
  moves?: { sku: string; from: string; to: string; saving: number }[];
  assignment?: { locationId: string; skuId: string }[];
}

describe('slot command', () => {
  let history: string;
  beforeAll(async () => {
    // A skewed history over the demo's stocked SKUs: a few in most orders.
    const { initialStock } = await loadSiteFiles(SITE);
    const skus = [...new Set(initialStock.map((s) => s.skuId))].sort();
    history = file('orders.json', Array.from({ length: 200 }, (_, n) => [skus[skus.length - 1 - (n % 5)]!, skus[(n * 37) % skus.length]!]));
  });

  it('prints a move plan of at most N moves with the routed distance per order before and after', async () => {
    const run = await slot('--site', SITE, '--history', history, '--moves', '25');
    expect(run.err).toBe('');
    expect(run.code).toBe(EXIT_OK);
    const report = JSON.parse(run.out) as SlotOutput;
    expect(report).toMatchObject({ site: 'demo', orders: 200 });
    expect(report.moves!.length).toBeGreaterThan(0);
    expect(report.moves!.length).toBeLessThanOrEqual(25);
    expect(report.distancePerOrder.after).toBeLessThan(report.distancePerOrder.before);
    // [S8] the plan's savings are the change of the slot cost.
    const saved = report.moves!.reduce((n, m) => n + m.saving, 0);
    expect(saved).toBeCloseTo(report.slotCost.before - report.slotCost.after, 6);
    expect(report.predictedSaving).toBeCloseTo((report.distancePerOrder.before - report.distancePerOrder.after) / report.distancePerOrder.before, 12);
  });

  it('prints the whole target assignment without --moves', async () => {
    const run = await slot('--site', SITE, '--history', history);
    expect(run.code).toBe(EXIT_OK);
    const report = JSON.parse(run.out) as SlotOutput;
    expect(report.moves).toBeUndefined();
    expect(report.assignment!.length).toBeGreaterThan(0);
  });

  it('answers bad usage and bad files with one line on stderr and nothing on stdout', async () => {
    const cases: [string[], number, string][] = [
      [['--history', history], EXIT_USAGE, 'missing --site'],
      [['--site', SITE], EXIT_USAGE, 'missing --history'],
      [['--site', SITE, '--history', history, '--moves', '0'], EXIT_USAGE, '--moves'],
      [['--site', SITE, '--history', history, '--colour', 'red'], EXIT_USAGE, '--colour'],
      [['--site', SITE, '--history', join(dir, 'missing.json')], EXIT_BAD_INPUT, 'cannot read history'],
      [['--site', SITE, '--history', file('bad.json', '[[')], EXIT_BAD_INPUT, 'not valid JSON'],
      [['--site', SITE, '--history', file('flat.json', ['A', 'B'])], EXIT_BAD_INPUT, '[0] must be a non-empty array'],
      [['--site', SITE, '--history', file('unknown.json', [['NO-SUCH-SKU']])], EXIT_BAD_INPUT, '[0][0] unknown SKU "NO-SUCH-SKU"'],
      [['--site', join(dir, 'nosite.json'), '--history', history], EXIT_BAD_INPUT, 'site'],
    ];
    for (const [args, code, mentions] of cases) {
      const run = await slot(...args);
      expect(run.code, args.join(' ')).toBe(code);
      expect(run.out).toBe('');
      expect(run.err.trimEnd().split('\n')).toHaveLength(1);
      expect(run.err).toContain(mentions);
    }
    expect(SLOT_USAGE).toMatch(/^usage: slot --site/);
  });
});
