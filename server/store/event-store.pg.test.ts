import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeqConflictError } from './event-store.ts';
import { PgEventStore } from './event-store.pg.ts';
import { migrate, readMigrations } from './migrate.pg.ts';
import { syntheticHistory } from './synthetic-history.ts';
import { eventStoreContract } from './event-store.contract.ts';
import { TEST_DATABASE_URL, freshSchema } from './test-database.ts';

const schema = 'test_event_store_pg';
let pool: pg.Pool;
beforeAll(async () => {
  pool = await freshSchema(schema);
});
afterAll(async () => {
  await pool.end();
});

eventStoreContract('postgres', async () => {
  const store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 3 });
  await store.init();
  return store;
});

describe('PgEventStore (Postgres specifics)', () => {
  it('the unique (site_id, seq) fences a writer even when the last_seq fence is bypassed', async () => {
    const store = new PgEventStore({ pool, schema });
    await store.init();
    const site = 'second-fence';
    await store.ensureSite(site, {});
    const events = syntheticHistory({ orders: 2 });
    await store.append(site, 0, events.slice(0, 8));
    // Simulate a fence row that lags the log (e.g. restored from an older backup): the events' primary key still holds.
    await pool.query(`UPDATE ${schema}.sites SET last_seq = 5 WHERE site_id = $1`, [site]);
    const err: unknown = await store.append(site, 5, events.slice(8, 10)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SeqConflictError);
    expect((await store.load(site)).map((e) => e.event)).toEqual(events.slice(0, 8));
  });

  it('query reads projections by unqualified name, read-only', async () => {
    const store = new PgEventStore({ pool, schema });
    const site = 'query-site';
    await store.ensureSite(site, {});
    const events = syntheticHistory({ orders: 3 });
    await store.append(site, 0, events);
    const rows = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM orders WHERE site_id = $1', [site]);
    expect(rows).toEqual([{ n: 3 }]);
    await expect(store.query('DELETE FROM orders WHERE site_id = $1', [site])).rejects.toThrow(/read-only/);
  });

  it('migrates once when several processes start at the same time, and re-runs as a no-op', async () => {
    const other = 'test_event_store_pg_migrate';
    await pool.query(`DROP SCHEMA IF EXISTS ${other} CASCADE`);
    const pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 }));
    try {
      const versions = (await readMigrations()).map((m) => m.version);
      const applied = await Promise.all(pools.map((p) => migrate(p, other)));
      expect(applied.flat().sort((a, b) => a - b)).toEqual(versions);
      expect(await migrate(pools[0]!, other)).toEqual([]);
      const rows = await pool.query(`SELECT version FROM ${other}.schema_migrations ORDER BY version`);
      expect(rows.rows).toEqual(versions.map((version) => ({ version })));
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      await pool.query(`DROP SCHEMA IF EXISTS ${other} CASCADE`);
    }
  });
});
