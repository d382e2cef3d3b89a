-- Serials written off by a count or disposed of after a return (twin SPEC R80) get history rows of their own.
ALTER TABLE serial_history DROP CONSTRAINT IF EXISTS serial_history_status_known;
ALTER TABLE serial_history ADD CONSTRAINT serial_history_status_known
  CHECK (status IN ('in-stock', 'picked', 'shipped', 'in-transit', 'transferred', 'written-off', 'disposed'));
