import { describe, expect, it } from 'vitest';
import { LOAD_USAGE, parseLoadArgs, runLoadCommand } from './load.command.ts';
import { assertLoopbackUrl } from './run-load.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

describe('load command', () => {
  it('parses flags into load options with defaults', () => {
    const { options, json, historyFile } = parseLoadArgs(['--url', 'http://127.0.0.1:3000', '--rate=50', '--seconds', '5', '--handhelds', '20', '--json', '--history', 'h.jsonl'], {});
    expect(options).toEqual({ url: 'http://127.0.0.1:3000', rate: 50, seconds: 5, arrival: 'poisson', seed: 1, handhelds: 20, scanIntervalMs: 1000, dashboards: 0 });
    expect(json).toBe(true);
    expect(historyFile).toBe('h.jsonl');
    const withDb = parseLoadArgs(['--url', 'http://localhost:1', '--max-orders', '10'], { DATABASE_URL: 'postgres://x/db', DB_SCHEMA: 's1' }).options;
    expect(withDb).toMatchObject({ maxOrders: 10, database: { url: 'postgres://x/db', schema: 's1' } });
  });

  it('[LM1] refuses a server that is not on loopback, before sending anything', async () => {
    const { io, out, err } = capture();
    expect(await runLoadCommand(['--url', 'http://10.0.0.5:3000'], io)).toBe(2);
    expect(err.join('')).toMatch(/only targets a loopback server .* not 10\.0\.0\.5/);
    expect(out).toEqual([]);
    expect(() => assertLoopbackUrl('https://127.0.0.1:3000')).toThrow(/plain http/);
    expect(() => assertLoopbackUrl('http://127.evil.com')).toThrow(/loopback/);
    expect(() => assertLoopbackUrl('not a url')).toThrow(/not a URL/);
    expect(assertLoopbackUrl('http://[::1]:3000').port).toBe('3000');
  });

  it('answers bad usage with exit 2 and the usage line', async () => {
    for (const args of [[], ['--url', 'http://127.0.0.1:1', '--rate', '-5'], ['--url', 'http://127.0.0.1:1', '--arrival', 'burst'], ['--url', 'http://127.0.0.1:1', '--bogus', '1']]) {
      const { io, err } = capture();
      expect(await runLoadCommand(args, io)).toBe(2);
      expect(err.join('')).toContain(LOAD_USAGE);
    }
  });

  it('says so when no server answers (exit 1)', async () => {
    const { io, err } = capture();
    // Port 9 (discard) on loopback: nothing listens there in the test environment.
    expect(await runLoadCommand(['--url', 'http://127.0.0.1:9', '--seconds', '1'], io)).toBe(1);
    expect(err.join('')).toMatch(/^load: /m);
  });
});
