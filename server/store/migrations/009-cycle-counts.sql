-- Cycle counting (twin SPEC R33–R38): count tasks, and a reason code on ledger moves (count adjustments, short picks).

ALTER TABLE stock_move ADD COLUMN IF NOT EXISTS reason text;

CREATE TABLE IF NOT EXISTS cycle_counts (
  site_id          text NOT NULL,
  count_id         text NOT NULL,
  location_id      text NOT NULL,
  reason           text NOT NULL CONSTRAINT cycle_counts_reason_known CHECK (reason IN ('scheduled', 'short-pick', 'manual')),
  status           text NOT NULL CONSTRAINT cycle_counts_status_known
                     CHECK (status IN ('open', 'counting', 'recount', 'recounting', 'pending-approval', 'adjusted', 'rejected')),
  attempts         integer NOT NULL DEFAULT 0,
  counter_id       text,                    -- who started the latest blind count
  approver_id      text,
  expected_at_seq  bigint,                  -- seq of the latest count's expectation
  variance_units   integer,                 -- Σ |variance| of the latest submission
  adjusted_units   integer,                 -- Σ |qty| moved to or from ADJUSTMENT when it closed
  deferred_units   integer,                 -- Σ |loss| left to open picks (R37)
  reject_reason    text,
  created_at       timestamptz NOT NULL,
  closed_at        timestamptz,
  created_seq      bigint NOT NULL,
  updated_seq      bigint NOT NULL,
  PRIMARY KEY (site_id, count_id),
  CONSTRAINT cycle_counts_attempts_range CHECK (attempts BETWEEN 0 AND 2)
);
-- R33: one count not yet closed per bin.
CREATE UNIQUE INDEX IF NOT EXISTS cycle_counts_one_open_per_location
  ON cycle_counts (site_id, location_id) WHERE status NOT IN ('adjusted', 'rejected');
CREATE INDEX IF NOT EXISTS cycle_counts_status_idx ON cycle_counts (site_id, status);
