import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedConnectionString, startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres.ts';

let root: string;
let dataDir: string;
const running: EmbeddedPostgresHandle[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'floortwin-embedded-'));
  // As root, Postgres runs as the postgres user, which must be able to enter the directory.
  await chmod(root, 0o755);
  dataDir = join(root, 'pg');
});
afterAll(async () => {
  await Promise.all(running.map((h) => h.stop()));
  await rm(root, { recursive: true, force: true });
});

async function start(): Promise<EmbeddedPostgresHandle> {
  const handle = await startEmbeddedPostgres({ dataDir });
  running.push(handle);
  return handle;
}

async function stop(handle: EmbeddedPostgresHandle): Promise<void> {
  running.splice(running.indexOf(handle), 1);
  await handle.stop();
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startEmbeddedPostgres', () => {
  it('initialises, serves queries, and keeps data and port across restarts and a kill -9', async () => {
    const first = await start();
    expect(first.port).toBeGreaterThanOrEqual(5433);
    expect(first.connectionString).toContain('/floortwin');
    expect(await embeddedConnectionString(dataDir)).toBe(first.connectionString);
    const [version] = await query<{ server_version_num: string }>(first.connectionString, 'SHOW server_version_num');
    expect(Number(version?.server_version_num)).toBeGreaterThanOrEqual(180000);
    await query(first.connectionString, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    await stop(first);

    const second = await start();
    expect(second.port).toBe(first.port);
    expect(await query(second.connectionString, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);

    // Simulate a crash: kill the postmaster hard, leaving postmaster.pid behind.
    const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    await stop(second);
    const third = await start();
    expect(await query(third.connectionString, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
    await stop(third);

    // A pid file naming a live process that is not our postmaster (a reused pid) must not block the start.
    await writeFile(join(dataDir, 'postmaster.pid'), `${process.pid}\n${dataDir}\n`);
    const fourth = await start();
    expect(await query(fourth.connectionString, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);

    // A postmaster orphaned by a killed server process (never stopped) is shut down and replaced.
    const fifth = await start();
    expect(await query(fifth.connectionString, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
    await stop(fourth);
    await stop(fifth);
  });
});
