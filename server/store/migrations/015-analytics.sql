-- Analytics over time (issue 9): facts written from committed events by server/analytics/analytics-recorder.ts, one
-- row per event, keyed by (site_id, seq) so a replay of the log writes nothing twice. Times are twin time.
--   analytics_order_facts  an order received / picked / despatched / cancelled (despatch: lead time, cut-off, carrier)
--   analytics_pick_facts   a pick confirmed or shorted (tenant, operative, units)
--   analytics_labour       an operative's signed-on interval (sign-on seq; off_* set by the sign-off)
--   analytics_scan_facts   a handheld confirm scan refused as the wrong location or item (not in the log: live only)
--   analytics_cursor       per site, the last seq recorded and its twin time
-- Two storage modes, the same columns and the same queries (analytics-service.ts):
--   'timescale'   TimescaleDB present: hypertables, and a continuous aggregate of order facts per site and hour
--                 (site-wide reads of order counts; tenant reads stay on the hypertable, under RLS).
--   'partitioned' otherwise: tables partitioned by month range on the time column (a DEFAULT partition catches
--                 anything not yet given its month), months added by analytics_ensure_month(); date_bin queries.
-- The session setting floortwin.analytics_mode = 'partitioned' forces the second mode even with TimescaleDB present.

CREATE TABLE IF NOT EXISTS analytics_settings (
  singleton              boolean PRIMARY KEY DEFAULT true CONSTRAINT analytics_settings_one CHECK (singleton),
  mode                   text NOT NULL CONSTRAINT analytics_settings_mode_known CHECK (mode IN ('timescale', 'partitioned')),
  continuous_aggregates  boolean NOT NULL
);

CREATE TABLE IF NOT EXISTS analytics_cursor (
  site_id  text PRIMARY KEY,
  seq      bigint NOT NULL,
  -- Twin time of the event at `seq`: open labour intervals count up to here.
  at       timestamptz
);

DO $$
DECLARE
  use_timescale boolean := false;
  ts text;
  order_cols text := $c$
    site_id       text NOT NULL,
    seq           bigint NOT NULL,
    at            timestamptz NOT NULL,
    tenant_id     text NOT NULL,
    order_id      text NOT NULL,
    kind          text NOT NULL CONSTRAINT analytics_order_facts_kind_known
                    CHECK (kind IN ('received', 'picked', 'despatched', 'cancelled')),
    -- despatched: created → despatched, ms (null when the creation was never recorded)
    lead_time_ms  bigint,
    -- received and despatched: the carrier cut-off, when the order has one
    due_at        timestamptz,
    -- despatched with a cut-off: despatched at or before it
    on_time       boolean,
    carrier       text,
    PRIMARY KEY (site_id, seq, at)$c$;
  pick_cols text := $c$
    site_id       text NOT NULL,
    seq           bigint NOT NULL,
    at            timestamptz NOT NULL,
    tenant_id     text NOT NULL,
    order_id      text NOT NULL,
    operative_id  text NOT NULL,
    -- units picked; short_qty units not found (PickShorted)
    qty           integer NOT NULL,
    short_qty     integer NOT NULL DEFAULT 0,
    shorted       boolean NOT NULL,
    PRIMARY KEY (site_id, seq, at)$c$;
  labour_cols text := $c$
    site_id       text NOT NULL,
    on_seq        bigint NOT NULL,
    on_at         timestamptz NOT NULL,
    operative_id  text NOT NULL,
    off_seq       bigint,
    off_at        timestamptz,
    PRIMARY KEY (site_id, on_seq, on_at)$c$;
  scan_cols text := $c$
    site_id       text NOT NULL,
    scan_id       text NOT NULL,
    at            timestamptz NOT NULL,
    PRIMARY KEY (site_id, scan_id, at)$c$;
BEGIN
  IF coalesce(current_setting('floortwin.analytics_mode', true), '') <> 'partitioned' THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS timescaledb WITH SCHEMA public;
      use_timescale := true;
    EXCEPTION WHEN OTHERS THEN
      -- Not installed, or not preloaded: partitioned tables instead.
      use_timescale := false;
    END;
  END IF;

  IF use_timescale THEN
    SELECT extnamespace::regnamespace::text INTO ts FROM pg_extension WHERE extname = 'timescaledb';
    EXECUTE format('CREATE TABLE analytics_order_facts (%s)', order_cols);
    EXECUTE format('CREATE TABLE analytics_pick_facts (%s)', pick_cols);
    EXECUTE format('CREATE TABLE analytics_labour (%s)', labour_cols);
    EXECUTE format('CREATE TABLE analytics_scan_facts (%s)', scan_cols);
    EXECUTE format('SELECT %I.create_hypertable(%L::regclass, %L, chunk_time_interval => interval %L)', ts, 'analytics_order_facts', 'at', '7 days');
    EXECUTE format('SELECT %I.create_hypertable(%L::regclass, %L, chunk_time_interval => interval %L)', ts, 'analytics_pick_facts', 'at', '7 days');
    EXECUTE format('SELECT %I.create_hypertable(%L::regclass, %L, chunk_time_interval => interval %L)', ts, 'analytics_labour', 'on_at', '30 days');
    EXECUTE format('SELECT %I.create_hypertable(%L::regclass, %L, chunk_time_interval => interval %L)', ts, 'analytics_scan_facts', 'at', '30 days');
  ELSE
    EXECUTE format('CREATE TABLE analytics_order_facts (%s) PARTITION BY RANGE (at)', order_cols);
    EXECUTE format('CREATE TABLE analytics_pick_facts (%s) PARTITION BY RANGE (at)', pick_cols);
    EXECUTE format('CREATE TABLE analytics_labour (%s) PARTITION BY RANGE (on_at)', labour_cols);
    EXECUTE format('CREATE TABLE analytics_scan_facts (%s) PARTITION BY RANGE (at)', scan_cols);
    CREATE TABLE analytics_order_facts_default PARTITION OF analytics_order_facts DEFAULT;
    CREATE TABLE analytics_pick_facts_default PARTITION OF analytics_pick_facts DEFAULT;
    CREATE TABLE analytics_labour_default PARTITION OF analytics_labour DEFAULT;
    CREATE TABLE analytics_scan_facts_default PARTITION OF analytics_scan_facts DEFAULT;
  END IF;

  CREATE INDEX analytics_order_facts_site_kind_idx ON analytics_order_facts (site_id, kind, at);
  CREATE INDEX analytics_order_facts_tenant_idx ON analytics_order_facts (site_id, tenant_id, kind, at);
  CREATE INDEX analytics_pick_facts_site_idx ON analytics_pick_facts (site_id, at);
  CREATE INDEX analytics_pick_facts_tenant_idx ON analytics_pick_facts (site_id, tenant_id, at);
  CREATE INDEX analytics_labour_open_idx ON analytics_labour (site_id, operative_id, on_seq);

  INSERT INTO analytics_settings (mode, continuous_aggregates)
  VALUES (CASE WHEN use_timescale THEN 'timescale' ELSE 'partitioned' END, false);
END $$;

-- Tenant isolation (013's pattern): RLS, FORCE, one policy on every table with a tenant_id, partitions included.
DO $$
DECLARE
  t text;
BEGIN
  FOR t IN
    SELECT c.relname
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname LIKE 'analytics\_%'
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %I', t);
    EXECUTE format(
      $p$CREATE POLICY tenant_isolation ON %I
           USING (tenant_id::text = current_setting('floortwin.tenant', true) OR current_setting('floortwin.tenant', true) = '*')
           WITH CHECK (tenant_id::text = current_setting('floortwin.tenant', true) OR current_setting('floortwin.tenant', true) = '*')$p$,
      t);
  END LOOP;
END $$;

-- TimescaleDB only: the hourly continuous aggregate of order facts (site-wide; no tenant column). Its refresh job runs
-- as the owner, and the facts tables force RLS, so it is made only when the owner bypasses RLS (superuser or
-- BYPASSRLS): otherwise it would materialise nothing. Without it, every read uses the hypertables.
DO $$
DECLARE
  ts text;
BEGIN
  IF (SELECT mode FROM analytics_settings) <> 'timescale'
     OR NOT (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user) THEN
    RETURN;
  END IF;
  SELECT extnamespace::regnamespace::text INTO ts FROM pg_extension WHERE extname = 'timescaledb';
  BEGIN
    EXECUTE format($v$
      CREATE MATERIALIZED VIEW analytics_orders_hourly
        WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
      SELECT site_id, kind, %1$I.time_bucket(interval '1 hour', at) AS hour,
             count(*) AS n,
             count(*) FILTER (WHERE on_time) AS on_time_n,
             count(*) FILTER (WHERE on_time IS NOT NULL) AS with_cutoff_n
        FROM analytics_order_facts
       GROUP BY site_id, kind, %1$I.time_bucket(interval '1 hour', at)
      WITH NO DATA$v$, ts);
    EXECUTE format($p$SELECT %I.add_continuous_aggregate_policy('analytics_orders_hourly',
      start_offset => NULL, end_offset => interval '1 hour', schedule_interval => interval '15 minutes')$p$, ts);
    UPDATE analytics_settings SET continuous_aggregates = true;
  EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'analytics: continuous aggregate not created (%); site-wide reads use the hypertable', SQLERRM;
  END;
END $$;

-- Adds the month partitions holding `month_of` (partitioned mode; a no-op under TimescaleDB). Runs as the owner so
-- the application role (no DDL) can call it; the tenant tables' partitions get the same RLS policy as their parent.
CREATE OR REPLACE FUNCTION analytics_ensure_month(month_of timestamptz) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
DECLARE
  parent text;
  part text;
  m timestamp;
BEGIN
  IF (SELECT mode FROM analytics_settings) <> 'partitioned' THEN
    RETURN;
  END IF;
  m := date_trunc('month', month_of AT TIME ZONE 'UTC');
  FOREACH parent IN ARRAY ARRAY['analytics_order_facts', 'analytics_pick_facts', 'analytics_labour', 'analytics_scan_facts'] LOOP
    part := parent || '_p' || to_char(m, 'YYYYMM');
    CONTINUE WHEN to_regclass(quote_ident(part)) IS NOT NULL;
    BEGIN
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
        part, parent, m AT TIME ZONE 'UTC', (m + interval '1 month') AT TIME ZONE 'UTC');
      IF parent IN ('analytics_order_facts', 'analytics_pick_facts') THEN
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', part);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', part);
        EXECUTE format(
          $p$CREATE POLICY tenant_isolation ON %I
               USING (tenant_id::text = current_setting('floortwin.tenant', true) OR current_setting('floortwin.tenant', true) = '*')
               WITH CHECK (tenant_id::text = current_setting('floortwin.tenant', true) OR current_setting('floortwin.tenant', true) = '*')$p$,
          part);
      END IF;
    EXCEPTION
      -- Another session added it first.
      WHEN duplicate_table OR duplicate_object OR unique_violation THEN NULL;
      -- Rows of that month already sit in the DEFAULT partition: they stay there (still found by every query).
      WHEN check_violation THEN NULL;
    END;
  END LOOP;
END
$fn$;
