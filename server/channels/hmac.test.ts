import * as crypto from 'node:crypto';
import type * as Crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { signHmacBase64, verifyHmacBase64 } from './hmac.ts';

// Wrap the real timingSafeEqual so the test can see it is the comparison used (ESM namespaces cannot be spied on).
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof Crypto>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

// Test vector from integrations.md §3.1.2 (computed independently).
const body = Buffer.from('{"id":820982911946154508,"name":"#9999"}');
const vector = 'NtPWycXC9HC4Pha89z2BIkIR25OlwNMWFeOmwk4ATlA=';

describe('verifyHmacBase64', () => {
  it('accepts the documented Shopify test vector', () => {
    expect(body.length).toBe(40);
    expect(signHmacBase64(body, 'test_secret')).toBe(vector);
    expect(verifyHmacBase64(body, vector, ['test_secret'])).toBe(true);
  });

  it('accepts any secret of a rotation, current or previous', () => {
    expect(verifyHmacBase64(body, vector, ['new_secret', 'test_secret'])).toBe(true);
    expect(verifyHmacBase64(body, vector, ['test_secret', 'new_secret'])).toBe(true);
  });

  it('compares with crypto.timingSafeEqual on equal-length buffers', () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    expect(verifyHmacBase64(body, vector, ['a', 'test_secret'])).toBe(true);
    expect(spy).toHaveBeenCalledTimes(2);
    for (const [a, b] of spy.mock.calls) expect((a as Buffer).length).toBe((b as Buffer).length);
  });

  it.each([
    ['a wrong secret', vector, ['wrong_secret']],
    ['no secrets', vector, []],
    ['an empty secret', vector, ['']],
    ['a missing header', undefined, ['test_secret']],
    ['an empty header', '', ['test_secret']],
    ['a hex digest', crypto.createHmac('sha256', 'test_secret').update(body).digest('hex'), ['test_secret']],
    ['a truncated header', vector.slice(0, 20), ['test_secret']],
    ['garbage', '%%%not base64%%%', ['test_secret']],
    ['a header one character off', `${vector.slice(0, 10)}X${vector.slice(11)}`, ['test_secret']],
  ] as const)('refuses %s without throwing', (_name, header, secrets) => {
    expect(verifyHmacBase64(body, header, secrets)).toBe(false);
  });

  it('refuses a body changed after signing, or re-serialised JSON', () => {
    expect(verifyHmacBase64(Buffer.from('{"id":820982911946154508,"name":"#9998"}'), vector, ['test_secret'])).toBe(false);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()) as unknown));
    expect(verifyHmacBase64(reserialised, vector, ['test_secret'])).toBe(false);
  });
});
