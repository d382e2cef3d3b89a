/**
 * Tenant isolation in Postgres (reliability.md T2): every table with a tenant_id column is under forced row-level
 * security with a tenant policy; the app role is neither owner, superuser nor BYPASSRLS; with no tenant set nothing is
 * visible or writable; with tenant A set only A's rows are, and a row of B cannot be written.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgEventStore } from './event-store.pg.ts';
import { readMigrations } from './migrate.pg.ts';
import { APP_ROLE, isPgError, quoteIdent } from './pg-util.ts';
import { syntheticHistory } from './synthetic-history.ts';
import { TEST_DATABASE_URL, freshSchema } from './test-database.ts';
import { InvalidTenantScopeError, auditTenantTables, currentTenantScope, tenantTableProblems, withTenant } from './tenant-scope.ts';

const schema = 'test_tenant_rls';
const SITE = 'rls-site';
const A = 'AT1';
const B = 'BT1';
/** Tables the synthetic histories fill for both tenants: the write checks run on every tenant table holding rows. */
const SEEDED = ['order_allocations', 'orders', 'pick_tasks', 'stock_move', 'stock_quant'];
const PG_INSUFFICIENT_PRIVILEGE = '42501';

let owner: pg.Pool;
let store: PgEventStore;
let tenantTables: string[];
const q = (table: string): string => `${quoteIdent(schema)}.${quoteIdent(table)}`;

beforeAll(async () => {
  owner = await freshSchema(schema);
  store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 3, tenantConnections: 3 });
  await store.init();
  await store.ensureSite(SITE, {});
  // Two clients' histories in one site (the prefix names the tenant: AT1, BT1), appended by the app role in scope '*'.
  const events = [...syntheticHistory({ orders: 12, prefix: 'A' }), ...syntheticHistory({ orders: 9, prefix: 'B' })];
  await store.append(SITE, 0, events);
  tenantTables = (await auditTenantTables(owner, schema)).map((t) => t.table);
});
afterAll(async () => {
  await store.close();
  await owner.end();
});

/** Rows of `table` per tenant as the owner sees them (a superuser bypasses RLS). */
async function ownerCounts(table: string): Promise<Map<string, number>> {
  const res = await owner.query<{ tenant_id: string; n: number }>(`SELECT tenant_id::text, count(*)::int AS n FROM ${q(table)} GROUP BY 1`);
  return new Map(res.rows.map((r) => [r.tenant_id, r.n]));
}

/** One row of `table` belonging to `tenant`, as JSON (read as the owner). */
async function rowOf(table: string, tenant: string): Promise<Record<string, unknown>> {
  const res = await owner.query<{ r: Record<string, unknown> }>(`SELECT to_jsonb(t) AS r FROM ${q(table)} t WHERE tenant_id::text = $1 LIMIT 1`, [tenant]);
  const row = res.rows[0]?.r;
  if (row === undefined) throw new Error(`no ${tenant} row in ${table}`);
  return row;
}

/** The SQLSTATE `fn` fails with, or 'ok'. */
async function outcome(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    return isPgError(err) ? err.code : String(err);
  }
}

/** Copy of `row` (another primary key is not needed: the policy check precedes every constraint). */
const insertCopy = (client: pg.PoolClient | pg.Pool, table: string, row: Record<string, unknown>) =>
  client.query(`INSERT INTO ${q(table)} SELECT * FROM jsonb_populate_record(NULL::${q(table)}, $1::jsonb)`, [JSON.stringify(row)]);

describe('catalog (T2 d)', () => {
  it('every table with a tenant_id column has RLS enabled and forced, with a tenant policy', async () => {
    const audit = await auditTenantTables(owner, schema);
    expect(audit.map((t) => t.table)).toEqual(expect.arrayContaining([...SEEDED, 'asns', 'goods_receipts', 'rmas', 'outbox', 'channel_connections']));
    const problems = audit.flatMap((t) => tenantTableProblems(t).map((p) => `${t.table}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('the audit names a tenant table that lacks RLS, FORCE or a policy', async () => {
    const probe = `${schema}_probe`;
    await owner.query(`DROP SCHEMA IF EXISTS ${probe} CASCADE; CREATE SCHEMA ${probe}`);
    try {
      await owner.query(`CREATE TABLE ${probe}.bare (tenant_id text); CREATE TABLE ${probe}.unforced (tenant_id text);
        ALTER TABLE ${probe}.unforced ENABLE ROW LEVEL SECURITY;
        CREATE POLICY p ON ${probe}.unforced USING (tenant_id = current_setting('floortwin.tenant', true))
          WITH CHECK (tenant_id = current_setting('floortwin.tenant', true));
        CREATE TABLE ${probe}.policyless (tenant_id text);
        ALTER TABLE ${probe}.policyless ENABLE ROW LEVEL SECURITY; ALTER TABLE ${probe}.policyless FORCE ROW LEVEL SECURITY;
        CREATE TABLE ${probe}.no_tenant (id int)`);
      const found = Object.fromEntries((await auditTenantTables(owner, probe)).map((t) => [t.table, tenantTableProblems(t)]));
      expect(found).toEqual({
        bare: ['row level security not enabled', 'row level security not forced', `no policy on floortwin.tenant for ${APP_ROLE}`],
        policyless: [`no policy on floortwin.tenant for ${APP_ROLE}`],
        unforced: ['row level security not forced'],
      });
    } finally {
      await owner.query(`DROP SCHEMA IF EXISTS ${probe} CASCADE`);
    }
  });

  it('the app role is not superuser, has no BYPASSRLS, owns nothing and cannot create objects', async () => {
    // It may log in (migration 017: the app's pools connect as it, so no SET ROLE can return to the owner).
    const role = await owner.query<{ rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean }>(
      'SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = $1',
      [APP_ROLE],
    );
    expect(role.rows).toEqual([{ rolsuper: false, rolbypassrls: false, rolcreaterole: false }]);
    const owned = await owner.query(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND pg_get_userbyid(c.relowner) = $2`,
      [schema, APP_ROLE],
    );
    expect(owned.rows).toEqual([]);
    const schemaOwner = await owner.query<{ o: string }>('SELECT pg_get_userbyid(nspowner) AS o FROM pg_namespace WHERE nspname = $1', [schema]);
    expect(schemaOwner.rows[0]?.o).not.toBe(APP_ROLE);
    // The store's own sessions really are the app role, in the site-wide scope; the tenant pool's have no scope.
    const who = await store.pool.query<{ u: string; s: string }>("SELECT current_user AS u, current_setting('floortwin.tenant', true) AS s");
    expect(who.rows[0]).toEqual({ u: APP_ROLE, s: '*' });
    const tenantWho = await store.tenantPool.query<{ u: string }>('SELECT current_user AS u');
    expect(tenantWho.rows[0]?.u).toBe(APP_ROLE);
    expect(await currentTenantScope(store.tenantPool)).toBeNull();
    expect(await outcome(() => store.pool.query(`CREATE TABLE ${q('sneaky')} (tenant_id text)`))).toBe(PG_INSUFFICIENT_PRIVILEGE);
    expect(await outcome(() => store.pool.query(`ALTER TABLE ${q('orders')} DISABLE ROW LEVEL SECURITY`))).toBe(PG_INSUFFICIENT_PRIVILEGE);
    expect(await outcome(() => store.pool.query(`DROP POLICY tenant_isolation ON ${q('orders')}`))).toBe(PG_INSUFFICIENT_PRIVILEGE);
  });
});

describe('no tenant set (T2 a)', () => {
  it('the seeded tables hold rows of both tenants (so the checks below are not vacuous)', async () => {
    for (const table of SEEDED) {
      const counts = await ownerCounts(table);
      expect([table, (counts.get(A) ?? 0) > 0 && (counts.get(B) ?? 0) > 0]).toEqual([table, true]);
    }
  });

  it('every tenant table shows 0 rows', async () => {
    const seen: Record<string, number> = {};
    for (const table of tenantTables) {
      const res = await store.tenantPool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${q(table)}`);
      seen[table] = res.rows[0]?.n ?? -1;
    }
    expect(seen).toEqual(Object.fromEntries(tenantTables.map((t) => [t, 0])));
  });

  it('INSERT is rejected and UPDATE/DELETE change nothing, on every tenant table holding rows', async () => {
    for (const table of tenantTables) {
      const before = await ownerCounts(table);
      if (before.size === 0) continue;
      const [tenant] = [...before.keys()];
      const row = await rowOf(table, tenant ?? '');
      expect([table, await outcome(() => insertCopy(store.tenantPool, table, row))]).toEqual([table, PG_INSUFFICIENT_PRIVILEGE]);
      const upd = await store.tenantPool.query(`UPDATE ${q(table)} SET tenant_id = tenant_id`);
      const del = await store.tenantPool.query(`DELETE FROM ${q(table)}`);
      expect([table, upd.rowCount, del.rowCount]).toEqual([table, 0, 0]);
      expect(await ownerCounts(table)).toEqual(before);
    }
  });

  it('an empty scope is no scope', async () => {
    const client = await store.tenantPool.connect();
    try {
      await client.query("SET floortwin.tenant = ''");
      const res = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${q('orders')}`);
      expect(res.rows[0]?.n).toBe(0);
    } finally {
      await client.query('RESET floortwin.tenant');
      client.release();
    }
  });
});

describe('tenant A set (T2 b, c)', () => {
  it("every tenant table shows exactly A's rows", async () => {
    for (const table of tenantTables) {
      const expected = (await ownerCounts(table)).get(A) ?? 0;
      const rows = await withTenant(store.tenantPool, A, async (c) =>
        (await c.query<{ tenant_id: string; n: number }>(`SELECT tenant_id::text, count(*)::int AS n FROM ${q(table)} GROUP BY 1`)).rows,
      );
      expect([table, rows]).toEqual([table, expected === 0 ? [] : [{ tenant_id: A, n: expected }]]);
    }
  });

  it("a row of B cannot be inserted, and an A row cannot be moved to B; B's rows cannot be updated or deleted", async () => {
    for (const table of tenantTables) {
      const counts = await ownerCounts(table);
      if (!counts.has(A) || !counts.has(B)) continue;
      const rowB = await rowOf(table, B);
      expect([table, await outcome(() => withTenant(store.tenantPool, A, (c) => insertCopy(c, table, rowB)))]).toEqual([
        table,
        PG_INSUFFICIENT_PRIVILEGE,
      ]);
      expect([
        table,
        await outcome(() => withTenant(store.tenantPool, A, (c) => c.query(`UPDATE ${q(table)} SET tenant_id = $1`, [B]))),
      ]).toEqual([table, PG_INSUFFICIENT_PRIVILEGE]);
      const touched = await withTenant(store.tenantPool, A, async (c) => {
        const upd = await c.query(`UPDATE ${q(table)} SET tenant_id = tenant_id WHERE tenant_id::text = $1`, [B]);
        const del = await c.query(`DELETE FROM ${q(table)} WHERE tenant_id::text = $1`, [B]);
        return [upd.rowCount, del.rowCount];
      });
      expect([table, touched]).toEqual([table, [0, 0]]);
      expect(await ownerCounts(table)).toEqual(counts);
    }
  });

  it('A may write its own rows (the policy is not simply read-only)', async () => {
    const rowA = await rowOf('orders', A);
    const changed = await withTenant(store.tenantPool, A, async (c) => {
      const res = await c.query(`UPDATE ${q('orders')} SET priority = priority WHERE site_id = $1 AND order_id = $2`, [SITE, rowA['order_id']]);
      return res.rowCount;
    });
    expect(changed).toBe(1);
  });

  it('withTenant scopes even an owner pool (it drops to the app role for the transaction)', async () => {
    const seen = await withTenant(owner, B, async (c) => {
      const who = await c.query<{ u: string }>('SELECT current_user AS u');
      const tenants = await c.query<{ tenant_id: string }>(`SELECT DISTINCT tenant_id FROM ${q('stock_quant')}`);
      return { user: who.rows[0]?.u, tenants: tenants.rows.map((r) => r.tenant_id) };
    });
    expect(seen).toEqual({ user: APP_ROLE, tenants: [B] });
    const after = await owner.query<{ u: string }>('SELECT current_user AS u');
    expect(after.rows[0]?.u).not.toBe(APP_ROLE);
  });

  it("narrows the app pool's site-wide scope for one transaction, which is back to '*' after a commit or a failure", async () => {
    const inside = await withTenant(store.pool, A, (c) => currentTenantScope(c));
    expect(inside).toBe(A);
    await expect(
      withTenant(store.pool, B, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    const clients = await Promise.all([0, 1, 2].map(() => store.pool.connect()));
    try {
      expect(await Promise.all(clients.map((c) => currentTenantScope(c)))).toEqual(['*', '*', '*']);
    } finally {
      for (const c of clients) c.release();
    }
  });

  it("refuses the site-wide scope and an empty tenant as a tenant", async () => {
    await expect(withTenant(store.tenantPool, '*', () => Promise.resolve(1))).rejects.toBeInstanceOf(InvalidTenantScopeError);
    await expect(withTenant(store.tenantPool, '', () => Promise.resolve(1))).rejects.toBeInstanceOf(InvalidTenantScopeError);
  });
});

describe('migration 013', () => {
  it('creates its cluster-wide role once when many schemas run it at the same time (a fresh role name)', async () => {
    const role = `floortwin_probe_${process.pid}`;
    const sql = (await readMigrations()).find((m) => m.version === 13)?.sql.replaceAll(APP_ROLE, role);
    if (sql === undefined) throw new Error('migration 013 not found');
    const schemas = Array.from({ length: 6 }, (_, i) => `${schema}_r${i}`);
    const probePool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: schemas.length });
    const clients = await Promise.all(schemas.map(() => probePool.connect()));
    try {
      const results = await Promise.all(
        schemas.map(async (s, i) => {
          const c = clients[i] as pg.PoolClient;
          await c.query(`DROP SCHEMA IF EXISTS ${quoteIdent(s)} CASCADE`);
          await c.query(`BEGIN; CREATE SCHEMA ${quoteIdent(s)}; SET LOCAL search_path TO ${quoteIdent(s)};
            CREATE TABLE schema_migrations (version integer PRIMARY KEY); CREATE TABLE t (tenant_id text)`);
          const result = await outcome(() => c.query(sql));
          await c.query(result === 'ok' ? 'COMMIT' : 'ROLLBACK');
          return result;
        }),
      );
      expect(results).toEqual(schemas.map(() => 'ok'));
      const created = await owner.query('SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1', [role]);
      expect(created.rows).toEqual([{ rolsuper: false, rolbypassrls: false, rolcanlogin: false }]);
      for (const s of schemas) expect((await auditTenantTables(owner, s)).flatMap(tenantTableProblems)).toEqual([]);
    } finally {
      for (const c of clients) c.release();
      await probePool.end();
      for (const s of schemas) await owner.query(`DROP SCHEMA IF EXISTS ${quoteIdent(s)} CASCADE`);
      await owner.query(`DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
        EXECUTE 'DROP OWNED BY ${role}'; EXECUTE 'DROP ROLE ${role}'; END IF; END $$`);
    }
  });

  it('creates the cluster-wide role safely when many schemas migrate at once', async () => {
    const schemas = Array.from({ length: 4 }, (_, i) => `${schema}_m${i}`);
    const pools = schemas.map(() => new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 }));
    try {
      for (const s of schemas) await owner.query(`DROP SCHEMA IF EXISTS ${quoteIdent(s)} CASCADE`);
      await Promise.all(pools.map((p, i) => new PgEventStore({ pool: p, schema: schemas[i] ?? '' }).init()));
      for (const s of schemas) {
        const problems = (await auditTenantTables(owner, s)).flatMap(tenantTableProblems);
        expect([s, problems]).toEqual([s, []]);
      }
    } finally {
      for (const s of schemas) await owner.query(`DROP SCHEMA IF EXISTS ${quoteIdent(s)} CASCADE`);
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});
