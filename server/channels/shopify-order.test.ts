import { describe, expect, it } from 'vitest';
import { orderIdFor } from './channel-order.ts';
import { parseJsonExact } from './json-bigint.ts';
import { shopifyOrderId, toShopifyOrderInput } from './shopify-order.ts';

const connection = { id: 'shopify-acme', tenantId: 'acme' };

function order(extra: Record<string, unknown> = {}) {
  return {
    id: 820982911946154508n,
    admin_graphql_api_id: 'gid://shopify/Order/820982911946154508',
    name: '#9999',
    email: 'jon@example.com',
    updated_at: '2026-11-27T10:00:00-05:00',
    created_at: '2026-11-27T09:59:00-05:00',
    cancelled_at: null,
    shipping_address: {
      first_name: 'Jon', last_name: 'Snow', name: 'Jon Snow', company: null, address1: '1 Wall St', address2: '',
      city: 'York', province: 'North Yorkshire', province_code: 'NYK', zip: 'YO1 7HH', country_code: 'gb', phone: '+44 1904 000000',
    },
    shipping_lines: [{ code: 'Standard', title: 'Standard shipping' }],
    line_items: [
      { id: 1, sku: 'SKU-00002', quantity: 2, fulfillable_quantity: 2, requires_shipping: true, gift_card: false },
      { id: 2, sku: 'SKU-00004', quantity: 1, fulfillable_quantity: 1, requires_shipping: true, gift_card: false },
      { id: 3, sku: 'GIFT', quantity: 1, requires_shipping: false, gift_card: true },
      { id: 4, sku: 'SKU-00002', quantity: 1, requires_shipping: true },
      { id: 5, sku: 'SKU-00006', quantity: 3, fulfillable_quantity: 0, requires_shipping: true },
    ],
    ...extra,
  };
}

/** Serialises like Shopify does: the id as a bare 18-digit number. */
const wire = (o: object) => JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? `#BIG${v}#` : v)).replace(/"#BIG(\d+)#"/g, '$1');

describe('toShopifyOrderInput', () => {
  it('maps an orders/create payload: GID, UTC updatedAt, shippable lines, address, service', () => {
    const mapped = toShopifyOrderInput(parseJsonExact(wire(order())), connection);
    expect(mapped).toEqual({
      ok: true,
      externalId: 'gid://shopify/Order/820982911946154508',
      updatedAt: '2026-11-27T15:00:00.000Z',
      cancelled: false,
      order: {
        externalRef: 'gid://shopify/Order/820982911946154508',
        lines: [{ skuCode: 'SKU-00002', qty: 3 }, { skuCode: 'SKU-00004', qty: 1 }],
        shipTo: { name: 'Jon Snow', line1: '1 Wall St', city: 'York', region: 'NYK', postcode: 'YO1 7HH', country: 'GB', phone: '+44 1904 000000', email: 'jon@example.com' },
        service: 'standard',
        priority: 0,
      },
    });
  });

  it('falls back to the exact numeric id when there is no GID', () => {
    const { admin_graphql_api_id: _drop, ...rest } = order();
    expect(shopifyOrderId(parseJsonExact(wire(rest)))).toBe('gid://shopify/Order/820982911946154508');
  });

  it.each([
    ['Express', 'express', 5],
    ['Next Day Delivery', 'next-day', 7],
    ['UPS Overnight', 'next-day', 7],
    ['Royal Mail 2nd class', 'standard', 0],
  ])('maps shipping line %s to %s with priority %i', (title, service, priority) => {
    const mapped = toShopifyOrderInput(order({ shipping_lines: [{ code: null, title }] }), connection);
    expect(mapped.ok && { service: mapped.order.service, priority: mapped.order.priority }).toEqual({ service, priority });
  });

  it('marks cancelled orders, and ignores orders with nothing left to ship', () => {
    const cancelled = toShopifyOrderInput(order({ cancelled_at: '2026-11-27T11:00:00-05:00' }), connection);
    expect(cancelled.ok && cancelled.cancelled).toBe(true);
    const digital = toShopifyOrderInput(order({ line_items: [{ sku: 'E-BOOK', quantity: 1, requires_shipping: false }] }), connection);
    expect(digital.ok && digital.ignore).toMatch(/nothing to ship/);
  });

  it('refuses what it cannot map, naming the problem', () => {
    const error = (mapped: ReturnType<typeof toShopifyOrderInput>) => (mapped.ok ? null : mapped.error);
    expect(error(toShopifyOrderInput('nope', connection))).toMatch(/not a JSON object/);
    expect(error(toShopifyOrderInput(order({ line_items: [{ sku: '', quantity: 1, name: 'Mystery' }] }), connection))).toMatch(/Mystery.*has no SKU/);
    expect(error(toShopifyOrderInput(order({ updated_at: 'yesterday', created_at: null }), connection))).toMatch(/updated_at/);
  });
});

describe('orderIdFor', () => {
  it('uses the numeric tail of a GID, and hashes what is not a valid id', () => {
    expect(orderIdFor('shopify-acme', 'gid://shopify/Order/820982911946154508')).toBe('shopify-acme-820982911946154508');
    expect(orderIdFor('woo-acme', '1234')).toBe('woo-acme-1234');
    const hashed = orderIdFor('woo-acme', 'has spaces/and slashes');
    expect(hashed).toMatch(/^woo-acme-h[0-9a-f]{20}$/);
    expect(orderIdFor('x'.repeat(64), '1').length).toBeLessThanOrEqual(64);
  });
});
