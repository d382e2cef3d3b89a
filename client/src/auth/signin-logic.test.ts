import { describe, expect, it } from 'vitest';
import {
  landingAfterSignIn,
  redirectFor,
  retryAfterSeconds,
  safeNextPath,
  signInErrorMessage,
  signInUrl,
  validateSignIn,
} from './signin-logic.ts';

describe('safeNextPath: only a path of this site', () => {
  it('keeps a path with its query', () => {
    expect(safeNextPath('/picker')).toBe('/picker');
    expect(safeNextPath('/?site=main')).toBe('/?site=main');
    expect(safeNextPath('/stock/count?bin=A-01')).toBe('/stock/count?bin=A-01');
  });

  it('refuses another origin, a scheme, protocol-relative and backslash tricks, control characters', () => {
    for (const raw of ['https://evil.example/', '//evil.example', '/\\evil.example', 'javascript:alert(1)', 'picker', '/a\nb', '/a\\b', '/x\u0000']) {
      expect(safeNextPath(raw), raw).toBe('/');
    }
  });

  it('never returns to the sign-in page, and defaults to the floor', () => {
    expect(safeNextPath('/signin')).toBe('/');
    expect(safeNextPath('/signin?next=/pack')).toBe('/');
    expect(safeNextPath(null)).toBe('/');
    expect(safeNextPath('')).toBe('/');
    // A path that only starts with the same letters is another page.
    expect(safeNextPath('/signing')).toBe('/signing');
  });
});

describe('signInUrl', () => {
  it('carries the page asked for as ?next=, encoded', () => {
    expect(signInUrl('/pack')).toBe('/signin?next=%2Fpack');
    expect(signInUrl('/?site=a&x=1')).toBe('/signin?next=%2F%3Fsite%3Da%26x%3D1');
    expect(signInUrl('/')).toBe('/signin');
    expect(signInUrl('/signin?next=/pack')).toBe('/signin');
  });
});

describe('where a role may be', () => {
  it('sends client roles from every staff page to the portal, and leaves them on the portal', () => {
    for (const path of ['/', '/picker', '/pack', '/stock', '/slotting']) {
      expect(redirectFor('client-user', path)).toBe('/portal');
      expect(redirectFor('client-admin', path)).toBe('/portal');
    }
    expect(redirectFor('client-user', '/portal')).toBeNull();
    expect(redirectFor('client-admin', '/portal/orders')).toBeNull();
  });

  it('leaves staff on staff pages and sends them off the portal', () => {
    for (const role of ['site-manager', 'planner', 'supervisor', 'picker', 'packer']) {
      expect(redirectFor(role, '/')).toBeNull();
      expect(redirectFor(role, '/picker')).toBeNull();
      expect(redirectFor(role, '/portal')).toBe('/');
    }
    expect(redirectFor('site-manager', '/portals')).toBeNull();
  });

  it('lands after sign-in on the page asked for, or where the role belongs', () => {
    expect(landingAfterSignIn('picker', '/picker')).toBe('/picker');
    expect(landingAfterSignIn('site-manager', '/?site=main')).toBe('/?site=main');
    expect(landingAfterSignIn('site-manager', null)).toBe('/');
    expect(landingAfterSignIn('client-user', '/pack')).toBe('/portal');
    expect(landingAfterSignIn('client-admin', '/portal/invoices')).toBe('/portal/invoices');
    expect(landingAfterSignIn('packer', 'https://evil.example/')).toBe('/');
  });
});

describe('validateSignIn', () => {
  it('asks for both fields, in words', () => {
    expect(validateSignIn({ email: '', password: '' })).toEqual({ email: 'Enter your e-mail address.', password: 'Enter your password.' });
    expect(validateSignIn({ email: '  ', password: 'x' }).email).toBe('Enter your e-mail address.');
  });

  it('checks the e-mail looks like one and the password is not absurdly long', () => {
    expect(validateSignIn({ email: 'manager', password: 'secret-pass' }).email).toMatch(/like name@example.com/);
    expect(validateSignIn({ email: 'a b@c', password: 'secret-pass' }).email).toBeDefined();
    expect(validateSignIn({ email: 'manager@demo.floortwin', password: 'x'.repeat(257) }).password).toMatch(/too long/);
    expect(validateSignIn({ email: ' manager@demo.floortwin ', password: 'floortwin-test' })).toEqual({});
  });
});

describe('signInErrorMessage', () => {
  it('says what went wrong and what to do', () => {
    expect(signInErrorMessage({ status: 401, code: 'UNAUTHENTICATED', message: 'x' })).toMatch(/do not match/);
    expect(signInErrorMessage({ status: 0, code: 'NETWORK', message: 'x' })).toMatch(/Cannot reach the server/);
    expect(signInErrorMessage({ status: 429, code: 'RATE_LIMITED', message: 'x', retryAfterS: 30 })).toBe('Too many attempts. Wait 30 seconds and try again.');
    expect(signInErrorMessage({ status: 429, code: 'RATE_LIMITED', message: 'x', retryAfterS: 1 })).toBe('Too many attempts. Wait 1 second and try again.');
    expect(signInErrorMessage({ status: 429, code: 'RATE_LIMITED', message: 'x', retryAfterS: null })).toMatch(/Wait a moment/);
    expect(signInErrorMessage({ status: 400, code: 'BAD_REQUEST', message: 'email: Invalid email' })).toMatch(/email: Invalid email/);
    expect(signInErrorMessage({ status: 503, code: 'STARTING', message: 'starting' })).toMatch(/Try again in a moment/);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterSeconds('12', 0)).toBe(12);
    expect(retryAfterSeconds(new Date(10_000).toUTCString(), 0)).toBe(10);
    expect(retryAfterSeconds(null, 0)).toBeNull();
    expect(retryAfterSeconds('soon', 0)).toBeNull();
  });
});
