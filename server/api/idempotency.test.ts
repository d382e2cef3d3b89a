/** Idempotency helpers: key validation, request hashing, derived order ids. */
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { base32, canonicalJson, deriveOrderId, idempotencyKeyOf, requestHash } from './idempotency.ts';
import { Id } from './params.ts';

const withKey = (key: string | string[] | undefined) => ({ headers: key === undefined ? {} : { 'idempotency-key': key } }) as unknown as Request;

describe('idempotency helpers', () => {
  it('encodes base32 as RFC 4648 (test vectors, no padding)', () => {
    const enc = (s: string) => base32(new TextEncoder().encode(s));
    expect([enc(''), enc('f'), enc('fo'), enc('foo'), enc('foob'), enc('fooba'), enc('foobar')]).toEqual([
      '',
      'MY',
      'MZXQ',
      'MZXW6',
      'MZXW6YQ',
      'MZXW6YTB',
      'MZXW6YTBOI',
    ]);
  });

  it('derives the same valid order id from the same parts, a different one otherwise', () => {
    const a = deriveOrderId('demo', 'acme', 'key', 'k-1');
    expect(a).toMatch(/^ORD-[A-Z2-7]{26}$/);
    expect(Id.safeParse(a).success).toBe(true);
    expect(deriveOrderId('demo', 'acme', 'key', 'k-1')).toBe(a);
    expect(deriveOrderId('demo', 'bloom', 'key', 'k-1')).not.toBe(a);
    expect(deriveOrderId('demo', 'acme', 'csv', 'k-1')).not.toBe(a);
    // Parts are separated, so shifting characters between them changes the id.
    expect(deriveOrderId('demo', 'acm', 'ekey', 'k-1')).not.toBe(a);
  });

  it('hashes bodies independently of key order, but not of values, path or method', () => {
    const body = { tenantId: 'acme', lines: [{ skuId: 'A', qty: 1 }], shipTo: { name: 'N', city: 'C' } };
    const reordered = { shipTo: { city: 'C', name: 'N' }, lines: [{ qty: 1, skuId: 'A' }], tenantId: 'acme' };
    expect(canonicalJson(body)).toBe(canonicalJson(reordered));
    expect(requestHash('POST', '/o', body)).toBe(requestHash('POST', '/o', reordered));
    expect(requestHash('POST', '/o', body)).not.toBe(requestHash('POST', '/o', { ...body, tenantId: 'bloom' }));
    expect(requestHash('POST', '/o', body)).not.toBe(requestHash('POST', '/p', body));
    expect(requestHash('POST', '/o', { lines: [1, 2] })).not.toBe(requestHash('POST', '/o', { lines: [2, 1] }));
  });

  it('accepts keys of 1-255 printable ASCII characters and nothing else', () => {
    expect(idempotencyKeyOf(withKey(undefined))).toEqual({ key: undefined });
    expect(idempotencyKeyOf(withKey('a'))).toEqual({ key: 'a' });
    expect(idempotencyKeyOf(withKey('x'.repeat(255)))).toEqual({ key: 'x'.repeat(255) });
    expect(idempotencyKeyOf(withKey('8e03978e-40d5-43e8-bc93-6894a57f9324 ~!'))).toHaveProperty('key');
    for (const bad of ['', 'x'.repeat(256), 'caf\u00e9', 'tab\there', 'nl\n']) expect(idempotencyKeyOf(withKey(bad))).toHaveProperty('error');
    expect(idempotencyKeyOf(withKey(['a', 'b']))).toHaveProperty('error');
  });
});
