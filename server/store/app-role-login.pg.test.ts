/**
 * The app connected as floortwin_app itself (migration 017, PgEventStore `appConnectionString`): no statement in the
 * app's pools gets the owner's rights back — SET ROLE NONE, RESET ROLE and SET SESSION AUTHORIZATION DEFAULT land on
 * the app role, switching to the owner is refused, and row-level security still hides every tenant's rows when no
 * tenant is set. The owner-connected mode this replaces is shown alongside: there SET ROLE NONE is the owner again.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgEventStore } from './event-store.pg.ts';
import { APP_ROLE, APP_SESSION_OPTIONS, appRoleUrl, isPgError, quoteIdent } from './pg-util.ts';
import { syntheticHistory } from './synthetic-history.ts';
import { TEST_DATABASE_URL, freshSchema } from './test-database.ts';
import { withTenant } from './tenant-scope.ts';

const schema = 'test_app_role_login';
const SITE = 'login-site';
const ESCAPES = ['RESET ROLE', 'SET ROLE NONE', 'SET SESSION AUTHORIZATION DEFAULT'];

let owner: pg.Pool;
let store: PgEventStore;
const orders = `${quoteIdent(schema)}.orders`;

beforeAll(async () => {
  owner = await freshSchema(schema);
  store = new PgEventStore({ connectionString: TEST_DATABASE_URL, appConnectionString: appRoleUrl(TEST_DATABASE_URL), schema, maxConnections: 2, tenantConnections: 2 });
  await store.init();
  await store.ensureSite(SITE, {});
  await store.append(SITE, 0, [...syntheticHistory({ orders: 4, prefix: 'A' }), ...syntheticHistory({ orders: 3, prefix: 'B' })]);
});
afterAll(async () => {
  await store?.close();
  await owner?.end();
});

/** current_user and session_user of a client after `statement`. */
async function whoAfter(client: pg.PoolClient, statement: string): Promise<{ current: string; session: string }> {
  await client.query(statement);
  const res = await client.query<{ current: string; session: string }>('SELECT current_user AS current, session_user AS session');
  return res.rows[0] as { current: string; session: string };
}

describe('the app connects as floortwin_app (migration 017)', () => {
  it('derives the app role URL from the owner URL: same host and database, the role as user, no password', () => {
    expect(appRoleUrl('postgres://owner:secret@db.example:5433/wms?sslmode=require')).toBe(`postgres://${APP_ROLE}@db.example:5433/wms?sslmode=require`);
  });

  it('RESET ROLE, SET ROLE NONE, SET SESSION AUTHORIZATION DEFAULT stay the app role in both pools; SET ROLE to the owner is refused', async () => {
    const ownerRole = (await owner.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u ?? '';
    for (const pool of [store.pool, store.tenantPool]) {
      const client = await pool.connect();
      try {
        for (const escape of ESCAPES) expect(await whoAfter(client, escape), escape).toEqual({ current: APP_ROLE, session: APP_ROLE });
        const refused = await client.query(`SET ROLE ${quoteIdent(ownerRole)}`).then(
          () => 'ok',
          (error: unknown) => (isPgError(error) ? error.code : String(error)),
        );
        expect(refused).toBe('42501');
      } finally {
        client.release(true);
      }
    }
  });

  it('after RESET ROLE the tenant pool still sees no tenant rows without a scope, and only its tenant within one', async () => {
    const all = (await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${orders}`)).rows[0]?.n ?? 0;
    expect(all).toBe(7);
    const client = await store.tenantPool.connect();
    try {
      await client.query('RESET ROLE; SET ROLE NONE');
      expect((await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${orders}`)).rows[0]?.n).toBe(0);
    } finally {
      client.release(true);
    }
    const seen = await withTenant(store.tenantPool, 'AT1', async (scoped) => {
      await scoped.query('SET ROLE NONE');
      return (await scoped.query<{ tenant: string }>(`SELECT DISTINCT tenant_id::text AS tenant FROM ${orders}`)).rows.map((r) => r.tenant);
    });
    expect(seen).toEqual(['AT1']);
  });

  it('the mode it replaces: an owner session switched by the startup option gets the owner back with SET ROLE NONE', async () => {
    const switched = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1, options: APP_SESSION_OPTIONS });
    try {
      const client = await switched.connect();
      try {
        expect((await whoAfter(client, 'SELECT 1')).current).toBe(APP_ROLE);
        expect((await whoAfter(client, 'SET ROLE NONE')).current).not.toBe(APP_ROLE);
      } finally {
        client.release(true);
      }
    } finally {
      await switched.end();
    }
  });
});
