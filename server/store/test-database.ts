/** Test helper: the machine's Postgres and a fresh schema per test file, so files can run in parallel. */
import pg from 'pg';
import { quoteIdent } from './pg-util.ts';

/** Connection string of the test database (trust auth). */
export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Drops and recreates nothing but `schema` (empty); returns a pool the caller ends. */
export async function freshSchema(schema: string): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 4 });
  pool.on('error', (err) => console.error('test pool error', err));
  await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  return pool;
}
