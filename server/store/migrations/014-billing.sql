-- Billing (server/billing): rate cards per site and client, versioned. A new card is a new version (never an update),
-- so an invoice names the version it was rated with and a past period can be re-rated against any version.
CREATE TABLE IF NOT EXISTS rate_cards (
  site_id         text NOT NULL,
  tenant_id       text NOT NULL,
  version         integer NOT NULL CHECK (version > 0),
  -- The card applies to periods starting on or after this date (UTC), until a later version's date.
  effective_from  date NOT NULL,
  card            jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  created_by      text,
  PRIMARY KEY (site_id, tenant_id, version)
);

CREATE INDEX IF NOT EXISTS rate_cards_effective ON rate_cards (site_id, tenant_id, effective_from DESC, version DESC);

-- Tenant isolation as in 013: RLS enabled and forced, one policy on `floortwin.tenant` (a tenant id or '*').
ALTER TABLE rate_cards ENABLE ROW LEVEL SECURITY;
ALTER TABLE rate_cards FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON rate_cards;
CREATE POLICY tenant_isolation ON rate_cards
  USING (tenant_id::text = current_setting('floortwin.tenant', true) OR current_setting('floortwin.tenant', true) = '*')
  WITH CHECK (tenant_id::text = current_setting('floortwin.tenant', true) OR current_setting('floortwin.tenant', true) = '*');

-- Versions are appended, never changed: the app role may read and insert only (013's default privileges give more).
REVOKE UPDATE, DELETE ON rate_cards FROM floortwin_app;
GRANT SELECT, INSERT ON rate_cards TO floortwin_app;
