-- Identity (issue 9): users with roles, their sign-in sessions, and API keys for integrations.
-- Secrets are never stored: a session token and an API key are kept as the sha256 of the token (hex), a password as
-- an scrypt hash (server/auth/passwords.ts).
--
-- Row-level security: these tables are deliberately OUTSIDE tenant RLS. Authentication has to find a user or a key
-- before any tenant is known (the tenant is what authentication yields), so no `floortwin.tenant` can be set for
-- these lookups. The tenant a client principal belongs to is therefore named `client_tenant_id`, not `tenant_id`, so
-- the tenant-table test (013) does not take them for tenant data; the code in server/auth/ scopes every client-admin
-- query by it explicitly (a client-admin sees and revokes only its own tenant's keys).

CREATE TABLE IF NOT EXISTS users (
  user_id          text PRIMARY KEY,
  -- Lower-cased on write; one account per e-mail.
  email            text NOT NULL UNIQUE CONSTRAINT users_email_lower CHECK (email = lower(email)),
  password_hash    text NOT NULL,
  role             text NOT NULL CONSTRAINT users_role_known
                     CHECK (role IN ('site-manager', 'planner', 'supervisor', 'picker', 'packer', 'client-user', 'client-admin')),
  -- The 3PL client of a client-user/client-admin; NULL for warehouse staff.
  client_tenant_id text,
  disabled_at      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_tenant_matches_role CHECK ((role IN ('client-user', 'client-admin')) = (client_tenant_id IS NOT NULL))
);

CREATE TABLE IF NOT EXISTS sessions (
  -- sha256(token), hex.
  token_hash   text PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  CONSTRAINT sessions_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE INDEX IF NOT EXISTS sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE IF NOT EXISTS api_keys (
  key_id           text PRIMARY KEY,
  -- sha256(key), hex.
  key_hash         text NOT NULL UNIQUE,
  label            text NOT NULL,
  role             text NOT NULL CONSTRAINT api_keys_role_known
                     CHECK (role IN ('site-manager', 'planner', 'supervisor', 'picker', 'packer', 'client-user', 'client-admin', 'integration')),
  client_tenant_id text,
  created_by       text NOT NULL,
  created_at       timestamptz NOT NULL,
  revoked_at       timestamptz,
  CONSTRAINT api_keys_tenant_matches_role
    CHECK ((role IN ('client-user', 'client-admin', 'integration')) = (client_tenant_id IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS api_keys_tenant_idx ON api_keys (client_tenant_id, created_at);
