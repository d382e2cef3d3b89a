-- Which process life (its boot id) holds an in-progress Idempotency-Key claim. A keyed request runs only where its
-- site is decided, so a claim held by another life is an earlier owner's, dead or fenced: the next retry takes it over
-- at once instead of waiting out the lease (server/api/idempotency.ts). NULL: a claim from before this column.
ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS holder text;
