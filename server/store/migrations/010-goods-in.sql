-- Goods-in and stock statuses (twin SPEC R39–R46): holds, advance shipping notices and dock receipts.
-- The dock is the physical location 'DOCK:<site>' (stock_quant rows like any bin); receipts are stock_move rows
-- V:SUPPLIER → dock with reason 'RECEIPT' (or 'BLIND_RECEIPT').

CREATE TABLE IF NOT EXISTS stock_holds (
  site_id         text NOT NULL,
  hold_id         text NOT NULL,
  placed_seq      bigint NOT NULL,
  status          text NOT NULL CONSTRAINT stock_holds_status_known CHECK (status IN ('qc', 'quarantine', 'damaged', 'expired')),
  source          text NOT NULL CONSTRAINT stock_holds_source_known CHECK (source IN ('manual', 'receipt', 'expiry')),
  reason          text NOT NULL,
  -- [{ locationId, tenantId, skuId, lot, expiry, qty }]
  lines           jsonb NOT NULL,
  units           integer NOT NULL CONSTRAINT stock_holds_units_positive CHECK (units > 0),
  placed_at       timestamptz NOT NULL,
  released_seq    bigint,
  released_at     timestamptz,
  release_reason  text,
  -- A released id may be placed again: each placement is its own row.
  PRIMARY KEY (site_id, hold_id, placed_seq)
);
-- Active holds by id (the twin allows one active hold per id, R39; an id may be reused after release).
CREATE INDEX IF NOT EXISTS stock_holds_active_idx ON stock_holds (site_id, hold_id) WHERE released_seq IS NULL;

CREATE TABLE IF NOT EXISTS asns (
  site_id       text NOT NULL,
  asn_ref       text NOT NULL,
  tenant_id     text NOT NULL,
  status        text NOT NULL CONSTRAINT asns_status_known CHECK (status IN ('open', 'closed')),
  -- [{ lineNo, skuId, qty, lot, expiry }]
  lines         jsonb NOT NULL,
  created_at    timestamptz NOT NULL,
  created_seq   bigint NOT NULL,
  closed_at     timestamptz,
  close_reason  text,
  -- R46: the discrepancy report written when the ASN closed.
  report        jsonb,
  updated_seq   bigint NOT NULL,
  PRIMARY KEY (site_id, asn_ref)
);
CREATE INDEX IF NOT EXISTS asns_tenant_idx ON asns (site_id, tenant_id, status);

CREATE TABLE IF NOT EXISTS goods_receipts (
  site_id      text NOT NULL,
  receipt_id   text NOT NULL,
  seq          bigint NOT NULL,
  asn_ref      text,
  line_no      integer,
  tenant_id    text NOT NULL,
  sku_id       text NOT NULL,
  lot          text NOT NULL,
  expiry       date,
  location_id  text NOT NULL,
  qty          integer NOT NULL CONSTRAINT goods_receipts_qty_positive CHECK (qty > 0),
  damaged_qty  integer NOT NULL CONSTRAINT goods_receipts_damaged_range CHECK (damaged_qty BETWEEN 0 AND qty),
  over_qty     integer NOT NULL CONSTRAINT goods_receipts_over_range CHECK (over_qty BETWEEN 0 AND qty),
  reason       text,
  -- R43: received without an ASN, flagged for review.
  blind        boolean NOT NULL,
  at           timestamptz NOT NULL,
  -- I8: one effect per receipt id.
  PRIMARY KEY (site_id, receipt_id),
  CONSTRAINT goods_receipts_blind_has_no_asn CHECK (blind = (asn_ref IS NULL))
);
CREATE INDEX IF NOT EXISTS goods_receipts_asn_idx ON goods_receipts (site_id, asn_ref) WHERE asn_ref IS NOT NULL;
CREATE INDEX IF NOT EXISTS goods_receipts_blind_idx ON goods_receipts (site_id, tenant_id) WHERE blind;
