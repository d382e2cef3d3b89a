/**
 * Tenant scope for tenant-facing reads (portal, API keys): the second layer of tenant isolation. Row-level security
 * (migration 013) shows a row only when its tenant_id equals the transaction's `floortwin.tenant`; `withTenant` sets it
 * for one transaction and drops to the app role for that transaction, so the scope holds on any pool (even an owner's).
 */
import type pg from 'pg';
import { APP_ROLE, SITE_WIDE_SCOPE, TENANT_SETTING, quoteIdent, withTransaction } from './pg-util.ts';

/** A tenant id that cannot be a scope: empty, or the site-wide scope itself. */
export class InvalidTenantScopeError extends Error {
  constructor(tenantId: string) {
    super(`not a tenant scope: ${JSON.stringify(tenantId)}`);
    this.name = 'InvalidTenantScopeError';
  }
}

const BEGIN_AS_APP = `BEGIN; SET LOCAL ROLE ${quoteIdent(APP_ROLE)}`;

/**
 * Runs fn in one transaction with `floortwin.tenant` set to tenantId (SET LOCAL) and the role set to the app role
 * (SET LOCAL ROLE): RLS shows and accepts only that tenant's rows. COMMIT on success, ROLLBACK on any error; both end
 * the LOCAL settings, so the connection goes back to the pool with the scope it had before.
 */
export async function withTenant<T>(pool: pg.Pool, tenantId: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  if (tenantId === '' || tenantId === SITE_WIDE_SCOPE) throw new InvalidTenantScopeError(tenantId);
  return withTransaction(
    pool,
    async (client) => {
      await client.query('SELECT set_config($1, $2, true)', [TENANT_SETTING, tenantId]);
      return fn(client);
    },
    BEGIN_AS_APP,
  );
}

/** The tenant scope of a client's current transaction or session: a tenant id, `*`, or null when none is set. */
export async function currentTenantScope(client: pg.PoolClient | pg.Pool): Promise<string | null> {
  const res = await client.query<{ scope: string | null }>('SELECT current_setting($1, true) AS scope', [TENANT_SETTING]);
  const scope = res.rows[0]?.scope ?? null;
  return scope === '' ? null : scope;
}

/** Row-level security state of one table with a `tenant_id` column. */
export interface TenantTableAudit {
  readonly table: string;
  readonly rowSecurity: boolean;
  readonly forced: boolean;
  /** Names of the policies on the table. */
  readonly policies: readonly string[];
  /** Policies that apply to the app role (TO PUBLIC or TO the role) and name `floortwin.tenant` in USING and WITH CHECK. */
  readonly tenantPolicies: readonly string[];
}

/** Every table (and partition) in `schema` with a `tenant_id` column, with its RLS state, in name order. */
export async function auditTenantTables(pool: pg.Pool | pg.PoolClient, schema: string): Promise<TenantTableAudit[]> {
  const res = await pool.query<{ table: string; rls: boolean; forced: boolean; policies: string[]; tenant_policies: string[] }>(
    `SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
            COALESCE(array_agg(p.policyname::text ORDER BY p.policyname) FILTER (WHERE p.policyname IS NOT NULL), '{}'::text[]) AS policies,
            COALESCE(array_agg(p.policyname::text ORDER BY p.policyname) FILTER (
              WHERE (p.roles && ARRAY['public', $2]::name[]) AND p.cmd = 'ALL'
                AND p.qual LIKE '%' || $3 || '%' AND p.with_check LIKE '%' || $3 || '%'), '{}'::text[]) AS tenant_policies
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
       LEFT JOIN pg_policies p ON p.schemaname = n.nspname AND p.tablename = c.relname
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
      GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity
      ORDER BY c.relname`,
    [schema, APP_ROLE, TENANT_SETTING],
  );
  return res.rows.map((r) => ({ table: r.table, rowSecurity: r.rls, forced: r.forced, policies: r.policies, tenantPolicies: r.tenant_policies }));
}

/** What is wrong with a tenant table's RLS (empty when it is isolated): no RLS, not forced, no tenant policy. */
export function tenantTableProblems(audit: TenantTableAudit): string[] {
  const problems: string[] = [];
  if (!audit.rowSecurity) problems.push('row level security not enabled');
  if (!audit.forced) problems.push('row level security not forced');
  if (audit.tenantPolicies.length === 0) problems.push(`no policy on ${TENANT_SETTING} for ${APP_ROLE}`);
  return problems;
}
