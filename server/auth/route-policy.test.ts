import { describe, expect, it } from 'vitest';
import { CLIENT_ROLES, ROLES, STAFF_ROLES } from './principal.ts';
import { ROUTE_POLICY, mayCall, ruleFor } from './route-policy.ts';

describe('route policy (the table; T5 checks it against the real router)', () => {
  it('denies by default: a route with no rule is allowed to no role', () => {
    for (const role of ROLES) expect(mayCall(role, 'GET', '/api/sites/:siteId/not-a-route')).toBe(false);
    expect(ruleFor('GET', '/api/sites/:siteId/not-a-route')).toBeUndefined();
  });

  it('has one rule per exact method + path (no duplicate that would shadow another)', () => {
    const keys = ROUTE_POLICY.map((rule) => `${rule.method} ${rule.path} ${rule.prefix === true ? 'prefix' : ''}`);
    expect(keys.length).toBe(new Set(keys).size);
  });

  it('keeps client roles and integration keys to the portal and the auth routes', () => {
    for (const rule of ROUTE_POLICY) {
      if (rule.access === 'open') continue;
      const tenantRoles = rule.access.filter((role) => CLIENT_ROLES.includes(role) || role === 'integration');
      if (tenantRoles.length === 0) continue;
      expect(rule.path.startsWith('/api/portal') || rule.path.startsWith('/api/auth/'), `${rule.method} ${rule.path}`).toBe(true);
    }
  });

  it('keeps staff out of the portal, lets client users read it and only client admins and integrations write', () => {
    for (const role of STAFF_ROLES) {
      expect(mayCall(role, 'GET', '/api/portal/sites/:siteId/orders')).toBe(false);
      expect(mayCall(role, 'POST', '/api/portal/sites/:siteId/orders')).toBe(false);
    }
    expect(mayCall('client-user', 'GET', '/api/portal/sites/:siteId/orders/:orderId')).toBe(true);
    expect(mayCall('client-user', 'HEAD', '/api/portal/sites')).toBe(true);
    expect(mayCall('client-user', 'POST', '/api/portal/sites/:siteId/orders')).toBe(false);
    expect(mayCall('client-admin', 'POST', '/api/portal/sites/:siteId/asns')).toBe(true);
    expect(mayCall('integration', 'POST', '/api/portal/sites/:siteId/returns')).toBe(true);
    // A prefix covers the family only, not a path that merely starts with the same letters.
    expect(ruleFor('GET', '/api/portally')).toBeUndefined();
  });

  it('billing: planners read, only the site manager writes; analytics for the managing roles', () => {
    expect(mayCall('planner', 'GET', '/api/sites/:siteId/billing/invoices')).toBe(true);
    expect(mayCall('planner', 'POST', '/api/sites/:siteId/billing/rate-cards')).toBe(false);
    expect(mayCall('site-manager', 'PUT', '/api/sites/:siteId/billing/rate-cards/:tenantId')).toBe(true);
    expect(mayCall('supervisor', 'GET', '/api/sites/:siteId/billing/invoices')).toBe(false);
    expect(mayCall('supervisor', 'GET', '/api/sites/:siteId/analytics')).toBe(true);
    expect(mayCall('supervisor', 'GET', '/api/sites/:siteId/analytics.csv')).toBe(true);
    expect(mayCall('picker', 'GET', '/api/sites/:siteId/analytics')).toBe(false);
  });

  it('gives each role its work: planners plan, supervisors approve, pickers pick and move, packers pack', () => {
    expect(mayCall('planner', 'POST', '/api/sites/:siteId/waves')).toBe(true);
    expect(mayCall('planner', 'POST', '/api/sites/:siteId/what-if')).toBe(true);
    expect(mayCall('planner', 'POST', '/api/sites/:siteId/counts/:countId/approve')).toBe(false);
    expect(mayCall('supervisor', 'POST', '/api/sites/:siteId/counts/:countId/approve')).toBe(true);
    expect(mayCall('supervisor', 'POST', '/api/sites/:siteId/holds')).toBe(true);
    expect(mayCall('supervisor', 'POST', '/api/sites/:siteId/waves')).toBe(false);
    expect(mayCall('picker', 'POST', '/api/sites/:siteId/move-tasks/:taskId/complete')).toBe(true);
    expect(mayCall('picker', 'POST', '/api/sites/:siteId/counts/:countId/approve')).toBe(false);
    expect(mayCall('picker', 'GET', '/api/sites/:siteId/pack/:code')).toBe(false);
    expect(mayCall('packer', 'POST', '/api/sites/:siteId/orders/:orderId/despatch')).toBe(true);
    expect(mayCall('packer', 'POST', '/api/sites/:siteId/orders/:orderId/release')).toBe(false);
    // The site manager may do everything staff may.
    for (const rule of ROUTE_POLICY) {
      if (rule.access === 'open' || rule.path.startsWith('/api/portal')) continue;
      if (rule.access.some((role) => STAFF_ROLES.includes(role))) expect(rule.access, `${rule.method} ${rule.path}`).toContain('site-manager');
    }
  });
});
