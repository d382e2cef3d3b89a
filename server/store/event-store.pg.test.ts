import { afterAll, beforeAll } from 'vitest';
import type pg from 'pg';
import { PgEventStore } from './event-store.pg.ts';
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
