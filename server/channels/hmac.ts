/** Webhook signatures of Shopify and WooCommerce: base64 HMAC-SHA256 of the raw body bytes, compared in constant time. */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A SHA-256 digest is 32 bytes, i.e. 43 base64 characters and one '=' of padding. */
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * True when `header` is the base64 HMAC-SHA256 of `rawBody` under any of `secrets` (several during a secret rotation).
 * Never throws: a missing, malformed or wrong-length header is simply false. Empty secrets are skipped (misconfiguration).
 */
export function verifyHmacBase64(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): boolean {
  if (typeof header !== 'string') return false;
  const value = header.trim();
  if (!BASE64_SHA256.test(value)) return false;
  const given = Buffer.from(value, 'base64');
  let ok = false;
  // Every secret is tried (no early exit), so the time taken does not reveal which one matched.
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}

/** The base64 HMAC-SHA256 of `rawBody` under `secret`, as the channels send it (for signing test deliveries). */
export function signHmacBase64(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}
