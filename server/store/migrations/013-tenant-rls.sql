-- Tenant isolation, second layer: the application runs as `floortwin_app` (not the owner of any table, no BYPASSRLS),
-- and every table with a tenant_id column has ROW LEVEL SECURITY enabled and forced, with one policy:
--   a row is visible and writable when its tenant_id equals the transaction's `floortwin.tenant` setting,
--   or when that setting is '*' (the site-wide scope of the single writer and the staff paths).
-- No setting (NULL) or an empty one → no rows, and every INSERT/UPDATE fails WITH CHECK.
-- The role is cluster-wide (many schemas share it); the schema's objects and policies are per schema.

-- Roles are cluster-wide: schemas migrating at once serialise here (transaction-scoped advisory lock, one bigint key
-- space, distinct from migrate's two-int lock), and a creator in another database is tolerated.
SELECT pg_advisory_xact_lock(4713839153700013);

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'floortwin_app') THEN
    BEGIN
      CREATE ROLE floortwin_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
  -- A pre-existing role with too much power would defeat RLS: take it away.
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'floortwin_app' AND (rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb)) THEN
    ALTER ROLE floortwin_app NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
  END IF;
  -- The owner's sessions switch to the role (SET ROLE); a superuser may already, any other owner needs membership.
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
     AND NOT pg_has_role(current_user, 'floortwin_app', 'MEMBER') THEN
    EXECUTE format('GRANT floortwin_app TO %I', current_user);
  END IF;
END $$;

-- The I12 ledger checkpoints (previously created by the checker on first use).
CREATE TABLE IF NOT EXISTS ledger_checkpoints (
  site_id      text NOT NULL,
  seq          bigint NOT NULL,
  rows         bigint NOT NULL,
  hash         text NOT NULL,
  chunks       jsonb NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (site_id, seq)
);

-- Privileges in this schema: data only (no DDL, no ownership), for the tables that exist and those later migrations
-- create (default privileges apply to objects created by the migrating role).
DO $$
DECLARE
  s text := current_schema();
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO floortwin_app', s);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO floortwin_app', s);
  EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO floortwin_app', s);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO floortwin_app', s);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO floortwin_app', s);
  -- The migration record is the owner's.
  EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON %I.schema_migrations FROM floortwin_app', s);
END $$;

-- Every table of this schema with a tenant_id column (002–012): RLS, FORCE (the owner too), one policy.
-- Later migrations add theirs explicitly, with the same three statements (see server/store/CONTEXT.md).
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN
    SELECT c.relname
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
     ORDER BY c.relname
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.relname);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t.relname);
    EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %I', t.relname);
    EXECUTE format(
      $p$CREATE POLICY tenant_isolation ON %I
           USING (tenant_id::text = current_setting('floortwin.tenant', true) OR current_setting('floortwin.tenant', true) = '*')
           WITH CHECK (tenant_id::text = current_setting('floortwin.tenant', true) OR current_setting('floortwin.tenant', true) = '*')$p$,
      t.relname);
  END LOOP;
END $$;
