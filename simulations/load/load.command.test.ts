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
    const { options, json, historyFile, signIn } = parseLoadArgs(
      ['--url', 'http://127.0.0.1:3000', '--rate=50', '--seconds', '5', '--handhelds', '20', '--json', '--history', 'h.jsonl', '--email', 'manager@demo.floortwin', '--password', 'pw'],
      {},
    );
    expect(options).toEqual({ url: 'http://127.0.0.1:3000', rate: 50, seconds: 5, arrival: 'poisson', seed: 1, handhelds: 20, scanIntervalMs: 1000, dashboards: 0 });
    expect(signIn).toEqual({ email: 'manager@demo.floortwin', password: 'pw' });
    expect(json).toBe(true);
    expect(historyFile).toBe('h.jsonl');
    const withDb = parseLoadArgs(['--url', 'http://localhost:1', '--max-orders', '10', '--api-key', 'k-1'], { DATABASE_URL: 'postgres://x/db', DB_SCHEMA: 's1' }).options;
    expect(withDb).toMatchObject({ maxOrders: 10, token: 'k-1', database: { url: 'postgres://x/db', schema: 's1' } });
  });

  it('takes one credential: e-mail and password (or FLOORTWIN_PASSWORD), an API key or a token', () => {
    const url = ['--url', 'http://127.0.0.1:3000'];
    expect(parseLoadArgs([...url, '--email', 'manager@demo.floortwin'], { FLOORTWIN_PASSWORD: 'from-env' }).signIn).toEqual({ email: 'manager@demo.floortwin', password: 'from-env' });
    expect(parseLoadArgs([...url], { FLOORTWIN_API_KEY: 'k-2' }).options.token).toBe('k-2');
    expect(parseLoadArgs([...url, '--token', 's-1'], {}).options.token).toBe('s-1');
    expect(() => parseLoadArgs([...url], {})).toThrow(/missing a credential: --email and --password .* or --api-key/);
    expect(() => parseLoadArgs([...url, '--email', 'a@b.c'], {})).toThrow(/--email needs --password/);
    expect(() => parseLoadArgs([...url, '--password', 'pw'], {})).toThrow(/--password needs --email/);
    expect(() => parseLoadArgs([...url, '--email', 'a@b.c', '--password', 'pw', '--api-key', 'k'], {})).toThrow(/give one credential/);
  });

  it('[LM1] refuses a server that is not on loopback, before sending anything', async () => {
    const { io, out, err } = capture();
    expect(await runLoadCommand(['--url', 'http://10.0.0.5:3000', '--api-key', 'k'], io)).toBe(2);
    expect(err.join('')).toMatch(/only targets a loopback server .* not 10\.0\.0\.5/);
    expect(out).toEqual([]);
    expect(() => assertLoopbackUrl('https://127.0.0.1:3000')).toThrow(/plain http/);
    expect(() => assertLoopbackUrl('http://127.evil.com')).toThrow(/loopback/);
    expect(() => assertLoopbackUrl('not a url')).toThrow(/not a URL/);
    expect(assertLoopbackUrl('http://[::1]:3000').port).toBe('3000');
  });

  it('answers bad usage with exit 2 and the usage line', async () => {
    const key = ['--api-key', 'k'];
    for (const args of [[], ['--url', 'http://127.0.0.1:1', ...key, '--rate', '-5'], ['--url', 'http://127.0.0.1:1', ...key, '--arrival', 'burst'], ['--url', 'http://127.0.0.1:1', ...key, '--bogus', '1'], ['--url', 'http://127.0.0.1:1']]) {
      const { io, err } = capture();
      expect(await runLoadCommand(args, io)).toBe(2);
      expect(err.join('')).toContain(LOAD_USAGE);
    }
  });

  it('says so when no server answers (exit 1)', async () => {
    const { io, err } = capture();
    // Port 9 (discard) on loopback: nothing listens there in the test environment.
    expect(await runLoadCommand(['--url', 'http://127.0.0.1:9', '--seconds', '1', '--api-key', 'k'], io)).toBe(1);
    expect(err.join('')).toMatch(/^load: /m);
    // Signing in is the first call: it says the same.
    const signIn = capture();
    expect(await runLoadCommand(['--url', 'http://127.0.0.1:9', '--email', 'manager@demo.floortwin', '--password', 'pw'], signIn.io)).toBe(1);
    expect(signIn.err.join('')).toMatch(/^load: no server answers at http:\/\/127\.0\.0\.1:9/m);
  });
});
