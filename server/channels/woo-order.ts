/**
 * WooCommerce order payloads (REST v3 shape, as sent by order.* webhooks and the orders poll) → what the twin needs. Pure.
 * Status: 'processing' is fulfilled; cancelled/refunded/failed cancel; anything else (pending, on-hold awaiting payment,
 * drafts, completed elsewhere, plugin statuses) is ignored until it becomes 'processing'.
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

const CANCELLED = new Set(['cancelled', 'refunded', 'failed', 'trash']);

/** True for the body of the ping WooCommerce sends when a webhook is created: unsigned, form-encoded `webhook_id=<n>`. */
export function isWooPing(rawBody: Buffer): boolean {
  return /^webhook_id=\d+$/.test(rawBody.toString('latin1').trim());
}

function addressFrom(value: unknown, fallbackEmail: string | undefined): ChannelAddress | null {
  if (!isRecord(value)) return null;
  const line1 = text(value['address_1']);
  const city = text(value['city']);
  const country = text(value['country']);
  if (line1 === undefined || city === undefined || country === undefined) return null;
  const name = [text(value['first_name']), text(value['last_name'])].filter(Boolean).join(' ') || (text(value['company']) ?? '');
  const optional = {
    company: text(value['company']),
    line2: text(value['address_2']),
    region: text(value['state']),
    phone: text(value['phone']),
    email: text(value['email']) ?? fallbackEmail,
  };
  const address: ChannelAddress = { name, line1, city, postcode: text(value['postcode']) ?? '', country: country.toUpperCase() };
  for (const [key, v] of Object.entries(optional)) if (v !== undefined) (address as unknown as Record<string, string>)[key] = v;
  return address;
}

/**
 * Maps a WooCommerce order. Lines from `line_items[].sku`; a line without a SKU is resolved through the connection's item
 * mappings (`productId/variationId`, then `productId`), else it is an error. `updatedAt` is `date_modified_gmt`.
 */
export function toWooOrderInput(payload: unknown, connection: MappingConnection): OrderMapping {
  if (!isRecord(payload)) return { ok: false, error: 'the order payload is not a JSON object' };
  const externalId = idText(payload['id']);
  if (externalId === null) return { ok: false, error: 'the order has no id' };
  const updatedAt = isoUtc(payload['date_modified_gmt']) ?? isoUtc(payload['date_created_gmt']);
  if (updatedAt === null) return { ok: false, error: `order ${externalId}: no valid date_modified_gmt` };
  const status = text(payload['status']) ?? '';

  const items = Array.isArray(payload['line_items']) ? (payload['line_items'] as unknown[]) : [];
  const lines: ChannelOrderLine[] = [];
  for (const [index, item] of items.entries()) {
    if (!isRecord(item)) return { ok: false, error: `order ${externalId}: line_items[${index}] is not an object` };
    const qty = item['quantity'];
    if (typeof qty !== 'number' || !Number.isInteger(qty)) return { ok: false, error: `order ${externalId}: line_items[${index}] has no valid quantity` };
    if (qty <= 0) continue;
    const productId = idText(item['product_id']);
    const variationId = idText(item['variation_id']);
    const mapped =
      (productId !== null && variationId !== null && variationId !== '0' ? connection.skuByItem?.get(`${productId}/${variationId}`) : undefined) ??
      (productId !== null ? connection.skuByItem?.get(productId) : undefined);
    const sku = text(item['sku']) ?? mapped;
    if (sku === undefined)
      return { ok: false, error: `order ${externalId}: line_items[${index}] (${text(item['name']) ?? 'unnamed'}) has no SKU and no item mapping` };
    lines.push({ skuCode: sku, qty });
  }

  const shipping = Array.isArray(payload['shipping_lines']) ? (payload['shipping_lines'] as unknown[])[0] : undefined;
  const method = isRecord(shipping) ? [text(shipping['method_id']), text(shipping['method_title'])].filter(Boolean).join(' ') : '';
  const { service, priority } = serviceFrom(method === '' ? null : method);
  const billing = isRecord(payload['billing']) ? payload['billing'] : undefined;
  const email = text(billing?.['email']);
  const cancelled = CANCELLED.has(status);
  const merged = mergeLines(lines);
  let ignore: string | undefined;
  if (!cancelled && status !== 'processing') ignore = `status '${status}' is not for fulfilment (only 'processing' is)`;
  else if (!cancelled && merged.length === 0) ignore = 'nothing to ship (no lines)';
  return {
    ok: true,
    externalId,
    updatedAt,
    cancelled,
    ...(ignore === undefined ? {} : { ignore }),
    order: {
      externalRef: externalId,
      lines: merged,
      shipTo: addressFrom(payload['shipping'], email) ?? addressFrom(billing, email),
      service,
      priority,
    },
  };
}

/** The brief's name for the WooCommerce mapper. */
export const toOrderInput = toWooOrderInput;
