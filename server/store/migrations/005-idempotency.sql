-- Idempotency keys for the REST API: the first answer to (scope, key) is kept and replayed to retries with the same
-- request; a different request under the same key is refused. Rows older than the retention (7 days) are pruned by
-- pruneIdempotencyKeys (server/api/idempotency.ts) and treated as absent before that.

CREATE TABLE IF NOT EXISTS idempotency_keys (
  scope            text NOT NULL,                  -- site + route, e.g. 'demo POST /orders'
  key              text NOT NULL,                  -- the client's Idempotency-Key (1-255 printable ASCII)
  request_hash     text NOT NULL,                  -- sha256 of method, path and canonical JSON body
  status           text NOT NULL CONSTRAINT idempotency_keys_status_known CHECK (status IN ('in_progress', 'done')),
  response_status  integer,
  response_body    jsonb,
  created_at       timestamptz NOT NULL,
  locked_until     timestamptz,                    -- lease of the request in progress; after it a retry takes over
  PRIMARY KEY (scope, key),
  CONSTRAINT idempotency_keys_done_has_response CHECK (status <> 'done' OR (response_status IS NOT NULL AND response_body IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created_idx ON idempotency_keys (created_at);
