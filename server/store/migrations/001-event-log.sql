-- The durable log: one row per site, the gap-free event log, snapshots.
CREATE TABLE IF NOT EXISTS sites (
  site_id     text PRIMARY KEY,
  definition  jsonb NOT NULL,
  -- The append fence: an append moves last_seq from expectedSeq to its last seq with a conditional UPDATE.
  last_seq    bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS events (
  -- No foreign key to sites: the append's fence UPDATE on the site row already proves the site exists.
  site_id  text NOT NULL,
  seq      bigint NOT NULL CHECK (seq > 0),
  type     text NOT NULL,
  at       timestamptz NOT NULL,
  payload  jsonb NOT NULL,
  -- Second fence: a stale writer that slipped past last_seq cannot insert a seq twice.
  PRIMARY KEY (site_id, seq)
);

CREATE TABLE IF NOT EXISTS snapshots (
  site_id     text NOT NULL REFERENCES sites (site_id),
  seq         bigint NOT NULL CHECK (seq >= 0),
  data        jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (site_id, seq)
);
