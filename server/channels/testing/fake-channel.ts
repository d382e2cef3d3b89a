/**
 * Fake sales-channel server for tests: a local HTTP server (node:http, port 0) that speaks the documented Shopify
 * Admin API and WooCommerce REST API shapes we use, checks every request against them (method, path with API version,
 * auth header, JSON body / GraphQL document and variables) and answers 4xx with a reason for anything malformed, the
 * way a strict channel would. It keeps just enough state to observe the effects: Shopify inventory levels per
 * (inventory item, location), orders with fulfilment orders, fulfilments; Woo products' stock and orders.
 *
 * Endpoints (one server serves both; Shopify base = `url`, Woo base = `url + '/'`):
 * - Shopify `POST /admin/api/{v}/graphql.json` (header `X-Shopify-Access-Token`): mutation `inventorySetQuantities`,
 *   mutation `fulfillmentCreate`, query `order(id:) { fulfillmentOrders(first:) { nodes { id status assignedLocation
 *   { location { id } } } } }`, query `inventoryItem(id:) { inventoryLevel(locationId:) { quantities(names:
 *   ["available"]) { name quantity } } }`.
 *   The document is parsed (one operation, one root field, no fragments); variables are checked against the input
 *   types; the selection set is checked against the output types and the answer holds only what was selected.
 *   Malformed documents or variables → HTTP 400 `{ errors: [{ message, extensions: { code } }] }` (real Shopify
 *   answers some of these with 200 + `errors`; a client must treat both as permanent).
 * - Shopify `GET /admin/api/{v}/orders.json?status=&updated_at_min=&limit=&order=` with `Link` cursor pagination
 *   (`page_info`; with it only `limit` and `fields` may be given). Sorted by `order` (default `id asc`, the fake's
 *   choice).
 * - Woo (HTTP Basic `consumer_key:consumer_secret`): `PUT|POST|PATCH /wp-json/wc/v3/products/{id}` and
 *   `…/products/{id}/variations/{vid}` `{ manage_stock?: boolean, stock_quantity?: integer }`;
 *   `PUT|POST|PATCH /wp-json/wc/v3/orders/{id}` `{ status?, meta_data?: [{ key, value }] }`;
 *   `GET /wp-json/wc/v3/orders?modified_after=&page=&per_page=&order=&orderby=` with `X-WP-Total`,
 *   `X-WP-TotalPages`; `GET` of one product / variation / order.
 *
 * Test controls: `failNext(n, status | 'network')` answers the next n requests with that status (429 carries
 * `Retry-After`) or destroys the socket; `requests` records every request with its answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// ---------------------------------------------------------------------------------------------------------------
// Public types

/** Options of `startFakeChannel`. */
export interface FakeChannelOptions {
  /** Shopify Admin access token accepted. Default `shpat_fake_token`. */
  readonly shopifyToken?: string;
  /** Woo consumer key / secret accepted (Basic auth). Default `ck_fake` / `cs_fake`. */
  readonly wooConsumerKey?: string;
  readonly wooConsumerSecret?: string;
  /** Shopify API versions accepted; default: any `YYYY-01|04|07|10` or `unstable`. */
  readonly shopifyApiVersions?: readonly string[];
  /** Clock for timestamps the fake writes (Woo date_modified, fulfilment createdAt). Default Date.now. */
  readonly now?: () => number;
  /** Answers each request after this many ms (to make concurrent callers overlap). Default 0. */
  readonly latencyMs?: number;
}

/** One request as received, and what the fake answered. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Raw body text. */
  readonly body: string;
  /** Parsed JSON body, when it was JSON. */
  readonly json: unknown;
  readonly channel: 'shopify' | 'woo' | 'unknown';
  /** e.g. `inventorySetQuantities`, `fulfillmentCreate`, `order`, `orders.list`, `product.update`, `order.update`. */
  operation: string | null;
  /** GraphQL variables after validation, for GraphQL requests. */
  variables: Record<string, unknown> | null;
  status: number;
  /** The answer body (or `'network'` for a destroyed socket). */
  response: string;
}

/** A fulfilment recorded by `fulfillmentCreate`. */
export interface FakeFulfilment {
  readonly id: string;
  readonly orderGid: string;
  readonly fulfillmentOrderIds: readonly string[];
  readonly trackingCompany: string | null;
  readonly trackingNumber: string | null;
  readonly trackingUrl: string | null;
  readonly notifyCustomer: boolean;
  readonly createdAt: string;
}

/** A Shopify fulfilment order held by the fake. */
export interface FakeFulfillmentOrder {
  readonly id: string;
  status: 'OPEN' | 'IN_PROGRESS' | 'CLOSED' | 'CANCELLED' | 'INCOMPLETE' | 'ON_HOLD' | 'SCHEDULED';
  /** Location gid the fulfilment order is assigned to (`assignedLocation.location.id`); null if not set. */
  readonly locationId?: string | null;
}

export interface FakeShopify {
  /** Sets (and so stocks) the available level of an item at a location; gids `gid://shopify/InventoryItem/N`, `…/Location/N`. */
  setLevel(inventoryItemId: string, locationId: string, available: number): void;
  /** Current available level, or null when the item is not stocked at the location. */
  level(inventoryItemId: string, locationId: string): number | null;
  /**
   * Adds an order (REST Order JSON: `id` number or bigint — bigints are written as bare JSON numbers, like Shopify's
   * int64 ids; `updated_at` ISO; optional `admin_graphql_api_id`). Creates one OPEN fulfilment order unless
   * `fulfillmentOrders` are given. Returns the order gid.
   */
  addOrder(order: Record<string, unknown>, options?: { fulfillmentOrders?: FakeFulfillmentOrder[] }): string;
  /** Fulfilment orders of an order (by gid). */
  fulfillmentOrders(orderGid: string): readonly FakeFulfillmentOrder[];
  readonly fulfilments: readonly FakeFulfilment[];
}

export interface FakeWoo {
  /** Creates or updates a product (`'12'`) or variation (`'12/34'`) with manage_stock on and this stock. */
  setStock(productRef: string | number, qty: number): void;
  /** stock_quantity of a product or variation (`'12/34'`), or null if unknown / not managed. */
  stock(productRef: string | number): number | null;
  /** Adds an order (Woo REST order JSON; `id` required; `date_modified_gmt` defaults to now). */
  addOrder(order: Record<string, unknown>): void;
  /** One order as the fake holds it now. */
  order(id: number | string): Record<string, unknown> | null;
  readonly orders: readonly Record<string, unknown>[];
}

export interface FakeChannel {
  /** Base URL, e.g. `http://127.0.0.1:PORT` (Shopify api_base_url; Woo api_base_url is `url + '/'`). */
  readonly url: string;
  readonly shopifyToken: string;
  /** Woo `ck_…:cs_…` as stored in channel_connections.api_token. */
  readonly wooToken: string;
  readonly shopify: FakeShopify;
  readonly woo: FakeWoo;
  readonly requests: readonly RecordedRequest[];
  /**
   * The next `n` requests (optionally only those whose path matches) are answered with `status` (5xx, or 429 with
   * `Retry-After: retryAfterSec`, default 2) before any check, or their socket is destroyed (`'network'`), or (Shopify
   * GraphQL) 200 with a `THROTTLED` error, as Shopify answers when the query cost bucket is empty (`'throttled'`).
   */
  failNext(n: number, status: number | 'network' | 'throttled', options?: { retryAfterSec?: number; path?: RegExp }): void;
  /** Forgets recorded requests. */
  clearRequests(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON with int64 ids: bigint values are written as bare numbers.

const BIG_MARK = '\u0000big:';
function toJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${BIG_MARK}${v.toString()}` : v));
  return text.replace(/"\\u0000big:(-?\d+)"/g, '$1');
}

// ---------------------------------------------------------------------------------------------------------------
// A small GraphQL reader: enough of the grammar for one operation with variables, arguments and nested selections.

type GqlValue =
  | { kind: 'var'; name: string }
  | { kind: 'int' | 'float' | 'string' | 'enum'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'list'; items: GqlValue[] }
  | { kind: 'object'; fields: Map<string, GqlValue> };

interface GqlField {
  alias: string | null;
  name: string;
  args: Map<string, GqlValue>;
  selections: GqlField[] | null;
}

interface GqlOperation {
  type: 'query' | 'mutation';
  variables: Map<string, { type: string; default: GqlValue | null }>;
  selections: GqlField[];
}

class GqlSyntaxError extends Error {}

type Tok = { t: 'punct'; v: string } | { t: 'name'; v: string } | { t: 'int' | 'float' | 'string'; v: string };

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (/[\s,\uFEFF]/.test(c)) {
      i++;
    } else if (src.startsWith('...', i)) {
      throw new GqlSyntaxError('fragments are not supported by the fake channel');
    } else if ('!$():=@[]{}|&'.includes(c)) {
      toks.push({ t: 'punct', v: c });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      toks.push({ t: 'name', v: m[0] });
      i += m[0].length;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i));
      if (!m) throw new GqlSyntaxError(`unexpected character '${c}' at ${i}`);
      toks.push({ t: m[2] || m[3] ? 'float' : 'int', v: m[0] });
      i += m[0].length;
    } else if (src.startsWith('"""', i)) {
      const end = src.indexOf('"""', i + 3);
      if (end < 0) throw new GqlSyntaxError('unterminated block string');
      toks.push({ t: 'string', v: src.slice(i + 3, end) });
      i = end + 3;
    } else if (c === '"') {
      let j = i + 1;
      let out = '';
      for (;;) {
        const d = src[j];
        if (d === undefined || d === '\n') throw new GqlSyntaxError('unterminated string');
        if (d === '"') break;
        if (d === '\\') {
          const e = src[j + 1];
          const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
          if (e === 'u') {
            out += String.fromCharCode(parseInt(src.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          if (e === undefined || simple[e] === undefined) throw new GqlSyntaxError('bad escape in string');
          out += simple[e];
          j += 2;
          continue;
        }
        out += d;
        j++;
      }
      toks.push({ t: 'string', v: out });
      i = j + 1;
    } else {
      throw new GqlSyntaxError(`unexpected character '${c}' at ${i}`);
    }
  }
  return toks;
}

function parseOperation(src: string): GqlOperation {
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Tok | undefined => toks[p];
  const isPunct = (v: string): boolean => peek()?.t === 'punct' && peek()?.v === v;
  const expectPunct = (v: string): void => {
    const tok = toks[p++];
    if (tok?.t !== 'punct' || tok.v !== v) throw new GqlSyntaxError(`expected '${v}', found ${tok ? `'${tok.v}'` : 'end of document'}`);
  };
  const name = (): string => {
    const tok = toks[p++];
    if (tok?.t !== 'name') throw new GqlSyntaxError(`expected a name, found ${tok ? `'${tok.v}'` : 'end of document'}`);
    return tok.v;
  };
  const typeRef = (): string => {
    let t: string;
    if (isPunct('[')) {
      p++;
      t = `[${typeRef()}]`;
      expectPunct(']');
    } else {
      t = name();
    }
    if (isPunct('!')) {
      p++;
      t += '!';
    }
    return t;
  };
  const value = (): GqlValue => {
    const tok = toks[p++];
    if (!tok) throw new GqlSyntaxError('expected a value, found end of document');
    if (tok.t === 'punct') {
      if (tok.v === '$') return { kind: 'var', name: name() };
      if (tok.v === '[') {
        const items: GqlValue[] = [];
        while (!isPunct(']')) items.push(value());
        p++;
        return { kind: 'list', items };
      }
      if (tok.v === '{') {
        const fields = new Map<string, GqlValue>();
        while (!isPunct('}')) {
          const key = name();
          expectPunct(':');
          fields.set(key, value());
        }
        p++;
        return { kind: 'object', fields };
      }
      throw new GqlSyntaxError(`unexpected '${tok.v}'`);
    }
    if (tok.t === 'name') {
      if (tok.v === 'true' || tok.v === 'false') return { kind: 'bool', value: tok.v === 'true' };
      if (tok.v === 'null') return { kind: 'null' };
      return { kind: 'enum', value: tok.v };
    }
    return { kind: tok.t, value: tok.v };
  };
  const args = (): Map<string, GqlValue> => {
    const out = new Map<string, GqlValue>();
    if (!isPunct('(')) return out;
    p++;
    while (!isPunct(')')) {
      const key = name();
      expectPunct(':');
      if (out.has(key)) throw new GqlSyntaxError(`argument '${key}' given twice`);
      out.set(key, value());
    }
    p++;
    return out;
  };
  const selectionSet = (): GqlField[] => {
    expectPunct('{');
    const fields: GqlField[] = [];
    while (!isPunct('}')) {
      if (isPunct('@')) throw new GqlSyntaxError('directives are not supported by the fake channel');
      let alias: string | null = null;
      let fieldName = name();
      if (isPunct(':')) {
        p++;
        alias = fieldName;
        fieldName = name();
      }
      const fieldArgs = args();
      const selections = isPunct('{') ? selectionSet() : null;
      fields.push({ alias, name: fieldName, args: fieldArgs, selections });
    }
    p++;
    if (fields.length === 0) throw new GqlSyntaxError('empty selection set');
    return fields;
  };

  let type: 'query' | 'mutation' = 'query';
  const variables = new Map<string, { type: string; default: GqlValue | null }>();
  if (!isPunct('{')) {
    const kw = name();
    if (kw !== 'query' && kw !== 'mutation') throw new GqlSyntaxError(`unsupported operation type '${kw}'`);
    type = kw;
    if (peek()?.t === 'name') p++;
    if (isPunct('(')) {
      p++;
      while (!isPunct(')')) {
        expectPunct('$');
        const varName = name();
        expectPunct(':');
        const varType = typeRef();
        let def: GqlValue | null = null;
        if (isPunct('=')) {
          p++;
          def = value();
        }
        variables.set(varName, { type: varType, default: def });
      }
      p++;
    }
  }
  const selections = selectionSet();
  if (p !== toks.length) throw new GqlSyntaxError('only one operation per document is supported by the fake channel');
  return { type, variables, selections };
}

// ---------------------------------------------------------------------------------------------------------------
// Input types (a slice of the Admin API schema) and their validation.

type InType =
  | { k: 'scalar'; name: 'Int' | 'String' | 'Boolean' | 'ID' | 'URL' | 'DateTime' }
  | { k: 'enum'; name: string; values: readonly string[] }
  | { k: 'input'; name: string; fields: () => Record<string, InType> }
  | { k: 'list'; of: InType }
  | { k: 'nonNull'; of: InType };

const S = {
  Int: { k: 'scalar', name: 'Int' },
  String: { k: 'scalar', name: 'String' },
  Boolean: { k: 'scalar', name: 'Boolean' },
  ID: { k: 'scalar', name: 'ID' },
  URL: { k: 'scalar', name: 'URL' },
} as const satisfies Record<string, InType>;
const nn = (of: InType): InType => ({ k: 'nonNull', of });
const list = (of: InType): InType => ({ k: 'list', of });

const InventoryQuantityInput: InType = {
  k: 'input',
  name: 'InventoryQuantityInput',
  fields: () => ({
    inventoryItemId: nn(S.ID),
    locationId: nn(S.ID),
    quantity: nn(S.Int),
    changeFromQuantity: S.Int,
    compareQuantity: S.Int, // deprecated; overridden by changeFromQuantity
  }),
};
const InventorySetQuantitiesInput: InType = {
  k: 'input',
  name: 'InventorySetQuantitiesInput',
  fields: () => ({
    name: nn(S.String),
    reason: nn(S.String),
    referenceDocumentUri: S.String,
    quantities: nn(list(nn(InventoryQuantityInput))),
    ignoreCompareQuantity: S.Boolean, // deprecated; overridden by changeFromQuantity
  }),
};
const FulfillmentOrderLineItemInput: InType = {
  k: 'input',
  name: 'FulfillmentOrderLineItemInput',
  fields: () => ({ id: nn(S.ID), quantity: nn(S.Int) }),
};
const FulfillmentOrderLineItemsInput: InType = {
  k: 'input',
  name: 'FulfillmentOrderLineItemsInput',
  fields: () => ({ fulfillmentOrderId: nn(S.ID), fulfillmentOrderLineItems: list(nn(FulfillmentOrderLineItemInput)) }),
};
const FulfillmentTrackingInput: InType = {
  k: 'input',
  name: 'FulfillmentTrackingInput',
  fields: () => ({ company: S.String, number: S.String, numbers: list(nn(S.String)), url: S.URL, urls: list(nn(S.URL)) }),
};
const FulfillmentInput: InType = {
  k: 'input',
  name: 'FulfillmentInput',
  fields: () => ({
    lineItemsByFulfillmentOrder: nn(list(nn(FulfillmentOrderLineItemsInput))),
    trackingInfo: FulfillmentTrackingInput,
    notifyCustomer: S.Boolean,
    originAddress: { k: 'input', name: 'FulfillmentOriginAddressInput', fields: () => ({ address1: S.String, address2: S.String, city: S.String, countryCode: nn(S.String), provinceCode: S.String, zip: S.String }) },
  }),
};

function typeString(t: InType): string {
  switch (t.k) {
    case 'nonNull':
      return `${typeString(t.of)}!`;
    case 'list':
      return `[${typeString(t.of)}]`;
    case 'scalar':
    case 'enum':
    case 'input':
      return t.name;
  }
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Checks a JSON value against an input type; returns problems as `path: message`. */
function checkInput(value: unknown, t: InType, path: string, problems: string[]): void {
  if (t.k === 'nonNull') {
    if (value === null || value === undefined) problems.push(`${path}: Expected value to not be null`);
    else checkInput(value, t.of, path, problems);
    return;
  }
  if (value === null || value === undefined) return;
  switch (t.k) {
    case 'list':
      // GraphQL input coercion accepts a single value for a list; real clients send arrays, so the fake insists.
      if (!Array.isArray(value)) problems.push(`${path}: Expected an array`);
      else value.forEach((item, i) => checkInput(item, t.of, `${path}.${i}`, problems));
      return;
    case 'scalar':
      switch (t.name) {
        case 'Int':
          if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX)
            problems.push(`${path}: Could not coerce value ${JSON.stringify(value)} to Int`);
          return;
        case 'Boolean':
          if (typeof value !== 'boolean') problems.push(`${path}: Could not coerce value ${JSON.stringify(value)} to Boolean`);
          return;
        case 'ID':
          if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value)))
            problems.push(`${path}: Could not coerce value ${JSON.stringify(value)} to ID`);
          return;
        case 'URL':
          if (typeof value !== 'string' || !URL.canParse(value)) problems.push(`${path}: Could not coerce value ${JSON.stringify(value)} to URL`);
          return;
        case 'String':
        case 'DateTime':
          if (typeof value !== 'string') problems.push(`${path}: Could not coerce value ${JSON.stringify(value)} to ${t.name}`);
          return;
      }
      return;
    case 'enum':
      if (typeof value !== 'string' || !t.values.includes(value)) problems.push(`${path}: Expected one of ${t.values.join(', ')}`);
      return;
    case 'input': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${path}: Expected an object (${t.name})`);
        return;
      }
      const fields = t.fields();
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        if (!(key in fields)) problems.push(`${path}.${key}: Field is not defined on ${t.name}`);
      }
      for (const [key, ft] of Object.entries(fields)) checkInput(obj[key], ft, `${path}.${key}`, problems);
      return;
    }
  }
}

/** Resolves an argument literal (with variables substituted) to JSON. */
function literal(v: GqlValue, vars: Record<string, unknown>): unknown {
  switch (v.kind) {
    case 'var':
      return vars[v.name] ?? null;
    case 'int':
    case 'float':
      return Number(v.value);
    case 'string':
    case 'enum':
      return v.value;
    case 'bool':
      return v.value;
    case 'null':
      return null;
    case 'list':
      return v.items.map((item) => literal(item, vars));
    case 'object':
      return Object.fromEntries([...v.fields].map(([k, item]) => [k, literal(item, vars)]));
  }
}

type VarDecls = Map<string, { type: string; default: GqlValue | null }>;

/**
 * Records the variables an argument uses; a variable given as the whole argument must be declared with exactly the
 * argument's type (Shopify checks this; nested uses inside list/object literals are only marked used).
 */
function checkVariableUse(v: GqlValue, argType: InType | null, where: string, decls: VarDecls, used: Set<string>, problems: string[]): void {
  switch (v.kind) {
    case 'var': {
      used.add(v.name);
      const decl = decls.get(v.name);
      if (!decl) problems.push(`Variable $${v.name} is used by ${where} but not declared`);
      else if (argType && decl.type !== typeString(argType))
        problems.push(`Type mismatch on variable $${v.name} and argument ${where} (${decl.type} / ${typeString(argType)})`);
      return;
    }
    case 'list':
      v.items.forEach((item) => checkVariableUse(item, null, where, decls, used, problems));
      return;
    case 'object':
      v.fields.forEach((item) => checkVariableUse(item, null, where, decls, used, problems));
      return;
    case 'int':
    case 'float':
    case 'string':
    case 'enum':
    case 'bool':
    case 'null':
      return;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Output types: which fields may be selected, which are objects, which take arguments.

interface OutField {
  readonly type: string; // an object type name, or a scalar ('ID', 'String', 'Int', 'Boolean', 'DateTime', 'URL')
  readonly list?: boolean;
  readonly args?: Record<string, InType>;
}
const CONNECTION_ARGS: Record<string, InType> = { first: S.Int, last: S.Int, after: S.String, before: S.String, reverse: S.Boolean };
const OUT_TYPES: Record<string, Record<string, OutField>> = {
  QueryRoot: { order: { type: 'Order', args: { id: nn(S.ID) } }, inventoryItem: { type: 'InventoryItem', args: { id: nn(S.ID) } } },
  Mutation: {
    inventorySetQuantities: { type: 'InventorySetQuantitiesPayload', args: { input: nn(InventorySetQuantitiesInput) } },
    fulfillmentCreate: { type: 'FulfillmentCreatePayload', args: { fulfillment: nn(FulfillmentInput), message: S.String } },
  },
  InventorySetQuantitiesPayload: {
    inventoryAdjustmentGroup: { type: 'InventoryAdjustmentGroup' },
    userErrors: { type: 'InventorySetQuantitiesUserError', list: true },
  },
  InventoryAdjustmentGroup: {
    id: { type: 'ID' },
    createdAt: { type: 'DateTime' },
    reason: { type: 'String' },
    referenceDocumentUri: { type: 'String' },
    changes: { type: 'InventoryChange', list: true },
  },
  InventoryChange: {
    name: { type: 'String' },
    delta: { type: 'Int' },
    quantityAfterChange: { type: 'Int' },
    item: { type: 'InventoryItem' },
    location: { type: 'Location' },
  },
  InventoryItem: { id: { type: 'ID' }, inventoryLevel: { type: 'InventoryLevel', args: { locationId: nn(S.ID) } } },
  InventoryLevel: {
    id: { type: 'ID' },
    quantities: { type: 'InventoryQuantity', list: true, args: { names: nn(list(nn(S.String))) } },
    location: { type: 'Location' },
  },
  InventoryQuantity: { name: { type: 'String' }, quantity: { type: 'Int' } },
  Location: { id: { type: 'ID' } },
  InventorySetQuantitiesUserError: { field: { type: 'String', list: true }, message: { type: 'String' }, code: { type: 'String' } },
  FulfillmentCreatePayload: { fulfillment: { type: 'Fulfillment' }, userErrors: { type: 'UserError', list: true } },
  UserError: { field: { type: 'String', list: true }, message: { type: 'String' } },
  Fulfillment: {
    id: { type: 'ID' },
    status: { type: 'String' },
    createdAt: { type: 'DateTime' },
    trackingInfo: { type: 'FulfillmentTrackingInfo', list: true, args: { first: S.Int } },
  },
  FulfillmentTrackingInfo: { company: { type: 'String' }, number: { type: 'String' }, url: { type: 'URL' } },
  Order: {
    id: { type: 'ID' },
    name: { type: 'String' },
    updatedAt: { type: 'DateTime' },
    fulfillmentOrders: { type: 'FulfillmentOrderConnection', args: { ...CONNECTION_ARGS, displayable: S.Boolean, query: S.String } },
  },
  FulfillmentOrderConnection: { nodes: { type: 'FulfillmentOrder', list: true }, pageInfo: { type: 'PageInfo' } },
  FulfillmentOrder: { id: { type: 'ID' }, status: { type: 'String' }, assignedLocation: { type: 'FulfillmentOrderAssignedLocation' } },
  FulfillmentOrderAssignedLocation: { name: { type: 'String' }, location: { type: 'Location' } },
  PageInfo: { hasNextPage: { type: 'Boolean' }, hasPreviousPage: { type: 'Boolean' }, startCursor: { type: 'String' }, endCursor: { type: 'String' } },
};

/** Checks selections against the output types; the root field's args are checked by the caller. */
function checkSelections(
  fields: readonly GqlField[],
  typeName: string,
  path: string,
  vars: Record<string, unknown>,
  decls: VarDecls,
  used: Set<string>,
  problems: string[],
): void {
  const type = OUT_TYPES[typeName]!;
  for (const f of fields) {
    if (f.name === '__typename') {
      if (f.selections) problems.push(`${path}.__typename: Selections can't be made on scalars`);
      continue;
    }
    const spec = type[f.name];
    if (!spec) {
      problems.push(`Field '${f.name}' doesn't exist on type '${typeName}'`);
      continue;
    }
    const here = path === '' ? (f.alias ?? f.name) : `${path}.${f.alias ?? f.name}`;
    for (const [argName, argValue] of f.args) {
      const argType = spec.args?.[argName];
      if (!argType) {
        problems.push(`Field '${f.name}' doesn't accept argument '${argName}'`);
        continue;
      }
      checkVariableUse(argValue, argType, `${f.name}(${argName})`, decls, used, problems);
      checkInput(literal(argValue, vars), argType, `${here}(${argName})`, problems);
    }
    for (const [argName, argType] of Object.entries(spec.args ?? {})) {
      if (argType.k === 'nonNull' && !f.args.has(argName)) problems.push(`Field '${f.name}' is missing required argument '${argName}'`);
    }
    if (spec.type.endsWith('Connection') && !f.args.has('first') && !f.args.has('last'))
      problems.push(`${here}: you must provide one of first or last`);
    const isObject = spec.type in OUT_TYPES;
    if (isObject && !f.selections) problems.push(`Field '${f.name}' of type '${spec.type}' must have a selection of subfields`);
    if (!isObject && f.selections) problems.push(`Selections can't be made on scalars (field '${f.name}' returns ${spec.type})`);
    if (isObject && f.selections) checkSelections(f.selections, spec.type, here, vars, decls, used, problems);
  }
}

/** A resolved value: plain data, or a function of the field's arguments. */
type Resolved = unknown;

/** Keeps only what was selected (aliases honoured). Selections were checked already. */
function project(value: Resolved, fields: readonly GqlField[], typeName: string, vars: Record<string, unknown>): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => project(item, fields, typeName, vars));
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const key = f.alias ?? f.name;
    if (f.name === '__typename') {
      out[key] = typeName;
      continue;
    }
    const spec = OUT_TYPES[typeName]![f.name]!;
    let fieldValue = obj[f.name];
    if (typeof fieldValue === 'function') {
      const args = Object.fromEntries([...f.args].map(([k, v]) => [k, literal(v, vars)]));
      fieldValue = (fieldValue as (args: Record<string, unknown>) => unknown)(args);
    }
    out[key] = f.selections ? project(fieldValue, f.selections, spec.type, vars) : (fieldValue ?? null);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The server.

/** Shopify's documented inventory reasons (quantities-states doc). */
const SHOPIFY_REASONS = new Set([
  'correction', 'cycle_count_available', 'damaged', 'movement_created', 'movement_updated', 'movement_received',
  'movement_canceled', 'other', 'promotion', 'quality_control', 'received', 'reservation_created', 'reservation_deleted',
  'reservation_updated', 'restock', 'safety_stock', 'shrinkage',
]);
const WOO_ORDER_STATUSES = new Set(['pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed', 'trash', 'checkout-draft']);
const GID = (type: string): RegExp => new RegExp(`^gid://shopify/${type}/\\d+$`);

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

interface ShopifyOrderEntry {
  gid: string;
  idNumber: bigint;
  json: Record<string, unknown>;
  updatedAtMs: number;
  createdAtMs: number;
  fulfillmentOrders: FakeFulfillmentOrder[];
}

interface WooProduct {
  manage_stock: boolean;
  stock_quantity: number | null;
}

/** Starts the fake channel on 127.0.0.1 and an ephemeral port. */
export async function startFakeChannel(options: FakeChannelOptions = {}): Promise<FakeChannel> {
  const shopifyToken = options.shopifyToken ?? 'shpat_fake_token';
  const wooKey = options.wooConsumerKey ?? 'ck_fake';
  const wooSecret = options.wooConsumerSecret ?? 'cs_fake';
  const now = options.now ?? ((): number => Date.now());
  const versionOk = (v: string): boolean =>
    options.shopifyApiVersions ? options.shopifyApiVersions.includes(v) : v === 'unstable' || /^\d{4}-(01|04|07|10)$/.test(v);

  const levels = new Map<string, number>();
  const levelKey = (item: string, location: string): string => `${item}|${location}`;
  const shopifyOrders = new Map<string, ShopifyOrderEntry>();
  const fulfilments: FakeFulfilment[] = [];
  let nextShopifyId = 1000;
  const wooProducts = new Map<string, WooProduct>();
  const wooOrders = new Map<string, Record<string, unknown>>();
  const requests: RecordedRequest[] = [];
  const failures: { status: number | 'network' | 'throttled'; retryAfterSec: number; path: RegExp | undefined }[] = [];

  const isoNow = (): string => new Date(now()).toISOString();
  const wooDate = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

  // ----- Shopify GraphQL -----

  const gqlError = (status: number, messages: string[], code: string): HttpAnswer =>
    new HttpAnswer(status, { errors: messages.map((message) => ({ message, extensions: { code } })) });

  function inventorySetQuantities(input: Record<string, unknown>): Resolved {
    const userErrors: { field: string[]; message: string; code: string }[] = [];
    const name = input['name'] as string;
    const reason = input['reason'] as string;
    const uri = input['referenceDocumentUri'] as string | null | undefined;
    const quantities = input['quantities'] as Record<string, unknown>[];
    if (name !== 'available') userErrors.push({ field: ['input', 'name'], message: `The fake channel models 'available' only, got '${name}'.`, code: 'INVALID_NAME' });
    if (!SHOPIFY_REASONS.has(reason)) userErrors.push({ field: ['input', 'reason'], message: `The specified reason '${reason}' is invalid.`, code: 'INVALID_REASON' });
    if (uri !== null && uri !== undefined && (!/^gid:\/\/[^/]+\/[^/]+\/.+$/.test(uri) || uri.startsWith('gid://shopify/')))
      userErrors.push({ field: ['input', 'referenceDocumentUri'], message: 'The specified reference document URI is invalid (gid://<app>/<Type>/<id>, not gid://shopify/).', code: 'INVALID_REFERENCE_DOCUMENT' });
    const seen = new Set<string>();
    quantities.forEach((q, i) => {
      const item = String(q['inventoryItemId']);
      const location = String(q['locationId']);
      const field = ['input', 'quantities', String(i)];
      if (!Object.hasOwn(q, 'changeFromQuantity'))
        userErrors.push({ field: [...field, 'changeFromQuantity'], message: 'changeFromQuantity must be passed explicitly (a value, or null to opt out).', code: 'CHANGE_FROM_QUANTITY_REQUIRED' });
      if (!GID('InventoryItem').test(item)) userErrors.push({ field: [...field, 'inventoryItemId'], message: 'The specified inventory item could not be found.', code: 'INVALID_INVENTORY_ITEM' });
      if (!GID('Location').test(location)) userErrors.push({ field: [...field, 'locationId'], message: 'The specified location could not be found.', code: 'INVALID_LOCATION' });
      const quantity = q['quantity'] as number;
      if (quantity > 1_000_000_000) userErrors.push({ field: [...field, 'quantity'], message: 'The quantity is too high.', code: 'INVALID_QUANTITY_TOO_HIGH' });
      if (quantity < -1_000_000_000) userErrors.push({ field: [...field, 'quantity'], message: 'The quantity is too low.', code: 'INVALID_QUANTITY_TOO_LOW' });
      const key = levelKey(item, location);
      if (seen.has(key)) userErrors.push({ field, message: 'The combination of inventoryItemId and locationId must be unique.', code: 'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR' });
      seen.add(key);
      const current = levels.get(key);
      if (current === undefined && GID('InventoryItem').test(item) && GID('Location').test(location)) {
        userErrors.push({ field, message: 'The specified inventory item is not stocked at the location.', code: 'ITEM_NOT_STOCKED_AT_LOCATION' });
      } else if (current !== undefined && q['changeFromQuantity'] !== null && q['changeFromQuantity'] !== undefined && q['changeFromQuantity'] !== current) {
        userErrors.push({ field: [...field, 'changeFromQuantity'], message: `The specified compare quantity does not match the current quantity (${current}).`, code: 'CHANGE_FROM_QUANTITY_STALE' });
      }
    });
    // All or nothing, as the mutation is.
    if (userErrors.length > 0) return { inventoryAdjustmentGroup: null, userErrors };
    const changes = quantities.map((q) => {
      const key = levelKey(String(q['inventoryItemId']), String(q['locationId']));
      const before = levels.get(key)!;
      const after = q['quantity'] as number;
      levels.set(key, after);
      return { name: 'available', delta: after - before, quantityAfterChange: after, item: { id: q['inventoryItemId'] }, location: { id: q['locationId'] } };
    });
    return {
      inventoryAdjustmentGroup: { id: `gid://shopify/InventoryAdjustmentGroup/${nextShopifyId++}`, createdAt: isoNow(), reason, referenceDocumentUri: uri ?? null, changes },
      userErrors: [],
    };
  }

  function findFulfillmentOrder(id: string): { order: ShopifyOrderEntry; fo: FakeFulfillmentOrder } | null {
    for (const order of shopifyOrders.values()) {
      const fo = order.fulfillmentOrders.find((candidate) => candidate.id === id);
      if (fo) return { order, fo };
    }
    return null;
  }

  function fulfillmentCreate(input: Record<string, unknown>): Resolved {
    const userErrors: { field: string[]; message: string }[] = [];
    const groups = input['lineItemsByFulfillmentOrder'] as Record<string, unknown>[];
    const tracking = (input['trackingInfo'] ?? null) as Record<string, unknown> | null;
    if (groups.length === 0) userErrors.push({ field: ['fulfillment', 'lineItemsByFulfillmentOrder'], message: 'Line items by fulfillment order must not be empty.' });
    const found: { order: ShopifyOrderEntry; fo: FakeFulfillmentOrder }[] = [];
    for (const group of groups) {
      const id = String(group['fulfillmentOrderId']);
      const hit = findFulfillmentOrder(id);
      if (!hit) userErrors.push({ field: ['fulfillment'], message: `Fulfillment order ${id} does not exist.` });
      else if (hit.fo.status !== 'OPEN' && hit.fo.status !== 'IN_PROGRESS')
        userErrors.push({ field: ['fulfillment'], message: `Fulfillment order ${id} has an unfulfillable status= ${hit.fo.status.toLowerCase()}.` });
      else found.push(hit);
    }
    if (new Set(found.map((hit) => hit.order.gid)).size > 1)
      userErrors.push({ field: ['fulfillment'], message: 'All fulfillment orders must belong to the same order.' });
    if (userErrors.length > 0) return { fulfillment: null, userErrors };
    for (const hit of found) hit.fo.status = 'CLOSED';
    const trackingNumber = (tracking?.['number'] as string | undefined) ?? (tracking?.['numbers'] as string[] | undefined)?.[0] ?? null;
    const fulfilment: FakeFulfilment = {
      id: `gid://shopify/Fulfillment/${nextShopifyId++}`,
      orderGid: found[0]!.order.gid,
      fulfillmentOrderIds: found.map((hit) => hit.fo.id),
      trackingCompany: (tracking?.['company'] as string | undefined) ?? null,
      trackingNumber,
      trackingUrl: (tracking?.['url'] as string | undefined) ?? null,
      notifyCustomer: (input['notifyCustomer'] as boolean | undefined) ?? false,
      createdAt: isoNow(),
    };
    fulfilments.push(fulfilment);
    return {
      fulfillment: {
        id: fulfilment.id,
        status: 'SUCCESS',
        createdAt: fulfilment.createdAt,
        trackingInfo: [{ company: fulfilment.trackingCompany, number: fulfilment.trackingNumber, url: fulfilment.trackingUrl }],
      },
      userErrors: [],
    };
  }

  function orderQuery(id: string): Resolved {
    const order = shopifyOrders.get(id);
    if (!order) return null;
    return {
      id: order.gid,
      name: order.json['name'] ?? null,
      updatedAt: new Date(order.updatedAtMs).toISOString(),
      fulfillmentOrders: (args: Record<string, unknown>) => {
        const n = (args['first'] ?? args['last']) as number;
        const all = order.fulfillmentOrders.map((fo) => ({
          id: fo.id,
          status: fo.status,
          assignedLocation: { name: 'Warehouse', location: fo.locationId ? { id: fo.locationId } : null },
        }));
        const nodes = args['first'] !== undefined ? all.slice(0, n) : all.slice(Math.max(0, all.length - n));
        return { nodes, pageInfo: { hasNextPage: nodes.length < all.length, hasPreviousPage: false, startCursor: null, endCursor: null } };
      },
    };
  }

  function inventoryItemQuery(id: string): Resolved {
    const stocked = [...levels.keys()].some((key) => key.startsWith(`${id}|`));
    if (!stocked) return null;
    return {
      id,
      inventoryLevel: (args: Record<string, unknown>) => {
        const location = String(args['locationId']);
        const available = levels.get(levelKey(id, location));
        if (available === undefined) return null;
        return {
          id: `gid://shopify/InventoryLevel/${location.split('/').pop()}?inventory_item_id=${id.split('/').pop()}`,
          location: { id: location },
          quantities: (qArgs: Record<string, unknown>) =>
            (qArgs['names'] as string[]).filter((name) => name === 'available').map((name) => ({ name, quantity: available })),
        };
      },
    };
  }

  function shopifyGraphql(json: unknown, record: RecordedRequest): HttpAnswer {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return gqlError(400, ['Body must be a JSON object with a "query"'], 'BAD_REQUEST');
    const body = json as Record<string, unknown>;
    if (typeof body['query'] !== 'string') return gqlError(400, ['Parameter "query" is required and must be a string'], 'BAD_REQUEST');
    const rawVars = body['variables'] ?? {};
    if (typeof rawVars !== 'object' || rawVars === null || Array.isArray(rawVars)) return gqlError(400, ['"variables" must be an object'], 'BAD_REQUEST');
    const vars = { ...(rawVars as Record<string, unknown>) };
    let op: GqlOperation;
    try {
      op = parseOperation(body['query']);
    } catch (err) {
      if (err instanceof GqlSyntaxError) return gqlError(400, [`Parse error: ${err.message}`], 'PARSE_ERROR');
      throw err;
    }
    if (op.selections.length !== 1) return gqlError(400, ['The fake channel supports exactly one root field per operation'], 'BAD_REQUEST');
    const root = op.selections[0]!;
    const rootType = op.type === 'mutation' ? 'Mutation' : 'QueryRoot';
    const rootSpec = OUT_TYPES[rootType]![root.name];
    record.operation = root.name;
    if (!rootSpec) return gqlError(400, [`Field '${root.name}' doesn't exist on type '${rootType}'`], 'undefinedField');
    const problems: string[] = [];
    for (const [varName, decl] of op.variables) {
      if (!(varName in vars) && decl.default) vars[varName] = literal(decl.default, {});
    }
    // Every variable used must be declared with the argument's exact type, and its value must fit that type.
    const used = new Set<string>();
    checkSelections([root], rootType, '', vars, op.variables, used, problems);
    for (const varName of op.variables.keys()) {
      if (!used.has(varName)) problems.push(`Variable $${varName} is declared but not used`);
    }
    if (problems.length > 0) return gqlError(400, problems, 'INVALID_VARIABLES_OR_SELECTION');
    const args = Object.fromEntries([...root.args].map(([k, v]) => [k, literal(v, vars)]));
    record.variables = vars;
    let result: Resolved;
    switch (root.name) {
      case 'inventorySetQuantities':
        result = inventorySetQuantities(args['input'] as Record<string, unknown>);
        break;
      case 'fulfillmentCreate':
        result = fulfillmentCreate(args['fulfillment'] as Record<string, unknown>);
        break;
      case 'order':
        result = orderQuery(String(args['id']));
        break;
      case 'inventoryItem':
        result = inventoryItemQuery(String(args['id']));
        break;
      default:
        return gqlError(400, [`Field '${root.name}' is not implemented by the fake channel`], 'undefinedField');
    }
    const key = root.alias ?? root.name;
    return new HttpAnswer(200, { data: { [key]: project(result, root.selections!, rootSpec.type, vars) } });
  }

  // ----- Shopify REST orders -----

  function shopifyOrdersList(version: string, query: URLSearchParams): HttpAnswer {
    const bad = (field: string, message: string): HttpAnswer => new HttpAnswer(400, { errors: { [field]: [message] } });
    const limitText = query.get('limit') ?? '50';
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 250) return bad('limit', 'must be an integer between 1 and 250');
    const limit = Number(limitText);
    let filters: { status: string; updatedAtMin: number | null; order: string };
    let offset = 0;
    const pageInfo = query.get('page_info');
    if (pageInfo !== null) {
      const extra = [...query.keys()].filter((k) => k !== 'page_info' && k !== 'limit' && k !== 'fields');
      if (extra.length > 0) return bad('page_info', `cannot be combined with ${extra.join(', ')} (only limit and fields)`);
      try {
        const decoded = JSON.parse(Buffer.from(pageInfo, 'base64url').toString('utf8')) as { f: typeof filters; o: number };
        filters = decoded.f;
        offset = decoded.o;
        if (typeof offset !== 'number' || typeof filters?.status !== 'string') throw new Error('bad cursor');
      } catch {
        return bad('page_info', 'Invalid value.');
      }
    } else {
      const status = query.get('status') ?? 'open';
      if (!['open', 'closed', 'cancelled', 'any'].includes(status)) return bad('status', 'must be one of open, closed, cancelled, any');
      const min = query.get('updated_at_min');
      if (min !== null && (!/^\d{4}-\d{2}-\d{2}T/.test(min) || Number.isNaN(Date.parse(min)))) return bad('updated_at_min', 'must be an ISO 8601 date-time');
      const order = query.get('order') ?? 'id asc';
      if (!/^(id|updated_at|created_at) (asc|desc)$/.test(order)) return bad('order', 'must be "<id|updated_at|created_at> <asc|desc>"');
      filters = { status, updatedAtMin: min === null ? null : Date.parse(min), order };
    }
    const [sortField, direction] = filters.order.split(' ') as [string, string];
    const sign = direction === 'asc' ? 1 : -1;
    const matching = [...shopifyOrders.values()]
      .filter((o) => filters.updatedAtMin === null || o.updatedAtMs >= filters.updatedAtMin)
      .filter((o) => {
        const closed = o.json['closed_at'] !== null && o.json['closed_at'] !== undefined;
        const cancelled = o.json['cancelled_at'] !== null && o.json['cancelled_at'] !== undefined;
        if (filters.status === 'open') return !closed && !cancelled;
        if (filters.status === 'closed') return closed;
        if (filters.status === 'cancelled') return cancelled;
        return true;
      })
      .sort((a, b) => {
        const key = (o: ShopifyOrderEntry): number | bigint => (sortField === 'id' ? o.idNumber : sortField === 'updated_at' ? o.updatedAtMs : o.createdAtMs);
        const ka = key(a);
        const kb = key(b);
        const primary = ka < kb ? -1 : ka > kb ? 1 : 0;
        return sign * (primary !== 0 ? primary : a.idNumber < b.idNumber ? -1 : a.idNumber > b.idNumber ? 1 : 0);
      });
    const page = matching.slice(offset, offset + limit);
    const links: string[] = [];
    const linkTo = (o: number): string => {
      const cursor = Buffer.from(JSON.stringify({ f: filters, o })).toString('base64url');
      return `${baseUrl}/admin/api/${version}/orders.json?limit=${limit}&page_info=${cursor}`;
    };
    if (offset > 0) links.push(`<${linkTo(Math.max(0, offset - limit))}>; rel="previous"`);
    if (offset + limit < matching.length) links.push(`<${linkTo(offset + limit)}>; rel="next"`);
    return new HttpAnswer(200, { orders: page.map((o) => o.json) }, links.length > 0 ? { Link: links.join(', ') } : {});
  }

  // ----- Woo -----

  const wooError = (status: number, code: string, message: string, extra: Record<string, unknown> = {}): HttpAnswer =>
    new HttpAnswer(status, { code, message, data: { status, ...extra } });

  function wooProductJson(ref: string, product: WooProduct): Record<string, unknown> {
    const [pid, vid] = ref.split('/');
    const inStock = !product.manage_stock || (product.stock_quantity ?? 0) > 0;
    return { id: Number(vid ?? pid), ...(vid ? { parent_id: Number(pid) } : {}), manage_stock: product.manage_stock, stock_quantity: product.stock_quantity, stock_status: inStock ? 'instock' : 'outofstock' };
  }

  function wooProductUpdate(ref: string, json: unknown): HttpAnswer {
    const product = wooProducts.get(ref);
    if (!product) return wooError(404, ref.includes('/') ? 'woocommerce_rest_product_variation_invalid_id' : 'woocommerce_rest_product_invalid_id', 'Invalid ID.');
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return wooError(400, 'rest_invalid_json', 'Invalid JSON body passed.');
    const body = json as Record<string, unknown>;
    const invalid: Record<string, string> = {};
    if ('manage_stock' in body && typeof body['manage_stock'] !== 'boolean') invalid['manage_stock'] = 'manage_stock is not of type boolean.';
    if ('stock_quantity' in body && !(body['stock_quantity'] === null || Number.isInteger(body['stock_quantity'])))
      invalid['stock_quantity'] = 'stock_quantity is not of type integer.';
    if (Object.keys(invalid).length > 0) return wooError(400, 'rest_invalid_param', `Invalid parameter(s): ${Object.keys(invalid).join(', ')}`, { params: invalid });
    if (typeof body['manage_stock'] === 'boolean') product.manage_stock = body['manage_stock'];
    // Woo only keeps a stock quantity for products that manage stock.
    if ('stock_quantity' in body && product.manage_stock) product.stock_quantity = body['stock_quantity'] as number | null;
    return new HttpAnswer(200, wooProductJson(ref, product));
  }

  function wooOrderUpdate(id: string, json: unknown): HttpAnswer {
    const order = wooOrders.get(id);
    if (!order) return wooError(404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.');
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return wooError(400, 'rest_invalid_json', 'Invalid JSON body passed.');
    const body = json as Record<string, unknown>;
    const invalid: Record<string, string> = {};
    if ('status' in body && (typeof body['status'] !== 'string' || !WOO_ORDER_STATUSES.has(body['status'])))
      invalid['status'] = `status is not one of ${[...WOO_ORDER_STATUSES].join(', ')}.`;
    const meta = body['meta_data'];
    if (meta !== undefined) {
      const ok = Array.isArray(meta) && meta.every((m) => typeof m === 'object' && m !== null && typeof (m as Record<string, unknown>)['key'] === 'string' && 'value' in m);
      if (!ok) invalid['meta_data'] = 'meta_data must be an array of { key: string, value }.';
    }
    if ('customer_note' in body && typeof body['customer_note'] !== 'string') invalid['customer_note'] = 'customer_note is not of type string.';
    if (Object.keys(invalid).length > 0) return wooError(400, 'rest_invalid_param', `Invalid parameter(s): ${Object.keys(invalid).join(', ')}`, { params: invalid });
    if (typeof body['status'] === 'string') order['status'] = body['status'];
    if (typeof body['customer_note'] === 'string') order['customer_note'] = body['customer_note'];
    if (Array.isArray(meta)) {
      const existing = (Array.isArray(order['meta_data']) ? order['meta_data'] : []) as Record<string, unknown>[];
      let nextMetaId = existing.reduce((m, e) => Math.max(m, Number(e['id'] ?? 0)), 0) + 1;
      for (const m of meta as Record<string, unknown>[]) {
        // Woo updates a meta entry by id, else by key, else adds it.
        const hit = existing.find((e) => (m['id'] !== undefined && e['id'] === m['id']) || (m['id'] === undefined && e['key'] === m['key']));
        if (hit) hit['value'] = m['value'];
        else existing.push({ id: nextMetaId++, key: m['key'], value: m['value'] });
      }
      order['meta_data'] = existing;
    }
    const ms = now();
    order['date_modified'] = wooDate(ms);
    order['date_modified_gmt'] = wooDate(ms);
    return new HttpAnswer(200, order);
  }

  function wooOrdersList(query: URLSearchParams): HttpAnswer {
    const invalid: Record<string, string> = {};
    const intParam = (name: string, def: number, min: number, max: number): number => {
      const text = query.get(name);
      if (text === null) return def;
      if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) invalid[name] = `${name} must be between ${min} (inclusive) and ${max} (inclusive)`;
      return Number(text);
    };
    const page = intParam('page', 1, 1, Number.MAX_SAFE_INTEGER);
    const perPage = intParam('per_page', 10, 1, 100);
    const after = query.get('modified_after');
    // RFC 3339 date-time; a missing offset means the site's time zone (UTC here).
    if (after !== null && (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(after) || Number.isNaN(Date.parse(after))))
      invalid['modified_after'] = 'Invalid date.';
    const order = query.get('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') invalid['order'] = 'order is not one of asc, desc.';
    const orderby = query.get('orderby') ?? 'date';
    if (!['date', 'id', 'modified', 'include', 'title', 'slug'].includes(orderby)) invalid['orderby'] = 'orderby is not one of date, id, include, title, slug, modified.';
    const status = query.get('status');
    if (Object.keys(invalid).length > 0) return wooError(400, 'rest_invalid_param', `Invalid parameter(s): ${Object.keys(invalid).join(', ')}`, { params: invalid });
    const afterMs = after === null ? null : Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(after) ? after : `${after}Z`);
    const gmt = (o: Record<string, unknown>, field: string): number => Date.parse(`${String(o[field] ?? o['date_modified_gmt'])}Z`);
    const sortKey = (o: Record<string, unknown>): number =>
      orderby === 'id' ? Number(o['id']) : orderby === 'modified' ? gmt(o, 'date_modified_gmt') : gmt(o, 'date_created_gmt');
    const statuses = status === null || status === 'any' ? null : new Set(status.split(','));
    const matching = [...wooOrders.values()]
      .filter((o) => afterMs === null || gmt(o, 'date_modified_gmt') > afterMs)
      .filter((o) => statuses === null || statuses.has(String(o['status'])))
      .sort((a, b) => (order === 'asc' ? 1 : -1) * (sortKey(a) - sortKey(b) || Number(a['id']) - Number(b['id'])));
    const total = matching.length;
    const totalPages = Math.ceil(total / perPage);
    return new HttpAnswer(200, matching.slice((page - 1) * perPage, page * perPage), {
      'X-WP-Total': String(total),
      'X-WP-TotalPages': String(totalPages),
    });
  }

  // ----- routing -----

  function shopifyAuthorised(req: IncomingMessage): boolean {
    return req.headers['x-shopify-access-token'] === shopifyToken;
  }

  function wooAuthorised(req: IncomingMessage): boolean {
    const header = req.headers['authorization'];
    if (typeof header !== 'string' || !header.startsWith('Basic ')) return false;
    return Buffer.from(header.slice(6), 'base64').toString('utf8') === `${wooKey}:${wooSecret}`;
  }

  function route(req: IncomingMessage, record: RecordedRequest, query: URLSearchParams): HttpAnswer {
    const method = req.method ?? 'GET';
    const path = record.path;
    const shopifyMatch = /^\/admin\/api\/([^/]+)\/(graphql\.json|orders\.json)$/.exec(path);
    if (shopifyMatch) {
      const [, version, resource] = shopifyMatch as unknown as [string, string, string];
      if (!versionOk(version)) return new HttpAnswer(404, { errors: `Not Found (API version '${version}' is not supported)` });
      if (!shopifyAuthorised(req)) return new HttpAnswer(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
      if (resource === 'graphql.json') {
        if (method !== 'POST') return new HttpAnswer(405, { errors: 'GraphQL requests must be POST' });
        if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return new HttpAnswer(415, { errors: 'Content-Type must be application/json' });
        if (record.json === undefined) return new HttpAnswer(400, { errors: 'Body is not valid JSON' });
        return shopifyGraphql(record.json, record);
      }
      record.operation = 'orders.list';
      if (method !== 'GET') return new HttpAnswer(405, { errors: 'Method not allowed' });
      return shopifyOrdersList(version, query);
    }
    if (path.startsWith('/admin/')) return new HttpAnswer(404, { errors: 'Not Found' });

    const wooMatch = /^\/wp-json\/wc\/v3\/(products\/(\d+)(?:\/variations\/(\d+))?|orders(?:\/(\d+))?)$/.exec(path);
    if (!wooMatch) {
      if (path.startsWith('/wp-json/')) return wooError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
      return new HttpAnswer(404, { error: `no such endpoint: ${method} ${path}` });
    }
    if (!wooAuthorised(req)) return wooError(401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
    const editable = method === 'PUT' || method === 'POST' || method === 'PATCH';
    const hasJsonBody = /^application\/json\b/.test(req.headers['content-type'] ?? '');
    if (editable && !hasJsonBody) return wooError(400, 'rest_invalid_json', 'Content-Type must be application/json.');
    if (editable && record.json === undefined) return wooError(400, 'rest_invalid_json', 'Invalid JSON body passed.');
    const [, , productId, variationId, orderId] = wooMatch;
    if (productId !== undefined) {
      const ref = variationId === undefined ? productId : `${productId}/${variationId}`;
      if (method === 'GET') {
        record.operation = 'product.get';
        const product = wooProducts.get(ref);
        return product ? new HttpAnswer(200, wooProductJson(ref, product)) : wooError(404, 'woocommerce_rest_product_invalid_id', 'Invalid ID.');
      }
      record.operation = 'product.update';
      if (!editable) return wooError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
      return wooProductUpdate(ref, record.json);
    }
    if (orderId !== undefined) {
      if (method === 'GET') {
        record.operation = 'order.get';
        const order = wooOrders.get(orderId);
        return order ? new HttpAnswer(200, order) : wooError(404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.');
      }
      record.operation = 'order.update';
      if (!editable) return wooError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
      return wooOrderUpdate(orderId, record.json);
    }
    record.operation = 'orders.list';
    if (method !== 'GET') return wooError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
    return wooOrdersList(query);
  }

  function handle(req: IncomingMessage, res: ServerResponse, bodyText: string): void {
    const parsed = new URL(req.url ?? '/', 'http://fake');
    let json: unknown;
    try {
      json = bodyText === '' ? undefined : JSON.parse(bodyText);
    } catch {
      json = undefined;
    }
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: parsed.pathname,
      query: Object.fromEntries(parsed.searchParams),
      headers: { ...req.headers },
      body: bodyText,
      json,
      channel: parsed.pathname.startsWith('/admin/') ? 'shopify' : parsed.pathname.startsWith('/wp-json/') ? 'woo' : 'unknown',
      operation: null,
      variables: null,
      status: 0,
      response: '',
    };
    requests.push(record);

    const failureIndex = failures.findIndex((f) => f.path === undefined || f.path.test(record.path));
    if (failureIndex >= 0) {
      const failure = failures.splice(failureIndex, 1)[0]!;
      if (failure.status === 'network') {
        record.status = 0;
        record.response = 'network';
        req.socket.destroy();
        return;
      }
      if (failure.status === 'throttled') {
        record.status = 200;
        record.response = JSON.stringify({ errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }] });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(record.response);
        return;
      }
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (failure.status === 429) headers['Retry-After'] = String(failure.retryAfterSec);
      const body = failure.status === 429 ? { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' } : { errors: 'Internal Server Error (injected by the fake channel)' };
      record.status = failure.status;
      record.response = JSON.stringify(body);
      res.writeHead(failure.status, headers).end(record.response);
      return;
    }

    let answer: HttpAnswer;
    try {
      answer = route(req, record, parsed.searchParams);
    } catch (err) {
      answer = new HttpAnswer(500, { errors: `fake channel bug: ${err instanceof Error ? err.message : String(err)}` });
    }
    record.status = answer.status;
    record.response = toJson(answer.body);
    res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8', ...answer.headers }).end(record.response);
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 2_000_000) {
        res.writeHead(413).end('{"errors":"Payload too large"}');
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (options.latencyMs) setTimeout(() => handle(req, res, body), options.latencyMs);
      else handle(req, res, body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const shopify: FakeShopify = {
    setLevel(item, location, available) {
      if (!GID('InventoryItem').test(item) || !GID('Location').test(location)) throw new Error('setLevel takes gid://shopify/InventoryItem/N and gid://shopify/Location/N');
      levels.set(levelKey(item, location), available);
    },
    level: (item, location) => levels.get(levelKey(item, location)) ?? null,
    addOrder(order, opts) {
      const rawId = order['id'];
      if (typeof rawId !== 'number' && typeof rawId !== 'bigint') throw new Error('a Shopify order needs a numeric (or bigint) id');
      const idNumber = BigInt(rawId);
      const gid = typeof order['admin_graphql_api_id'] === 'string' ? order['admin_graphql_api_id'] : `gid://shopify/Order/${idNumber}`;
      const updatedAt = typeof order['updated_at'] === 'string' ? order['updated_at'] : isoNow();
      const createdAt = typeof order['created_at'] === 'string' ? order['created_at'] : updatedAt;
      const json = { ...order, admin_graphql_api_id: gid, updated_at: updatedAt, created_at: createdAt };
      const fulfillmentOrders = opts?.fulfillmentOrders ?? [{ id: `gid://shopify/FulfillmentOrder/${nextShopifyId++}`, status: 'OPEN' as const }];
      shopifyOrders.set(gid, { gid, idNumber, json, updatedAtMs: Date.parse(updatedAt), createdAtMs: Date.parse(createdAt), fulfillmentOrders });
      return gid;
    },
    fulfillmentOrders: (gid) => shopifyOrders.get(gid)?.fulfillmentOrders ?? [],
    fulfilments,
  };

  const woo: FakeWoo = {
    setStock(ref, qty) {
      const key = String(ref);
      if (!/^\d+(\/\d+)?$/.test(key)) throw new Error(`a Woo product ref is 'productId' or 'productId/variationId', got '${key}'`);
      wooProducts.set(key, { manage_stock: true, stock_quantity: qty });
    },
    stock(ref) {
      const product = wooProducts.get(String(ref));
      return product?.manage_stock ? product.stock_quantity : null;
    },
    addOrder(order) {
      const id = order['id'];
      if (typeof id !== 'number') throw new Error('a Woo order needs a numeric id');
      const ms = now();
      wooOrders.set(String(id), {
        status: 'processing',
        date_created: wooDate(ms),
        date_created_gmt: wooDate(ms),
        date_modified: wooDate(ms),
        date_modified_gmt: wooDate(ms),
        meta_data: [],
        ...order,
      });
    },
    order: (id) => wooOrders.get(String(id)) ?? null,
    get orders() {
      return [...wooOrders.values()];
    },
  };

  return {
    url: baseUrl,
    shopifyToken,
    wooToken: `${wooKey}:${wooSecret}`,
    shopify,
    woo,
    requests,
    failNext(n, status, opts) {
      for (let i = 0; i < n; i++) failures.push({ status, retryAfterSec: opts?.retryAfterSec ?? 2, path: opts?.path });
    },
    clearRequests() {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
