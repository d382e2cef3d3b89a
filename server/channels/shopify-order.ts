/**
 * Shopify order payloads (REST Order shape, as sent by orders/create, orders/updated, orders/cancelled webhooks and the
 * orders.json poll) → what the twin needs. Pure. Parse the body with `parseJsonExact` first: ids exceed 2^53.
 */
import {
  type ChannelAddress,
  type ChannelOrderLine,
  type MappingConnection,
  type OrderMapping,
  idText,
  isRecord,
  isoUtc,
  mergeLines,
  serviceFrom,
  text,
} from './channel-order.ts';

/** The order's stable id: its `admin_graphql_api_id`, else `gid://shopify/Order/<exact id>`. */
export function shopifyOrderId(payload: unknown): string | null {
  if (!isRecord(payload)) return null;
  const gid = text(payload['admin_graphql_api_id']);
  if (gid !== undefined) return gid;
  const id = idText(payload['id']);
  return id === null ? null : `gid://shopify/Order/${id}`;
}

function addressFrom(value: unknown, email: string | undefined): ChannelAddress | null {
  if (!isRecord(value)) return null;
  const line1 = text(value['address1']);
  const city = text(value['city']);
  const country = text(value['country_code']);
  if (line1 === undefined || city === undefined || country === undefined) return null;
  const name =
    text(value['name']) ?? ([text(value['first_name']), text(value['last_name'])].filter(Boolean).join(' ') || (text(value['company']) ?? ''));
  const optional = {
    company: text(value['company']),
    line2: text(value['address2']),
    region: text(value['province_code']) ?? text(value['province']),
    phone: text(value['phone']),
    email,
  };
  const address: ChannelAddress = { name, line1, city, postcode: text(value['zip']) ?? '', country: country.toUpperCase() };
  for (const [key, v] of Object.entries(optional)) if (v !== undefined) (address as unknown as Record<string, string>)[key] = v;
  return address;
}

/**
 * Maps a Shopify order. Lines: `line_items[].sku` with `fulfillable_quantity ?? quantity`, skipping lines that need no
 * shipping, gift cards and lines with nothing left to fulfil. Cancelled when `cancelled_at` is set. `ignore` when nothing
 * is left to ship. A shippable line without a SKU is an error (the warehouse cannot pick it).
 */
export function toShopifyOrderInput(payload: unknown, _connection: MappingConnection): OrderMapping {
  if (!isRecord(payload)) return { ok: false, error: 'the order payload is not a JSON object' };
  const externalId = shopifyOrderId(payload);
  if (externalId === null) return { ok: false, error: 'the order has no id or admin_graphql_api_id' };
  const updatedAt = isoUtc(payload['updated_at']) ?? isoUtc(payload['created_at']);
  if (updatedAt === null) return { ok: false, error: `order ${externalId}: no valid updated_at` };

  const items = Array.isArray(payload['line_items']) ? (payload['line_items'] as unknown[]) : [];
  const lines: ChannelOrderLine[] = [];
  for (const [index, item] of items.entries()) {
    if (!isRecord(item)) return { ok: false, error: `order ${externalId}: line_items[${index}] is not an object` };
    if (item['requires_shipping'] === false || item['gift_card'] === true) continue;
    const fulfillable = item['fulfillable_quantity'];
    const qty = typeof fulfillable === 'number' ? fulfillable : item['quantity'];
    if (typeof qty !== 'number' || !Number.isInteger(qty) || qty < 0)
      return { ok: false, error: `order ${externalId}: line_items[${index}] has no valid quantity` };
    if (qty === 0) continue;
    const sku = text(item['sku']);
    if (sku === undefined)
      return { ok: false, error: `order ${externalId}: line_items[${index}] (${text(item['name']) ?? 'unnamed'}) has no SKU` };
    lines.push({ skuCode: sku, qty });
  }

  const shipping = Array.isArray(payload['shipping_lines']) ? (payload['shipping_lines'] as unknown[])[0] : undefined;
  const method = isRecord(shipping) ? [text(shipping['code']), text(shipping['title'])].filter(Boolean).join(' ') : '';
  const { service, priority } = serviceFrom(method === '' ? null : method);
  const cancelled = payload['cancelled_at'] !== null && payload['cancelled_at'] !== undefined;
  const merged = mergeLines(lines);
  return {
    ok: true,
    externalId,
    updatedAt,
    cancelled,
    ...(merged.length === 0 && !cancelled ? { ignore: 'nothing to ship (no unfulfilled shippable lines)' } : {}),
    order: {
      externalRef: externalId,
      lines: merged,
      shipTo: addressFrom(payload['shipping_address'], text(payload['email']) ?? text(payload['contact_email'])),
      service,
      priority,
    },
  };
}

/** The brief's name for the Shopify mapper. */
export const toOrderInput = toShopifyOrderInput;
