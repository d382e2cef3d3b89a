-- A despatched transfer the destination refused (twin SPEC R76a): the refusal shows on the source's transfer row, and
-- the desk can bring the units back (status 'returned'; the stock_move TRANSIT:<site> → dock or bin, reason
-- 'TRANSFER_RETURNED').
ALTER TABLE transfers ADD COLUMN IF NOT EXISTS refusal_site_id text;
ALTER TABLE transfers ADD COLUMN IF NOT EXISTS refusal_code text;
ALTER TABLE transfers ADD COLUMN IF NOT EXISTS refusal_message text;
ALTER TABLE transfers ADD COLUMN IF NOT EXISTS refused_at timestamptz;
ALTER TABLE transfers ADD COLUMN IF NOT EXISTS return_location text;
ALTER TABLE transfers DROP CONSTRAINT IF EXISTS transfers_status_known;
ALTER TABLE transfers ADD CONSTRAINT transfers_status_known
  CHECK (status IN ('created', 'despatched', 'received', 'cancelled', 'returned', 'expected', 'closed'));
ALTER TABLE transfers DROP CONSTRAINT IF EXISTS transfers_status_direction;
ALTER TABLE transfers ADD CONSTRAINT transfers_status_direction
  CHECK ((direction = 'out') = (status IN ('created', 'despatched', 'received', 'cancelled', 'returned')));
