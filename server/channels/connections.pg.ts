/** Channel connections (one Shopify shop or WooCommerce site per tenant and site) and their SKU ↔ item mappings, in Postgres. */
import { quoteIdent } from '../store/pg-util.ts';
import type { Db } from './inbox.pg.ts';

export type ChannelKind = 'shopify' | 'woocommerce';

/** One sales-channel connection. `secrets` and `apiToken` are credentials: never send them to a client. */
export interface ChannelConnection {
  /** e.g. 'shopify-acme'; also the twin order's `channel`. */
  readonly id: string;
  readonly kind: ChannelKind;
  readonly siteId: string;
  readonly tenantId: string;
  /** Shopify shop domain (x.myshopify.com), or the Woo source URL with a trailing slash. */
  readonly shop: string;
  /** Webhook secrets accepted: the current first, the previous one while rotating. */
  readonly secrets: readonly string[];
  readonly apiBaseUrl: string;
  readonly apiToken: string;
  readonly apiVersion: string;
  /** Shopify location gid of this warehouse. */
  readonly locationId: string | null;
  /** Reconciliation poll cursor (ISO), or null before the first poll. */
  readonly pollCursor: string | null;
  readonly createdAt: string;
}

/** A SKU ↔ channel item mapping. */
export interface ChannelItem {
  readonly skuId: string;
  /** Shopify inventory item gid; Woo product id or 'productId/variationId'. */
  readonly externalItemId: string;
  /** What we last set on the channel (Shopify compare-and-set), or null. */
  readonly lastPushedQty: number | null;
}

export type NewChannelConnection = Omit<ChannelConnection, 'createdAt' | 'pollCursor' | 'apiVersion' | 'locationId'> & {
  readonly apiVersion?: string;
  readonly locationId?: string | null;
};

type Queryable = Db;

interface ConnectionRow {
  id: string;
  kind: ChannelKind;
  site_id: string;
  tenant_id: string;
  shop: string;
  secrets: string[];
  api_base_url: string;
  api_token: string;
  api_version: string;
  location_id: string | null;
  poll_cursor: Date | null;
  created_at: Date;
}

const COLUMNS = 'id, kind, site_id, tenant_id, shop, secrets, api_base_url, api_token, api_version, location_id, poll_cursor, created_at';

function fromRow(row: ConnectionRow): ChannelConnection {
  return {
    id: row.id,
    kind: row.kind,
    siteId: row.site_id,
    tenantId: row.tenant_id,
    shop: row.shop,
    secrets: row.secrets,
    apiBaseUrl: row.api_base_url,
    apiToken: row.api_token,
    apiVersion: row.api_version,
    locationId: row.location_id,
    pollCursor: row.poll_cursor === null ? null : row.poll_cursor.toISOString(),
    createdAt: row.created_at.toISOString(),
  };
}

const table = (schema: string, name: string): string => `${quoteIdent(schema)}.${name}`;

/** Thrown by `createConnection` when the id, or the (kind, shop) pair, is already taken. */
export class ConnectionExistsError extends Error {
  constructor(readonly field: 'id' | 'shop') {
    super(field === 'id' ? 'a connection with this id exists' : 'this shop is already connected');
  }
}

/** Creates a connection; throws ConnectionExistsError on a duplicate id or (kind, shop). */
export async function createConnection(db: Queryable, schema: string, input: NewChannelConnection): Promise<ChannelConnection> {
  try {
    const res = await db.query<ConnectionRow>(
      `INSERT INTO ${table(schema, 'channel_connections')}
         (id, kind, site_id, tenant_id, shop, secrets, api_base_url, api_token, api_version, location_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
      [input.id, input.kind, input.siteId, input.tenantId, input.shop, [...input.secrets], input.apiBaseUrl, input.apiToken, input.apiVersion ?? '2025-07', input.locationId ?? null],
    );
    return fromRow(res.rows[0] as ConnectionRow);
  } catch (error) {
    const e = error as { code?: string; constraint?: string };
    if (e.code === '23505') throw new ConnectionExistsError(e.constraint === 'channel_connections_pkey' ? 'id' : 'shop');
    throw error;
  }
}

/** The connection with `id`, or null. */
export async function loadConnection(db: Queryable, schema: string, id: string): Promise<ChannelConnection | null> {
  const res = await db.query<ConnectionRow>(`SELECT ${COLUMNS} FROM ${table(schema, 'channel_connections')} WHERE id = $1`, [id]);
  const row = res.rows[0];
  return row === undefined ? null : fromRow(row);
}

/** Every connection, optionally only those of the given sites. */
export async function listConnections(db: Queryable, schema: string, siteIds?: readonly string[]): Promise<ChannelConnection[]> {
  const res =
    siteIds === undefined
      ? await db.query<ConnectionRow>(`SELECT ${COLUMNS} FROM ${table(schema, 'channel_connections')} ORDER BY id`)
      : await db.query<ConnectionRow>(`SELECT ${COLUMNS} FROM ${table(schema, 'channel_connections')} WHERE site_id = ANY($1) ORDER BY id`, [[...siteIds]]);
  return res.rows.map(fromRow);
}

/**
 * Inserts or updates mappings by SKU. A SKU mapped to a different item forgets `last_pushed_qty` (the new item's level is
 * unknown). Returns the connection's full list afterwards.
 */
export async function upsertItems(
  db: Queryable,
  schema: string,
  connectionId: string,
  items: readonly { skuId: string; externalItemId: string }[],
): Promise<ChannelItem[]> {
  if (items.length > 0) {
    const t = table(schema, 'channel_items');
    // A new or changed mapping gets a first push of the current level: a 'stock' row in the outbox, in the same
    // statement, so the channel never keeps a level it set itself before the link existed.
    await db.query(
      `WITH mapped AS (
         INSERT INTO ${t} (connection_id, sku_id, external_item_id)
         SELECT $1, i.sku_id, i.external_item_id FROM unnest($2::text[], $3::text[]) AS i(sku_id, external_item_id)
         ON CONFLICT (connection_id, sku_id) DO UPDATE SET
           external_item_id = EXCLUDED.external_item_id,
           last_pushed_qty = CASE WHEN ${t}.external_item_id = EXCLUDED.external_item_id THEN ${t}.last_pushed_qty END
         RETURNING sku_id
       )
       INSERT INTO ${table(schema, 'outbox')} (site_id, seq, kind, tenant_id, sku_id)
       SELECT c.site_id, 0, 'stock', c.tenant_id, m.sku_id FROM mapped m JOIN ${table(schema, 'channel_connections')} c ON c.id = $1`,
      [connectionId, items.map((i) => i.skuId), items.map((i) => i.externalItemId)],
    );
  }
  return listItems(db, schema, connectionId);
}

/** The connection's mappings, by SKU id. */
export async function listItems(db: Queryable, schema: string, connectionId: string): Promise<ChannelItem[]> {
  const res = await db.query<{ sku_id: string; external_item_id: string; last_pushed_qty: number | null }>(
    `SELECT sku_id, external_item_id, last_pushed_qty FROM ${table(schema, 'channel_items')} WHERE connection_id = $1 ORDER BY sku_id`,
    [connectionId],
  );
  return res.rows.map((r) => ({ skuId: r.sku_id, externalItemId: r.external_item_id, lastPushedQty: r.last_pushed_qty }));
}
