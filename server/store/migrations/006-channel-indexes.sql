-- Webhook dedupe also looks up (connection, event id): without this index each delivery scanned the connection's inbox.
CREATE INDEX IF NOT EXISTS channel_inbox_event_idx ON channel_inbox (connection_id, event_id) WHERE event_id IS NOT NULL;

-- Every append's outbox insert asks whether the tenant has a channel connection.
CREATE INDEX IF NOT EXISTS channel_connections_tenant_idx ON channel_connections (site_id, tenant_id);
