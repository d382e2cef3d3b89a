import { describe, expect, it } from 'vitest';
import { isWooPing, toWooOrderInput } from './woo-order.ts';

const connection = { id: 'woo-acme', tenantId: 'acme', skuByItem: new Map([['77/78', 'SKU-00006'], ['90', 'SKU-00008']]) };

function order(extra: Record<string, unknown> = {}) {
  return {
    id: 4321,
    status: 'processing',
    date_modified_gmt: '2026-11-27T10:00:00',
    date_created_gmt: '2026-11-27T09:00:00',
    billing: { first_name: 'Ada', last_name: 'Lovelace', address_1: '2 Bill Rd', city: 'Leeds', postcode: 'LS1 1AA', country: 'GB', email: 'ada@example.com' },
    shipping: { first_name: 'Ada', last_name: 'Lovelace', company: 'Engines Ltd', address_1: '3 Ship St', address_2: '', city: 'London', state: '', postcode: 'N1 9GU', country: 'GB' },
    shipping_lines: [{ method_id: 'flat_rate', method_title: 'Express delivery' }],
    line_items: [
      { id: 1, sku: 'SKU-00002', quantity: 2, product_id: 10, variation_id: 0 },
      { id: 2, sku: '', quantity: 1, product_id: 77, variation_id: 78 },
      { id: 3, sku: '', quantity: 4, product_id: 90, variation_id: 0 },
    ],
    ...extra,
  };
}

describe('toWooOrderInput', () => {
  it('maps a processing order: id, GMT date, lines (SKU or item mapping), shipping address, service', () => {
    expect(toWooOrderInput(order(), connection)).toEqual({
      ok: true,
      externalId: '4321',
      updatedAt: '2026-11-27T10:00:00.000Z',
      cancelled: false,
      order: {
        externalRef: '4321',
        lines: [{ skuCode: 'SKU-00002', qty: 2 }, { skuCode: 'SKU-00006', qty: 1 }, { skuCode: 'SKU-00008', qty: 4 }],
        shipTo: { name: 'Ada Lovelace', company: 'Engines Ltd', line1: '3 Ship St', city: 'London', postcode: 'N1 9GU', country: 'GB', email: 'ada@example.com' },
        service: 'express',
        priority: 5,
      },
    });
  });

  it.each(['pending', 'on-hold', 'checkout-draft', 'draft', 'auto-draft', 'completed'])('ignores status %s', (status) => {
    const mapped = toWooOrderInput(order({ status }), connection);
    expect(mapped.ok && !mapped.cancelled && mapped.ignore).toMatch(new RegExp(status));
  });

  it.each(['cancelled', 'refunded', 'failed'])('treats status %s as cancelled', (status) => {
    const mapped = toWooOrderInput(order({ status }), connection);
    expect(mapped.ok && mapped.cancelled && mapped.ignore === undefined).toBe(true);
  });

  it('uses the billing address when there is no shipping address, and refuses unmapped lines', () => {
    const mapped = toWooOrderInput(order({ shipping: { address_1: '', city: '', country: '' } }), connection);
    expect(mapped.ok && mapped.order.shipTo?.line1).toBe('2 Bill Rd');
    const unmapped = toWooOrderInput(order({ line_items: [{ sku: '', quantity: 1, product_id: 5, name: 'Hat' }] }), connection);
    expect(unmapped.ok ? null : unmapped.error).toMatch(/Hat.*no SKU and no item mapping/);
  });

  it('recognises the creation ping', () => {
    expect(isWooPing(Buffer.from('webhook_id=17'))).toBe(true);
    expect(isWooPing(Buffer.from('{"id":1}'))).toBe(false);
  });
});
