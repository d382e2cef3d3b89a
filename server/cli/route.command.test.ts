import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'floortwin-route-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const specLayout = {
  format: 'rack-aisle/1',
  id: 'demo-2block',
  aisles: 10,
  blocks: 2,
  baysPerBlock: 20,
  levels: 4,
  bayLength: 1.0,
  aisleSpacing: 3.0,
  crossAisleWidth: 2.0,
  depot: { x: 0 },
};
const specPicks = { pickLists: [{ id: 'o1', locations: ['A03-B2-017-L4', 'A07-B1-002-R1'] }] };

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as `npm run cli` does (server/cli/cli.ts under tsx), as one node process: no npx, no tsx launcher. */
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'server/cli/cli.ts', ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      done({ code, stdout, stderr });
    });
  });
}

function expectOneLineError(run: Run, mentions: string): void {
  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  const lines = run.stderr.split('\n').filter((l) => l.length > 0);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(mentions);
}

const layoutPath = file('layout.json', specLayout);
const picksPath = file('picks.json', specPicks);

describe('cli route', () => {
  it('answers the spec example with one JSON document with exactly the spec keys', async () => {
    const run = await cli('route', '--layout', layoutPath, '--picks', picksPath);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const doc = JSON.parse(run.stdout) as { routes: { id: string; sequence: string[]; distance: number }[]; method: string; solveMs: number };
    expect(Object.keys(doc).sort()).toEqual(['method', 'routes', 'solveMs']);
    expect(doc.routes).toHaveLength(1);
    expect(Object.keys(doc.routes[0]!).sort()).toEqual(['distance', 'id', 'sequence']);
    expect(doc.routes[0]!.id).toBe('o1');
    expect([...doc.routes[0]!.sequence].sort()).toEqual(['A03-B2-017-L4', 'A07-B1-002-R1']);
    // 20.5 out, 49 between the picks, 45.5 back.
    expect(doc.routes[0]!.distance).toBeCloseTo(115);
    expect(doc.method).toBe('best');
    expect(typeof doc.solveMs).toBe('number');
    expect(doc.solveMs).toBeGreaterThanOrEqual(0);
  });

  it.each(['s-shape', 'largest-gap', 'combined', 'nearest-neighbour', 'best'])('offers --method %s', async (method) => {
    const picks = file(`picks-${method}.json`, {
      pickLists: [
        { id: 'a', locations: ['A03-B2-017-L4', 'A07-B1-002-R1', 'A01-B1-001-L1', 'A10-B2-020-R4', 'A05-B1-011-L2'] },
        { id: 'b', locations: [] },
        { id: 'c', locations: ['A02-B2-003-R1', 'A02-B2-003-R1'] },
      ],
    });
    const run = await cli('route', '--layout', layoutPath, '--picks', picks, `--method=${method}`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { routes: { id: string; sequence: string[]; distance: number }[]; method: string };
    expect(doc.method).toBe(method);
    expect(doc.routes.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(doc.routes[0]!.sequence).toHaveLength(5);
    expect(doc.routes[1]).toEqual({ id: 'b', sequence: [], distance: 0 });
    expect(doc.routes[2]!.distance).toBeCloseTo(2 * (3 + 22 + 1 + 2.5));
  });

  it('reads a floortwin-layout/1 file too', async () => {
    const layout = file('floortwin.json', {
      format: 'floortwin-layout/1', id: 'ft', name: 'FT', rackAisle: specLayout, levelHeight: 1.2, binDepth: 0.75, capacityUnits: 80,
    });
    const run = await cli('route', '--layout', layout, '--picks', picksPath);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { routes: { distance: number }[] }).routes[0]!.distance).toBeCloseTo(115);
  });

  it('rejects an unknown location naming it', async () => {
    const picks = file('unknown.json', { pickLists: [{ id: 'o1', locations: ['A03-B2-017-L4', 'A11-B1-002-R1'] }] });
    expectOneLineError(await cli('route', '--layout', layoutPath, '--picks', picks), 'A11-B1-002-R1');
  });

  it('rejects a malformed picks file', async () => {
    const picks = file('malformed.json', '{ "pickLists": [ { "id": "o1", "locations": [ ');
    expectOneLineError(await cli('route', '--layout', layoutPath, '--picks', picks), 'malformed.json');
  });

  it('rejects a malformed layout file', async () => {
    const layout = file('bad-layout.json', '{ "format": "rack-aisle/1", ');
    expectOneLineError(await cli('route', '--layout', layout, '--picks', picksPath), 'bad-layout.json');
  });

  it('rejects an invalid layout naming the field', async () => {
    const layout = file('invalid-layout.json', { ...specLayout, baysPerBlock: 0 });
    expectOneLineError(await cli('route', '--layout', layout, '--picks', picksPath), 'baysPerBlock');
  });

  it('rejects a missing file', async () => {
    expectOneLineError(await cli('route', '--layout', join(dir, 'nope.json'), '--picks', picksPath), 'nope.json');
  });

  it('rejects a pick only reachable through a blocked segment: one line naming it, nothing on stdout', async () => {
    const layout = file('blocked.json', {
      format: 'floortwin-layout/1', id: 'bl', name: 'BL', rackAisle: specLayout, levelHeight: 1.2, binDepth: 0.75, capacityUnits: 80,
      blocked: [{ aisle: 4, block: 1, fromBay: 0, toBay: 3 }, { aisle: 4, block: 1, fromBay: 8, toBay: 21 }],
    });
    const picks = file('blocked-picks.json', { pickLists: [{ id: 'o9', locations: ['A03-B2-017-L4', 'A04-B1-005-R2'] }] });
    const run = await cli('route', '--layout', layout, '--picks', picks);
    expectOneLineError(run, 'A04-B1-005-R2');
    expect(run.code).toBe(1);
  });

  it("offers --method exact, and refuses it with one line when no exact method applies", async () => {
    const ok = await cli('route', '--layout', layoutPath, '--picks', picksPath, '--method', 'exact');
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { routes: { distance: number }[] }).routes[0]!.distance).toBeCloseTo(115);
    const layout = file('five-blocks.json', { ...specLayout, blocks: 5, baysPerBlock: 4 });
    const locations = Array.from({ length: 14 }, (_, i) => `A${String(1 + (i % 10)).padStart(2, '0')}-B${1 + (i % 5)}-00${1 + (i % 4)}-L1`);
    const picks = file('many.json', { pickLists: [{ id: 'm', locations }] });
    const run = await cli('route', '--layout', layout, '--picks', picks, '--method', 'exact');
    expectOneLineError(run, 'no exact method');
  });

  it('rejects an unknown method', async () => {
    const run = await cli('route', '--layout', layoutPath, '--picks', picksPath, '--method', 'teleport');
    expectOneLineError(run, 'teleport');
    expect(run.code).toBe(2);
  });

  it('rejects bad flags and unknown commands with exit 2', async () => {
    const [flag, missing, command] = await Promise.all([
      cli('route', '--layout', layoutPath, '--picks', picksPath, '--fast'),
      cli('route', '--picks', picksPath),
      cli('teleport'),
    ]);
    expectOneLineError(flag, '--fast');
    expect(flag.code).toBe(2);
    expectOneLineError(missing, '--layout');
    expect(missing.code).toBe(2);
    expectOneLineError(command, 'teleport');
    expect(command.code).toBe(2);
  });
});
