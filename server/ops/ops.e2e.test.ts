/**
 * The real server's operations surface: JSON log lines, /healthz, /readyz, /metrics for a site manager only, and a
 * SIGTERM that ends in exit code 0 with the shutdown logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, uniqueSchema, type ServerProcess } from '../testing/server-process.ts';

describe('operations endpoints of the real server', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ DB_SCHEMA: uniqueSchema('ops'), DEMO_SHIFT: 'off', LOG_FORMAT: 'json' });
  }, 120_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
  });

  it('serves liveness, readiness and metrics; logs JSON lines; exits 0 on SIGTERM', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok', ready: true });
    expect(await (await fetch(`${server.url}/readyz`)).json()).toMatchObject({ status: 'ready', sites: { demo: { local: true } } });

    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const pickerToken = await server.signIn('picker@demo.floortwin');
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${pickerToken}` } })).status).toBe(403);
    expect((await server.fetch('/api/sites')).status).toBe(200);
    const metrics = await server.fetch('/metrics');
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    // The initial stock was seeded through the runner: commands were counted.
    expect(text).toMatch(/floortwin_commands_total\{outcome="accepted",site="demo"\} [1-9]\d*/);
    expect(text).toMatch(/floortwin_http_requests_total\{class="2xx"\} [1-9]\d*/);
    expect(text).toContain('floortwin_sockets 0');

    const code = await server.stop('SIGTERM');
    expect(code).toBe(0);
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    const parsed = lines.map((line) => JSON.parse(line) as { time: string; level: string; msg: string });
    expect(parsed.length).toBeGreaterThan(3);
    for (const entry of parsed) expect(Object.keys(entry).slice(0, 3)).toEqual(['time', 'level', 'msg']);
    expect(parsed.map((entry) => entry.msg)).toEqual(expect.arrayContaining(['SIGTERM: shutting down', 'stopped']));
  }, 120_000);
});
