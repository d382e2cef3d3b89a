-- Sales-channel connections (Shopify, WooCommerce), SKU ↔ channel item mappings, the webhook inbox and the latest
-- channel version applied per external order.

CREATE TABLE IF NOT EXISTS channel_connections (
  id             text PRIMARY KEY,                 -- also the order's `channel`
  kind           text NOT NULL CONSTRAINT channel_connections_kind_known CHECK (kind IN ('shopify', 'woocommerce')),
  site_id        text NOT NULL,
  tenant_id      text NOT NULL,
  shop           text NOT NULL,                    -- Shopify shop domain, or the Woo source URL (trailing slash)
  secrets        text[] NOT NULL,                  -- webhook secrets accepted: current first, the previous while rotating
  api_base_url   text NOT NULL,
  api_token      text NOT NULL,                    -- Shopify Admin token, or Woo 'ck_…:cs_…'
  api_version    text NOT NULL DEFAULT '2025-07',
  location_id    text,                             -- Shopify location gid of this warehouse
  poll_cursor    timestamptz,                      -- reconciliation poll: updated_at of the last order seen
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS channel_connections_shop_key ON channel_connections (kind, shop);

CREATE TABLE IF NOT EXISTS channel_items (
  connection_id     text NOT NULL REFERENCES channel_connections (id) ON DELETE CASCADE,
  sku_id            text NOT NULL,
  external_item_id  text NOT NULL,                 -- Shopify inventory item gid; Woo product id or 'productId/variationId'
  last_pushed_qty   integer,                       -- last level set on the channel (Shopify compare-and-set)
  PRIMARY KEY (connection_id, sku_id)
);

CREATE TABLE IF NOT EXISTS channel_inbox (
  id                 bigserial PRIMARY KEY,
  connection_id      text NOT NULL,
  delivery_id        text NOT NULL,
  event_id           text,
  topic              text NOT NULL,
  external_order_id  text,
  triggered_at       timestamptz,
  received_at        timestamptz NOT NULL DEFAULT now(),
  body               text NOT NULL,
  status             text NOT NULL DEFAULT 'pending' CONSTRAINT channel_inbox_status_known
                       CHECK (status IN ('pending', 'done', 'ignored', 'failed')),
  attempts           integer NOT NULL DEFAULT 0,
  result             jsonb,
  processed_at       timestamptz,
  CONSTRAINT channel_inbox_delivery_key UNIQUE (connection_id, delivery_id)
);
CREATE INDEX IF NOT EXISTS channel_inbox_pending_idx ON channel_inbox (id) WHERE status = 'pending';

CREATE TABLE IF NOT EXISTS channel_orders (
  connection_id       text NOT NULL,
  external_order_id   text NOT NULL,
  order_id            text NOT NULL,
  channel_updated_at  timestamptz NOT NULL,
  PRIMARY KEY (connection_id, external_order_id)
);
