-- Returns (twin SPEC R50–R55): RMAs and their receipt/inspection steps. Returned units are stock_quant rows on the
-- physical location 'RETURNS:<site>'; a receipt is the stock_move V:CUSTOMER → returns desk (reason 'RETURN'), a
-- disposal the move returns desk → V:ADJUSTMENT (reason 'RETURN_DISPOSED'); holds are stock_holds rows.

CREATE TABLE IF NOT EXISTS rmas (
  site_id       text NOT NULL,
  rma_id        text NOT NULL,
  tenant_id     text NOT NULL,
  order_id      text NOT NULL,
  status        text NOT NULL CONSTRAINT rmas_status_known CHECK (status IN ('open', 'closed')),
  -- [{ lineNo, skuId, qty, reason }]
  lines         jsonb NOT NULL,
  created_at    timestamptz NOT NULL,
  created_seq   bigint NOT NULL,
  closed_at     timestamptz,
  close_reason  text,
  updated_seq   bigint NOT NULL,
  PRIMARY KEY (site_id, rma_id)
);
CREATE INDEX IF NOT EXISTS rmas_tenant_idx ON rmas (site_id, tenant_id, created_at);
CREATE INDEX IF NOT EXISTS rmas_order_idx ON rmas (site_id, order_id);

CREATE TABLE IF NOT EXISTS rma_steps (
  site_id      text NOT NULL,
  rma_id       text NOT NULL,
  -- receiptId or inspectionId: one effect per id (I8).
  step_id      text NOT NULL,
  seq          bigint NOT NULL,
  kind         text NOT NULL CONSTRAINT rma_steps_kind_known CHECK (kind IN ('receipt', 'inspection')),
  line_no      integer NOT NULL,
  sku_id       text NOT NULL,
  lot          text,
  qty          integer NOT NULL CONSTRAINT rma_steps_qty_positive CHECK (qty > 0),
  grade        text CONSTRAINT rma_steps_grade_known CHECK (grade IN ('A', 'B', 'C', 'unsellable')),
  disposition  text CONSTRAINT rma_steps_disposition_known CHECK (disposition IN ('restock', 'refurbish', 'quarantine', 'dispose')),
  note         text,
  at           timestamptz NOT NULL,
  PRIMARY KEY (site_id, rma_id, kind, step_id),
  CONSTRAINT rma_steps_inspection_graded CHECK ((kind = 'inspection') = (grade IS NOT NULL AND disposition IS NOT NULL))
);
-- The per-client report reads inspections and receipts by time.
CREATE INDEX IF NOT EXISTS rma_steps_at_idx ON rma_steps (site_id, at);
