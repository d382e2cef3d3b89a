/**
 * The authorize middleware: resolves a request to the route express will run (walking the app's router stack, the
 * same way express matches), looks the route up in the policy and answers 403 FORBIDDEN unless the principal's role
 * is allowed. A request that matches no route passes on (the /api catch-all answers 404); a route with no rule is
 * denied to everyone.
 */
import type { Express, RequestHandler } from 'express';
import { match } from 'path-to-regexp';
import { sendError } from '../api/http-error.ts';
import { principalOf } from './principal.ts';
import { ROUTE_POLICY, mayCall, type RouteRule } from './route-policy.ts';

/** A route as registered: upper-case method ('ALL' for `router.all`) and its full express path. */
export interface RegisteredRoute {
  readonly method: string;
  readonly path: string;
}

interface LayerLike {
  readonly route?: { readonly path: unknown; readonly methods: Record<string, boolean | undefined> };
  readonly handle?: { readonly stack?: readonly LayerLike[] };
  readonly rawPath?: unknown;
}

/**
 * Every route registered on `app`, nested routers included, in the order express tries them. Paths that are not
 * strings (regular expressions: the client's app-shell fallback) are reported with `path` = the RegExp's source and
 * method as registered; callers decide what they mean.
 */
export function registeredRoutes(app: Express): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  const walk = (stack: readonly LayerLike[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? (layer.route.path as unknown[]) : [layer.route.path];
        for (const path of paths) {
          const full = typeof path === 'string' ? `${prefix}${path}` : path instanceof RegExp ? `regexp:${path.source}` : String(path);
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on === true) routes.push({ method: method === '_all' ? 'ALL' : method.toUpperCase(), path: full });
          }
        }
      } else if (layer.handle?.stack && typeof layer.rawPath === 'string') {
        walk(layer.handle.stack, layer.rawPath === '/' ? prefix : `${prefix}${layer.rawPath}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: readonly LayerLike[] } }).router.stack, '');
  return routes;
}

interface CompiledRoute extends RegisteredRoute {
  readonly matches: (path: string) => boolean;
}

function compile(routes: readonly RegisteredRoute[]): CompiledRoute[] {
  return routes
    .filter((route) => !route.path.startsWith('regexp:'))
    .map((route) => {
      // Express's defaults: case-insensitive, a trailing slash allowed, the whole path.
      const matcher = match(route.path, { decode: false, sensitive: false, end: true, trailing: true });
      return { ...route, matches: (path: string) => matcher(path) !== false };
    });
}

/** The registered route express would run for `method path`, or undefined. HEAD falls back to GET routes. */
export function resolveRoute(routes: readonly CompiledRoute[], method: string, path: string): RegisteredRoute | undefined {
  const m = method.toUpperCase();
  const candidates = (wanted: string): RegisteredRoute | undefined => routes.find((route) => (route.method === wanted || route.method === 'ALL') && route.matches(path));
  return candidates(m) ?? (m === 'HEAD' ? candidates('GET') : undefined);
}

/**
 * Mount on '/api' after `authenticate`. The route table is read from `app` on the first request (every router is
 * registered by then) and kept.
 */
export function authorize(app: Express, policy: readonly RouteRule[] = ROUTE_POLICY): RequestHandler {
  let routes: CompiledRoute[] | undefined;
  return (req, res, next) => {
    routes ??= compile(registeredRoutes(app));
    const path = `${req.baseUrl}${req.path}`;
    const route = resolveRoute(routes, req.method, path);
    if (route === undefined) return next();
    const principal = principalOf(res);
    if (mayCall(principal.role, route.method === 'ALL' ? req.method : route.method, route.path, policy)) return next();
    sendError(res, 403, 'FORBIDDEN', `role '${principal.role}' may not ${req.method} ${route.path}`, { role: principal.role, route: `${route.method} ${route.path}` });
  };
}
