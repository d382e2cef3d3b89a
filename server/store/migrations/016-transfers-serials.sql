-- Moves between sites and serial numbers (twin SPEC R71–R80). Units in transit are stock_quant rows on the physical
-- location 'TRANSIT:<site>' of the source site: despatch is the stock_move bin → transit (reason 'TRANSFER_OUT'); the
-- receiving site's receipt is V:TRANSFER_IN → 'DOCK:<site>' (reason 'TRANSFER_IN'); the source's confirmation clears
-- transit → V:TRANSFER_OUT ('TRANSFER_DELIVERED') and → V:ADJUSTMENT ('TRANSFER_SHORT'). Holds are stock_holds rows.

CREATE TABLE IF NOT EXISTS transfers (
  site_id        text NOT NULL,
  -- 'out': a transfer of this site to other_site_id; 'in': one from other_site_id into this site.
  direction      text NOT NULL CONSTRAINT transfers_direction_known CHECK (direction IN ('out', 'in')),
  transfer_id    text NOT NULL,
  other_site_id  text NOT NULL,
  status         text NOT NULL CONSTRAINT transfers_status_known CHECK (status IN ('created', 'despatched', 'received', 'cancelled', 'expected', 'closed')),
  created_at     timestamptz NOT NULL,
  created_seq    bigint NOT NULL,
  despatched_at  timestamptz,
  closed_at      timestamptz,
  reason         text,
  updated_seq    bigint NOT NULL,
  PRIMARY KEY (site_id, direction, transfer_id),
  CONSTRAINT transfers_status_direction CHECK ((direction = 'out') = (status IN ('created', 'despatched', 'received', 'cancelled')))
);

CREATE TABLE IF NOT EXISTS transfer_lines (
  site_id        text NOT NULL,
  direction      text NOT NULL,
  transfer_id    text NOT NULL,
  line_no        integer NOT NULL,
  tenant_id      text NOT NULL,
  sku_id         text NOT NULL,
  lot            text NOT NULL DEFAULT '',
  expiry         date,
  qty            integer NOT NULL CONSTRAINT transfer_lines_qty_positive CHECK (qty > 0),
  from_location  text,
  serials        text[] NOT NULL DEFAULT '{}',
  received_qty   integer NOT NULL DEFAULT 0 CONSTRAINT transfer_lines_received_nonneg CHECK (received_qty >= 0),
  damaged_qty    integer NOT NULL DEFAULT 0,
  PRIMARY KEY (site_id, direction, transfer_id, line_no),
  FOREIGN KEY (site_id, direction, transfer_id) REFERENCES transfers (site_id, direction, transfer_id),
  CONSTRAINT transfer_lines_damaged_range CHECK (damaged_qty >= 0 AND damaged_qty <= received_qty)
);
CREATE INDEX IF NOT EXISTS transfer_lines_tenant_idx ON transfer_lines (site_id, tenant_id, sku_id);

-- Every place a serial has been (R80): one row per serial per event that moved it.
CREATE TABLE IF NOT EXISTS serial_history (
  site_id      text NOT NULL,
  tenant_id    text NOT NULL,
  sku_id       text NOT NULL,
  serial       text NOT NULL,
  seq          bigint NOT NULL,
  at           timestamptz NOT NULL,
  event        text NOT NULL,
  status       text NOT NULL CONSTRAINT serial_history_status_known CHECK (status IN ('in-stock', 'picked', 'shipped', 'in-transit', 'transferred')),
  location_id  text,
  order_id     text,
  transfer_id  text,
  PRIMARY KEY (site_id, tenant_id, sku_id, serial, seq)
);
CREATE INDEX IF NOT EXISTS serial_history_order_idx ON serial_history (site_id, order_id) WHERE order_id IS NOT NULL;

-- Tenant isolation (013's pattern): RLS, FORCE, one policy per table with a tenant_id column.
ALTER TABLE transfer_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE transfer_lines FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON transfer_lines;
CREATE POLICY tenant_isolation ON transfer_lines
  USING (tenant_id::text = current_setting('floortwin.tenant', true) OR current_setting('floortwin.tenant', true) = '*')
  WITH CHECK (tenant_id::text = current_setting('floortwin.tenant', true) OR current_setting('floortwin.tenant', true) = '*');

ALTER TABLE serial_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE serial_history FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON serial_history;
CREATE POLICY tenant_isolation ON serial_history
  USING (tenant_id::text = current_setting('floortwin.tenant', true) OR current_setting('floortwin.tenant', true) = '*')
  WITH CHECK (tenant_id::text = current_setting('floortwin.tenant', true) OR current_setting('floortwin.tenant', true) = '*');
