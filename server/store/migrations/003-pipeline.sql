-- Order-to-despatch: channel identity on orders, packing and shipment columns, cancelled units per line, wave and
-- batch on tasks, and the transactional outbox (rows written in the append's transaction, relayed to channels).

ALTER TABLE orders ADD COLUMN IF NOT EXISTS channel text NOT NULL DEFAULT 'api';
ALTER TABLE orders ADD COLUMN IF NOT EXISTS service text;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS due_at timestamptz;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS sscc text;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS carton_code text;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS weight_g integer;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS cancel_reason text;
-- I8: one order per (tenant, channel, external order id).
CREATE UNIQUE INDEX IF NOT EXISTS orders_channel_ref_key ON orders (site_id, tenant_id, channel, external_ref) WHERE external_ref IS NOT NULL;
-- An SSCC is never reused (GS1: not within 12 months; we never).
CREATE UNIQUE INDEX IF NOT EXISTS orders_sscc_key ON orders (sscc) WHERE sscc IS NOT NULL;

-- A short pick hands the short units back to allocation, so `allocated` counts units allocated and not shorted;
-- `shorted` is history. I7: allocated + backordered + cancelled = ordered once allocated; picked ≤ allocated.
ALTER TABLE order_lines ADD COLUMN IF NOT EXISTS cancelled integer NOT NULL DEFAULT 0;
ALTER TABLE order_lines DROP CONSTRAINT IF EXISTS order_lines_picks_within_allocation;
ALTER TABLE order_lines DROP CONSTRAINT IF EXISTS order_lines_allocation_within_order;
ALTER TABLE order_lines DROP CONSTRAINT IF EXISTS order_lines_nonnegative;
ALTER TABLE order_lines ADD CONSTRAINT order_lines_nonnegative
  CHECK (allocated >= 0 AND backordered >= 0 AND picked >= 0 AND shorted >= 0 AND cancelled >= 0);
ALTER TABLE order_lines ADD CONSTRAINT order_lines_allocation_within_order CHECK (allocated + backordered + cancelled <= ordered);
ALTER TABLE order_lines ADD CONSTRAINT order_lines_picks_within_allocation CHECK (picked <= allocated);

ALTER TABLE pick_tasks ADD COLUMN IF NOT EXISTS wave_id text;
ALTER TABLE pick_tasks ADD COLUMN IF NOT EXISTS batch_id text;
ALTER TABLE pick_tasks DROP CONSTRAINT IF EXISTS pick_tasks_status_known;
ALTER TABLE pick_tasks ADD CONSTRAINT pick_tasks_status_known CHECK (status IN ('released', 'assigned', 'picked', 'shorted', 'cancelled'));

CREATE TABLE IF NOT EXISTS outbox (
  id               bigserial PRIMARY KEY,
  site_id          text NOT NULL,
  seq              bigint NOT NULL,
  kind             text NOT NULL CONSTRAINT outbox_kind_known CHECK (kind IN ('stock', 'fulfilment')),
  tenant_id        text NOT NULL,
  sku_id           text,
  order_id         text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  done_at          timestamptz,
  last_error       text
);
CREATE INDEX IF NOT EXISTS outbox_pending_idx ON outbox (next_attempt_at) WHERE done_at IS NULL;
