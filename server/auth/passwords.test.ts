import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords.ts';

// A cheap cost keeps the small test fast; the format carries the cost, so verification uses what was stored.
const CHEAP = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery', CHEAP);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('stores no password, only a salted hash: the same password hashes differently each time', async () => {
    const a = await hashPassword('floortwin-test', CHEAP);
    const b = await hashPassword('floortwin-test', CHEAP);
    expect(a).not.toBe(b);
    expect(a).not.toContain('floortwin-test');
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('floortwin-test', a)).toBe(true);
    expect(await verifyPassword('floortwin-test', b)).toBe(true);
  });

  it('uses the default cost (N = 2^15) when none is given', async () => {
    const stored = await hashPassword('default cost');
    expect(stored.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(await verifyPassword('default cost', stored)).toBe(true);
  });

  it('treats a malformed or foreign hash as a mismatch, never as a match or a crash', async () => {
    const stored = await hashPassword('pw-12345678', CHEAP);
    const parts = stored.split('$');
    for (const bad of ['', 'plain', `bcrypt$${parts.slice(1).join('$')}`, parts.slice(0, 5).join('$'), `scrypt$0$8$1$${parts[4]}$${parts[5]}`, `scrypt$1024$8$1$${parts[4]}$AAAA`, `scrypt$${2 ** 24}$8$1$${parts[4]}$${parts[5]}`]) {
      expect(await verifyPassword('pw-12345678', bad), bad).toBe(false);
    }
  });

  it('normalises Unicode, so the same password typed in another composition matches', async () => {
    const stored = await hashPassword('caf\u00e9-password', CHEAP);
    expect(await verifyPassword('cafe\u0301-password', stored)).toBe(true);
  });
});
