-- Projections written from the events in the append's transaction. The twin never reads them back to decide.

-- Double-entry stock ledger: every move goes from one location to another; virtual locations start with 'V:'.
CREATE TABLE IF NOT EXISTS stock_move (
  site_id        text NOT NULL,
  seq            bigint NOT NULL,
  idx            integer NOT NULL,          -- position of the move within its event
  tenant_id      text NOT NULL,
  sku_id         text NOT NULL,
  lot            text NOT NULL,
  expiry         date,
  from_location  text NOT NULL,
  to_location    text NOT NULL,
  qty            integer NOT NULL CONSTRAINT stock_move_qty_positive CHECK (qty > 0),
  order_id       text,                      -- set for picks and despatches
  at             timestamptz NOT NULL,
  PRIMARY KEY (site_id, seq, idx),
  CONSTRAINT stock_move_distinct_ends CHECK (from_location <> to_location)
);
CREATE INDEX IF NOT EXISTS stock_move_order_idx ON stock_move (site_id, order_id) WHERE order_id IS NOT NULL;

-- Stock by physical location. Rows stay when they reach zero (a location's history of holding the item).
CREATE TABLE IF NOT EXISTS stock_quant (
  site_id      text NOT NULL,
  location_id  text NOT NULL,
  tenant_id    text NOT NULL,
  sku_id       text NOT NULL,
  lot          text NOT NULL,
  expiry       date,
  on_hand      integer NOT NULL DEFAULT 0,
  reserved     integer NOT NULL DEFAULT 0,
  updated_seq  bigint NOT NULL,
  PRIMARY KEY (site_id, location_id, tenant_id, sku_id, lot),
  CONSTRAINT stock_quant_on_hand_nonnegative CHECK (on_hand >= 0),
  CONSTRAINT stock_quant_reserved_range CHECK (reserved >= 0 AND reserved <= on_hand),
  CONSTRAINT stock_quant_physical_only CHECK (location_id NOT LIKE 'V:%')
);
CREATE INDEX IF NOT EXISTS stock_quant_sku_idx ON stock_quant (site_id, tenant_id, sku_id);

CREATE TABLE IF NOT EXISTS orders (
  site_id          text NOT NULL,
  order_id         text NOT NULL,
  tenant_id        text NOT NULL,
  status           text NOT NULL CONSTRAINT orders_status_known
                     CHECK (status IN ('open', 'allocated', 'released', 'picked', 'packed', 'despatched', 'cancelled')),
  external_ref     text,
  priority         integer NOT NULL,
  created_at       timestamptz NOT NULL,
  despatched_at    timestamptz,
  carrier          text,
  tracking_number  text,
  updated_seq      bigint NOT NULL,
  PRIMARY KEY (site_id, order_id)
);
CREATE INDEX IF NOT EXISTS orders_tenant_status_idx ON orders (site_id, tenant_id, status);
CREATE INDEX IF NOT EXISTS orders_external_ref_idx ON orders (site_id, tenant_id, external_ref) WHERE external_ref IS NOT NULL;

CREATE TABLE IF NOT EXISTS order_lines (
  site_id      text NOT NULL,
  order_id     text NOT NULL,
  line_no      integer NOT NULL,
  sku_id       text NOT NULL,
  ordered      integer NOT NULL CONSTRAINT order_lines_ordered_positive CHECK (ordered > 0),
  allocated    integer NOT NULL DEFAULT 0,
  backordered  integer NOT NULL DEFAULT 0,
  picked       integer NOT NULL DEFAULT 0,
  shorted      integer NOT NULL DEFAULT 0,
  -- No foreign key to orders: the single writer inserts both in one transaction, and an RI trigger per row (its plan
  -- cached while orders was small) dominated append time in the benchmark.
  PRIMARY KEY (site_id, order_id, line_no),
  CONSTRAINT order_lines_nonnegative CHECK (allocated >= 0 AND backordered >= 0 AND picked >= 0 AND shorted >= 0),
  CONSTRAINT order_lines_allocation_within_order CHECK (allocated + backordered <= ordered),
  CONSTRAINT order_lines_picks_within_allocation CHECK (picked + shorted <= allocated)
);

-- Reservations made by OrderAllocated; OrderReleased hands them over to pick tasks (released = true).
CREATE TABLE IF NOT EXISTS order_allocations (
  site_id      text NOT NULL,
  seq          bigint NOT NULL,
  idx          integer NOT NULL,
  order_id     text NOT NULL,
  line_no      integer NOT NULL,
  location_id  text NOT NULL,
  tenant_id    text NOT NULL,
  sku_id       text NOT NULL,
  lot          text NOT NULL,
  expiry       date,
  qty          integer NOT NULL CONSTRAINT order_allocations_qty_positive CHECK (qty > 0),
  released     boolean NOT NULL DEFAULT false,
  PRIMARY KEY (site_id, seq, idx)
);
CREATE INDEX IF NOT EXISTS order_allocations_open_idx ON order_allocations (site_id, order_id) WHERE NOT released;

CREATE TABLE IF NOT EXISTS pick_tasks (
  site_id       text NOT NULL,
  task_id       text NOT NULL,
  order_id      text NOT NULL,
  tenant_id     text NOT NULL,
  line_no       integer NOT NULL,
  location_id   text NOT NULL,
  sku_id        text NOT NULL,
  lot           text NOT NULL,
  expiry        date,
  qty           integer NOT NULL CONSTRAINT pick_tasks_qty_positive CHECK (qty > 0),
  status        text NOT NULL CONSTRAINT pick_tasks_status_known CHECK (status IN ('released', 'assigned', 'picked', 'shorted')),
  operative_id  text,
  picked_qty    integer NOT NULL DEFAULT 0,
  shorted_qty   integer NOT NULL DEFAULT 0,
  created_seq   bigint NOT NULL,
  updated_seq   bigint NOT NULL,
  PRIMARY KEY (site_id, task_id),
  CONSTRAINT pick_tasks_done_within_qty CHECK (picked_qty >= 0 AND shorted_qty >= 0 AND picked_qty + shorted_qty <= qty)
);
CREATE INDEX IF NOT EXISTS pick_tasks_order_idx ON pick_tasks (site_id, order_id);
CREATE INDEX IF NOT EXISTS pick_tasks_open_idx ON pick_tasks (site_id, location_id) WHERE status IN ('released', 'assigned');

CREATE TABLE IF NOT EXISTS operatives (
  site_id       text NOT NULL,
  operative_id  text NOT NULL,
  name          text NOT NULL,
  signed_on     boolean NOT NULL,
  updated_seq   bigint NOT NULL,
  PRIMARY KEY (site_id, operative_id)
);
