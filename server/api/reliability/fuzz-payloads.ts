/**
 * B1 request generators (fast-check): for one endpoint, 40 % arbitrary JSON, 40 % mutations of its valid request
 * (type swaps, missing and extra fields, boundary numbers, huge and unicode strings, `__proto__` / `constructor`
 * keys), 20 % malformed JSON, wrong content types and malformed path escapes. Each case is the exact bytes sent.
 */
import fc from 'fast-check';
import type { FuzzContext, FuzzEndpoint } from './fuzz-endpoints.ts';

/** One generated request, relative to the server origin. */
export interface FuzzCase {
  readonly kind: 'json' | 'mutation' | 'invalid';
  readonly method: string;
  /** Path and query, already encoded (or deliberately mis-encoded). */
  readonly path: string;
  readonly body?: string;
  /** `null`: no Content-Type header. */
  readonly contentType?: string | null;
  /** What was done, for the counterexample report. */
  readonly note: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Numbers written verbatim into the JSON text (JSON.stringify would round or refuse them). */
const RAW = '\u0000RAW:';
const raw = (literal: string): string => `${RAW}${literal}`;

const TEN_KB = 'x'.repeat(10 * 1024);
/** Boundary and hostile scalars. */
const SPECIAL_VALUES: readonly Json[] = [
  0,
  -1,
  0.5,
  2 ** 31,
  -(2 ** 31),
  raw('9007199254740993'), // 2^53 + 1: not representable as a double
  1e308,
  -1e308,
  raw('1e400'), // parses to Infinity
  raw('-0'),
  '1e3',
  '1',
  '',
  ' ',
  TEN_KB,
  'ü',
  '\u{1D306}',
  '😀'.repeat(100),
  '\u202Eevil',
  'a\u0000b',
  'Ω≈ç√∫',
  '__proto__',
  'constructor',
  "'; DROP TABLE events; --",
  '../../etc/passwd',
  true,
  false,
  null,
  [],
  {},
];
const EXTRA_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype', 'toString', 'tenant_id', 'status', 'onHand', 'reserved', 'x'];

/**
 * Long strings in the URL stay at 4 KB: three of them keep the request head under Node's 16 KB limit, whose 431
 * answer is a separate check (b1-fuzz.pg.test.ts), not something to hit at random.
 */
const LONG_IN_URL = 'x'.repeat(4 * 1024);
/** Path segments that are not valid ids (encoded before sending). */
const SPECIAL_SEGMENTS: readonly string[] = ['', ' ', '..', '.', '__proto__', 'constructor', '0', '-1', '1e3', '1.5', LONG_IN_URL, 'ü', '😀', '\u0000', 'a/b', 'a?b', 'a#b', '%'];
/** Raw (already "encoded") path segments, some malformed. */
const MALFORMED_SEGMENTS: readonly string[] = ['%', '%Z', '%ZZ', '%E0%A4%A', '%C0%AF', '%00', '%FF%FE', '%u0041'];

const MALFORMED_BODIES: readonly string[] = [
  '{',
  '}',
  '{"a":}',
  '[1,2',
  "{'a':1}",
  '{"a":1}}',
  'NaN',
  'undefined',
  '{"a":1,}',
  '\uFEFF{}',
  '\u0000',
  '"unterminated',
  '{"a":"\\x41"}',
  '[' .repeat(10_000) + ']'.repeat(10_000),
];
const WRONG_CONTENT_TYPES: readonly (string | null)[] = [
  null,
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/octet-stream',
];

/** Every path into `value`, the root included. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

/** Sets an own property even for `__proto__` (plain assignment would change the prototype instead). */
function defineOwn(target: { [key: string]: Json }, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function childAt(value: Json, path: readonly (string | number)[]): Json | undefined {
  let at: Json | undefined = value;
  for (const step of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = Array.isArray(at) ? at[step as number] : (at as Record<string, Json>)[step as string];
  }
  return at;
}

/** A deep copy that keeps own `__proto__` keys (JSON.parse defines them as data properties). */
const clone = (value: Json): Json => JSON.parse(JSON.stringify(value)) as Json;

type MutationOp = 'swap' | 'special' | 'delete' | 'extra' | 'wrap';
interface Mutation {
  readonly op: MutationOp;
  /** Which path (mod the number of paths). */
  readonly at: number;
  /** Which replacement value (mod the list). */
  readonly pick: number;
  readonly key: string;
}

const SWAPS: readonly ((v: Json) => Json)[] = [(v) => String(JSON.stringify(v)), () => 1, () => true, () => null, (v) => [v], (v) => ({ value: v }), () => 'string'];

function applyMutation(value: Json, m: Mutation): { value: Json; note: string } {
  const paths = pathsOf(value);
  const path = paths[m.at % paths.length] ?? [];
  const where = path.length === 0 ? '(root)' : path.join('.');
  const current = childAt(value, path) ?? null;
  let replacement: Json | undefined;
  let note = '';
  switch (m.op) {
    case 'swap':
      replacement = (SWAPS[m.pick % SWAPS.length] ?? (() => null))(current);
      note = `swap type at ${where}`;
      break;
    case 'special':
      replacement = SPECIAL_VALUES[m.pick % SPECIAL_VALUES.length] ?? null;
      note = `${where} = ${JSON.stringify(replacement).slice(0, 40)}`;
      break;
    case 'wrap':
      replacement = m.pick % 2 === 0 ? [current, current] : { [m.key]: current };
      note = `wrap ${where}`;
      break;
    case 'delete': {
      if (path.length === 0) return { value: m.pick % 2 === 0 ? {} : null, note: 'drop the whole body' };
      const copy = clone(value);
      const parent = childAt(copy, path.slice(0, -1));
      const last = path[path.length - 1] as string | number;
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else if (parent !== null && typeof parent === 'object') delete (parent as Record<string, Json>)[last as string];
      return { value: copy, note: `delete ${where}` };
    }
    case 'extra': {
      const copy = clone(value);
      // The nearest object at or above the chosen path gets the extra key.
      let target: Json | undefined = childAt(copy, path);
      for (let up = path.length; (target === null || typeof target !== 'object' || Array.isArray(target)) && up > 0; up--) {
        target = childAt(copy, path.slice(0, up - 1));
      }
      const extra = SPECIAL_VALUES[m.pick % SPECIAL_VALUES.length] ?? null;
      if (target === null || typeof target !== 'object' || Array.isArray(target)) {
        const wrapper: { [key: string]: Json } = {};
        defineOwn(wrapper, m.key, extra);
        return { value: wrapper, note: `body = { ${m.key} }` };
      }
      defineOwn(target, m.key, extra);
      return { value: copy, note: `extra key ${m.key} near ${where}` };
    }
  }
  if (path.length === 0) return { value: replacement, note };
  const copy = clone(value);
  const parent = childAt(copy, path.slice(0, -1));
  const last = path[path.length - 1] as string | number;
  if (Array.isArray(parent)) parent[last as number] = replacement;
  else if (parent !== null && typeof parent === 'object') defineOwn(parent, String(last), replacement);
  return { value: copy, note };
}

/** JSON text with the RAW placeholders replaced by their literals. */
function serialise(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.replace(/"\\u0000RAW:([^"]*)"/g, '$1');
}

/** A string value of a special scalar, for path segments and query values. */
function asText(value: Json): string {
  if (value === TEN_KB) return LONG_IN_URL;
  return typeof value === 'string' ? (value.startsWith(RAW) ? value.slice(RAW.length) : value) : JSON.stringify(value);
}

function buildPath(template: string, params: Readonly<Record<string, string>>, encode: boolean): string {
  return template.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const v = params[name] ?? '';
    return encode ? encodeURIComponent(v) : v;
  });
}

function buildQuery(query: readonly (readonly [string, string])[]): string {
  if (query.length === 0) return '';
  return `?${query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

const hasBody = (method: string): boolean => method !== 'GET';

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom<MutationOp>('swap', 'special', 'special', 'delete', 'extra', 'wrap'),
  at: fc.nat(),
  pick: fc.nat(),
  key: fc.oneof(fc.constantFrom(...EXTRA_KEYS), fc.string({ maxLength: 12 })),
});

/** Requests for one endpoint: 40 % arbitrary JSON, 40 % mutations of the valid request, 20 % malformed. */
export function fuzzCases(endpoint: FuzzEndpoint, ctx: FuzzContext): fc.Arbitrary<FuzzCase> {
  const { method } = endpoint;
  const validParams = endpoint.params(ctx);
  const validQuery = Object.entries(endpoint.query?.(ctx) ?? {});
  const validBody = (endpoint.body?.(ctx) ?? {}) as Json;
  const paramNames = Object.keys(validParams);

  // Arbitrary JSON as the body (or, for GET, as query values), and arbitrary strings in the path now and then.
  const json: fc.Arbitrary<FuzzCase> = fc
    .record({
      value: fc.jsonValue(),
      params: fc.array(fc.tuple(fc.nat(), fc.string({ unit: 'grapheme', maxLength: 20 })), { maxLength: 1 }),
      keys: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
    })
    .map(({ value, params, keys }) => {
      const p = { ...validParams };
      for (const [i, s] of params) p[paramNames[i % paramNames.length] ?? 'siteId'] = s;
      const path = buildPath(endpoint.path, p, true);
      if (hasBody(method)) return { kind: 'json', method, path, body: serialise(value), note: 'arbitrary JSON body' };
      const query = keys.map((k, i): [string, string] => [k, i === 0 ? JSON.stringify(value) : asText(value as Json)]);
      return { kind: 'json', method, path: path + buildQuery([...validQuery, ...query]), note: 'arbitrary JSON in the query' };
    });

  // 1–3 mutations of the valid request, each on the body, a path param or the query; mostly where the route reads
  // input (a broken site id stops every request at the first check).
  const targetArb = fc.oneof(
    { arbitrary: fc.constant<'body'>('body'), weight: endpoint.body ? 4 : hasBody(method) ? 1 : 0 },
    { arbitrary: fc.constant<'param'>('param'), weight: 1 },
    { arbitrary: fc.constant<'query'>('query'), weight: endpoint.query ? 3 : endpoint.body ? 0 : 1 },
  );
  const mutation: fc.Arbitrary<FuzzCase> = fc
    .array(fc.tuple(targetArb, mutationArb), { minLength: 1, maxLength: 3 })
    .map((steps) => {
      let body: Json = clone(validBody);
      const params = { ...validParams };
      let query: [string, string][] = validQuery.map(([k, v]) => [k, v]);
      const notes: string[] = [];
      for (const [target, m] of steps) {
        if (target === 'body' && hasBody(method)) {
          const r = applyMutation(body, m);
          body = r.value;
          notes.push(`body: ${r.note}`);
        } else if (target === 'param' || (target === 'body' && !hasBody(method) && paramNames.length > 1)) {
          const name = paramNames[m.at % paramNames.length] ?? 'siteId';
          params[name] = m.op === 'extra' ? `${params[name] ?? ''}${m.key}` : asText(SPECIAL_SEGMENTS[m.pick % SPECIAL_SEGMENTS.length] ?? '');
          notes.push(`param ${name} = ${JSON.stringify(params[name]).slice(0, 40)}`);
        } else {
          const i = query.length === 0 ? -1 : m.at % query.length;
          const value = asText(SPECIAL_VALUES[m.pick % SPECIAL_VALUES.length] ?? null);
          if (m.op === 'delete' && i >= 0) query.splice(i, 1);
          else if (m.op === 'extra' || i < 0) query.push([m.key, value]);
          else if (m.op === 'wrap') query.push([query[i]?.[0] ?? m.key, value]); // the same key twice: an array
          else query = query.map((q, j) => (j === i ? [q[0], value] : q));
          notes.push(`query ${m.op} ${JSON.stringify(query).slice(0, 60)}`);
        }
      }
      const path = buildPath(endpoint.path, params, true) + buildQuery(query);
      return hasBody(method)
        ? { kind: 'mutation', method, path, body: serialise(body), note: notes.join('; ') }
        : { kind: 'mutation', method, path, note: notes.join('; ') };
    });

  // Malformed JSON, a wrong content type, an oversized body, or a malformed escape in the path.
  const validPath = buildPath(endpoint.path, validParams, true) + buildQuery(validQuery);
  const validText = serialise(validBody);
  const malformedPath = fc.tuple(fc.nat(), fc.constantFrom(...MALFORMED_SEGMENTS)).map(([i, seg]): FuzzCase => {
    const params = { ...validParams };
    const name = paramNames[i % paramNames.length] ?? 'siteId';
    params[name] = seg;
    const p = buildPath(endpoint.path, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, k === name ? v : encodeURIComponent(v)])), false);
    return { kind: 'invalid', method, path: p + buildQuery(validQuery), note: `malformed escape in ${name}: ${seg}` };
  });
  const malformedQuery = fc.constantFrom('limit=%', 'limit=%ZZ', '%=1', 'a[b]=1', 'limit=1&limit=2', '__proto__=1', 'constructor[prototype]=1').map(
    (q): FuzzCase => ({ kind: 'invalid', method, path: `${buildPath(endpoint.path, validParams, true)}?${q}`, note: `query ${q}` }),
  );
  const invalid: fc.Arbitrary<FuzzCase> = hasBody(method)
    ? fc.oneof(
        fc.constantFrom(...MALFORMED_BODIES).map((body): FuzzCase => ({ kind: 'invalid', method, path: validPath, body, note: `malformed JSON ${body.slice(0, 20)}` })),
        fc.nat({ max: validText.length }).map((cut): FuzzCase => ({ kind: 'invalid', method, path: validPath, body: validText.slice(0, cut), note: `truncated at ${cut}` })),
        fc
          .constantFrom(...WRONG_CONTENT_TYPES)
          .map((contentType): FuzzCase => ({ kind: 'invalid', method, path: validPath, body: validText, contentType, note: `content type ${contentType}` })),
        fc.constant<FuzzCase>({ kind: 'invalid', method, path: validPath, body: JSON.stringify({ pad: 'x'.repeat(300 * 1024) }), note: '300 KB body' }),
        malformedPath,
      )
    : fc.oneof(malformedPath, malformedQuery);

  return fc.oneof({ arbitrary: json, weight: 2 }, { arbitrary: mutation, weight: 2 }, { arbitrary: invalid, weight: 1 });
}

/** The valid request of an endpoint, as a case (to check the route exists before fuzzing it). */
export function validCase(endpoint: FuzzEndpoint, ctx: FuzzContext): FuzzCase {
  const path = buildPath(endpoint.path, endpoint.params(ctx), true) + buildQuery(Object.entries(endpoint.query?.(ctx) ?? {}));
  return hasBody(endpoint.method)
    ? { kind: 'mutation', method: endpoint.method, path, body: serialise(endpoint.body?.(ctx) ?? {}), note: 'valid request' }
    : { kind: 'mutation', method: endpoint.method, path, note: 'valid request' };
}
