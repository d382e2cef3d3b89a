/**
 * Rate limits: token buckets per principal (API key or user) and per tenant, taken together all or nothing.
 * `RateLimiter` is the port; `RedisRateLimiter` keeps the buckets in Redis (one Lua script per request, so every
 * process of a deployment shares a tenant's budget) and falls back to a `MemoryRateLimiter` of its own while Redis is unreachable (each process then
 * limits on its own: a tenant may get up to N processes × its quota until Redis is back). Over budget → 429
 * RATE_LIMITED with Retry-After (whole seconds, at least 1).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { createClient } from 'redis';
import { boundedWait } from '../ops/bounded-wait.ts';
import type { ErrorBody } from '../api/http-error.ts';
import { credentialOf, rememberPrincipal } from './authenticate.ts';
import { principalOf, type Authenticator, type Principal } from './principal.ts';

/** A bucket holds up to `burst` tokens and refills at `ratePerSec`; each request takes one. */
export interface BucketLimit {
  readonly ratePerSec: number;
  readonly burst: number;
}

/** One bucket a request draws on. */
export interface Bucket {
  readonly key: string;
  readonly limit: BucketLimit;
}

export interface TakeResult {
  readonly allowed: boolean;
  /** When refused: how long until every refused bucket has a token again, ms. 0 when allowed. */
  readonly retryAfterMs: number;
  /** Indexes (into the buckets given) of buckets found empty: at least one when refused (a refusal remembered
   *  locally names the bucket it remembers without looking at the others). */
  readonly refused: readonly number[];
}

/**
 * Port: takes one token from each bucket, all or nothing (created full on first use). A refused request takes
 * nothing, so a key hammering past its own quota does not also drain its tenant's.
 */
export interface RateLimiter {
  take(buckets: readonly Bucket[]): Promise<TakeResult>;
  /**
   * The same take when it needs no I/O (buckets in memory, or a refusal remembered locally), else null: then ask
   * `take`. Lets the middleware answer at once, so a flood past its quota costs as little as possible.
   */
  takeNow?(buckets: readonly Bucket[]): TakeResult | null;
  /**
   * A refusal that is certain now without I/O and without taking anything (a bucket remembered or seen empty), else
   * null. `take` would refuse the same buckets: a refused take takes nothing either.
   */
  refusedNow?(buckets: readonly Bucket[]): TakeResult | null;
  close(): Promise<void>;
}

interface BucketState {
  tokens: number;
  atMs: number;
}

/** The bucket arithmetic both adapters use (the Lua script below mirrors it). */
function refill(state: BucketState | undefined, limit: BucketLimit, nowMs: number): BucketState {
  if (state === undefined) return { tokens: limit.burst, atMs: nowMs };
  if (nowMs <= state.atMs) return { ...state };
  return { tokens: Math.min(limit.burst, state.tokens + ((nowMs - state.atMs) * limit.ratePerSec) / 1000), atMs: nowMs };
}

/** Until a token is back in a bucket holding `tokens`, ms. */
const waitMs = (tokens: number, limit: BucketLimit): number => Math.ceil(((1 - tokens) * 1000) / limit.ratePerSec);

/** Indexes of the buckets without a whole token. */
const emptyOf = (states: readonly BucketState[]): number[] => states.flatMap((state, i) => (state.tokens >= 1 ? [] : [i]));

/** The refusal of `refused` (indexes into `buckets`): retry once every one of them has a token again. */
function refusal(states: readonly BucketState[], buckets: readonly Bucket[], refused: readonly number[]): TakeResult {
  const retryAfterMs = Math.max(0, ...refused.map((i) => waitMs((states[i] as BucketState).tokens, (buckets[i] as Bucket).limit)));
  return { allowed: false, retryAfterMs, refused };
}

/** Buckets in this process's memory; the least recently used are dropped beyond `maxBuckets`. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, BucketState>();
  private readonly now: () => number;
  private readonly maxBuckets: number;

  constructor(options: { now?: () => number; maxBuckets?: number } = {}) {
    this.now = options.now ?? Date.now;
    this.maxBuckets = options.maxBuckets ?? 100_000;
  }

  take(buckets: readonly Bucket[]): Promise<TakeResult> {
    return Promise.resolve(this.takeNow(buckets));
  }

  refusedNow(buckets: readonly Bucket[]): TakeResult | null {
    const nowMs = this.now();
    const states = buckets.map((bucket) => refill(this.buckets.get(bucket.key), bucket.limit, nowMs));
    const refused = emptyOf(states);
    return refused.length === 0 ? null : refusal(states, buckets, refused);
  }

  takeNow(buckets: readonly Bucket[]): TakeResult {
    const nowMs = this.now();
    const states = buckets.map((bucket) => refill(this.buckets.get(bucket.key), bucket.limit, nowMs));
    const refused = emptyOf(states);
    if (refused.length === 0) for (const state of states) state.tokens -= 1;
    buckets.forEach((bucket, i) => {
      this.buckets.delete(bucket.key);
      this.buckets.set(bucket.key, states[i] as BucketState);
    });
    while (this.buckets.size > this.maxBuckets) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) break;
      this.buckets.delete(oldest);
    }
    return refused.length === 0 ? { allowed: true, retryAfterMs: 0, refused } : refusal(states, buckets, refused);
  }

  close(): Promise<void> {
    this.buckets.clear();
    return Promise.resolve();
  }
}

/**
 * KEYS = buckets; ARGV = nowMs, then ratePerSec and burst per bucket. All or nothing: takes a token from every bucket
 * when each has one. Returns {allowed 0|1, retryAfterMs, refused indexes (1-based)…}.
 */
const TAKE_SCRIPT = `
local now = tonumber(ARGV[1])
local tokens = {}
local allowed = 1
local retry = 0
local refused = {}
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[i * 2])
  local burst = tonumber(ARGV[i * 2 + 1])
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local t = tonumber(state[1])
  local at = tonumber(state[2])
  if t == nil or at == nil then
    t = burst
  elseif now > at then
    t = math.min(burst, t + (now - at) * rate / 1000)
  end
  tokens[i] = t
  if t < 1 then
    allowed = 0
    retry = math.max(retry, math.ceil((1 - t) * 1000 / rate))
    refused[#refused + 1] = i
  end
end
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[i * 2])
  local burst = tonumber(ARGV[i * 2 + 1])
  local t = tokens[i]
  if allowed == 1 then t = t - 1 end
  redis.call('HSET', key, 'tokens', tostring(t), 'at', tostring(now))
  redis.call('PEXPIRE', key, math.ceil(burst * 1000 / rate) + 1000)
end
local reply = {allowed, retry}
for _, i in ipairs(refused) do reply[#reply + 1] = i end
return reply
`;
const TAKE_SHA = createHash('sha1').update(TAKE_SCRIPT).digest('hex');

export interface RedisRateLimiterOptions {
  readonly url: string;
  /** Key prefix, so tests and deployments sharing a Redis keep apart. Default 'floortwin:rl'. */
  readonly prefix?: string;
  /** Wall clock, epoch ms, sent to the script (the processes' clocks must roughly agree). Default Date.now. */
  readonly now?: () => number;
  readonly log?: (message: string, error?: unknown) => void;
}

/**
 * Buckets in Redis, shared by every process; in memory while Redis is down (see the file comment). A refused bucket
 * is remembered locally until its next token is due: nobody can add tokens early (other processes only take), so a
 * request before then is refused here without a round trip — a flood past its quota costs no Redis call.
 */
/** How long a take waits for Redis before limiting in memory, and how long Redis is then skipped, ms. */
const REDIS_TAKE_TIMEOUT_MS = 250;
const REDIS_SUSPECT_MS = 2_000;

export class RedisRateLimiter implements RateLimiter {
  private readonly client: ReturnType<typeof createClient>;
  private readonly fallback: MemoryRateLimiter;
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly log: (message: string, error?: unknown) => void;
  /** Bucket key → epoch ms before which it is certainly empty. */
  private readonly emptyUntil = new Map<string, number>();
  private lastWarnMs = -Infinity;
  /** Which store answered the last take ('local' = refused from the remembered refusal): for logs and tests. */
  lastBackend: 'redis' | 'memory' | 'local' = 'memory';
  /** After a take timed out, Redis is skipped until then (epoch ms). */
  private redisSuspectUntil = 0;

  constructor(options: RedisRateLimiterOptions) {
    this.prefix = options.prefix ?? 'floortwin:rl';
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((message, error) => console.error(message, error ?? ''));
    this.fallback = new MemoryRateLimiter({ now: this.now });
    // Fail fast while disconnected (no offline queue): a request must never wait for Redis to come back.
    this.client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5_000) },
    });
    this.client.on('error', (error: unknown) => this.warn('rate limiter: redis error (limiting in memory until it recovers)', error));
    this.client.connect().catch((error: unknown) => this.warn('rate limiter: redis connect failed (limiting in memory)', error));
  }

  /** Resolves true once connected to Redis, false after `timeoutMs` without. */
  async ready(timeoutMs = 3_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.client.isReady && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return this.client.isReady;
  }

  /** Answers without Redis when a bucket is remembered empty, or while Redis is down (memory); else null. */
  takeNow(buckets: readonly Bucket[]): TakeResult | null {
    if (buckets.length === 0) return { allowed: true, retryAfterMs: 0, refused: [] };
    const nowMs = this.now();
    const remembered = this.rememberedRefusal(buckets, nowMs);
    if (remembered !== null) return remembered;
    if (this.redisUsable(nowMs)) return null;
    this.lastBackend = 'memory';
    return this.fallback.takeNow(buckets);
  }

  refusedNow(buckets: readonly Bucket[]): TakeResult | null {
    const nowMs = this.now();
    const remembered = this.rememberedRefusal(buckets, nowMs);
    if (remembered !== null || this.redisUsable(nowMs)) return remembered;
    const memory = this.fallback.refusedNow(buckets);
    if (memory !== null) this.lastBackend = 'memory';
    return memory;
  }

  private rememberedRefusal(buckets: readonly Bucket[], nowMs: number): TakeResult | null {
    const known = buckets.map((bucket) => (this.emptyUntil.get(bucket.key) ?? 0) - nowMs);
    if (!known.some((ms) => ms > 0)) return null;
    this.lastBackend = 'local';
    return { allowed: false, retryAfterMs: Math.max(...known), refused: known.flatMap((ms, i) => (ms > 0 ? [i] : [])) };
  }

  private redisUsable(nowMs: number): boolean {
    return this.client.isReady && nowMs >= this.redisSuspectUntil;
  }

  async take(buckets: readonly Bucket[]): Promise<TakeResult> {
    const local = this.takeNow(buckets);
    if (local !== null) return local;
    const nowMs = this.now();
    try {
      // A hung Redis (SIGSTOP, a dead link) keeps the socket open and never answers: bound the wait, then limit in
      // memory for a while instead of queueing every request behind it (server/ops/faults F3).
      const result = await boundedWait(this.evalTake(buckets, nowMs), REDIS_TAKE_TIMEOUT_MS, {
        what: 'redis',
        onTimeout: () => {
          this.redisSuspectUntil = this.now() + REDIS_SUSPECT_MS;
        },
      });
      this.lastBackend = 'redis';
      if (!result.allowed) {
        for (const i of result.refused) this.emptyUntil.set((buckets[i] as Bucket).key, nowMs + result.retryAfterMs);
        if (this.emptyUntil.size > 10_000) this.forgetPast(nowMs);
      }
      return result;
    } catch (error) {
      this.warn('rate limiter: redis take failed (limiting in memory)', error);
    }
    this.lastBackend = 'memory';
    return this.fallback.takeNow(buckets);
  }

  private forgetPast(nowMs: number): void {
    for (const [key, until] of this.emptyUntil) if (until <= nowMs) this.emptyUntil.delete(key);
  }

  private async evalTake(buckets: readonly Bucket[], nowMs: number): Promise<TakeResult> {
    const options = {
      keys: buckets.map((bucket) => `${this.prefix}:${bucket.key}`),
      arguments: [String(Math.round(nowMs)), ...buckets.flatMap((bucket) => [String(bucket.limit.ratePerSec), String(bucket.limit.burst)])],
    };
    let reply: unknown;
    try {
      reply = await this.client.evalSha(TAKE_SHA, options);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      reply = await this.client.eval(TAKE_SCRIPT, options);
    }
    const [allowed, retry, ...refused] = (reply as unknown[]).map(Number);
    return { allowed: allowed === 1, retryAfterMs: retry ?? 0, refused: refused.map((i) => i - 1) };
  }

  private warn(message: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnMs < 10_000) return;
    this.lastWarnMs = now;
    this.log(message, error);
  }

  async close(): Promise<void> {
    await this.fallback.close();
    this.emptyUntil.clear();
    if (this.client.isOpen) await this.client.close().catch(() => this.client.destroy());
    else this.client.destroy();
  }
}

/** The quotas: null turns a bucket off. */
export interface RateLimits {
  /** Each API key and each client user (principals with a tenant, and every API key). */
  readonly perPrincipal: BucketLimit | null;
  /** Everything a tenant's principals send together. */
  readonly perTenant: BucketLimit | null;
  /** Each signed-in staff user (null: staff users are not limited — the floor's own pages and load runs). */
  readonly perStaffUser: BucketLimit | null;
}

function bucketsOf(principal: Principal, limits: RateLimits): (Bucket & { scope: string })[] {
  const buckets: (Bucket & { scope: string })[] = [];
  const own = principal.kind === 'user' && principal.tenantId === null ? limits.perStaffUser : limits.perPrincipal;
  if (own !== null) buckets.push({ key: `${principal.kind}:${principal.id}`, limit: own, scope: principal.kind === 'api-key' ? 'api key' : 'user' });
  if (principal.tenantId !== null && limits.perTenant !== null) buckets.push({ key: `tenant:${principal.tenantId}`, limit: limits.perTenant, scope: 'tenant' });
  return buckets;
}

/**
 * The 429, written in one go: it is what a flood gets thousands of times a second, so it skips express's `res.json`
 * (no ETag hashing; a string body goes out with the headers in a single write). Same body as `sendError`.
 */
function refuse(res: ServerResponse, result: TakeResult, buckets: readonly (Bucket & { scope: string })[]): void {
  const retryAfterSeconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  const scopes = result.refused.map((i) => buckets[i]?.scope ?? '');
  const body: ErrorBody = {
    error: { code: 'RATE_LIMITED', message: `too many requests for this ${scopes.join(' and ')}; retry after ${retryAfterSeconds} s`, details: { retryAfterSeconds, scopes } },
  };
  const text = JSON.stringify(body);
  res.writeHead(429, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Retry-After': String(retryAfterSeconds) });
  res.end(text);
}

/**
 * Mount after `authenticate`: takes a token from each of the principal's buckets (all or nothing); any empty → 429.
 * Answers synchronously when the limiter can (a remembered refusal, buckets in memory): no promise, no Redis.
 */
export function rateLimit(limiter: RateLimiter, limits: RateLimits): RequestHandler {
  return (_req, res, next) => {
    const buckets = bucketsOf(principalOf(res), limits);
    if (buckets.length === 0) return next();
    const decide = (result: TakeResult): void => (result.allowed ? next() : refuse(res, result, buckets));
    const now = limiter.takeNow?.(buckets) ?? null;
    if (now !== null) return decide(now);
    limiter.take(buckets).then(decide, (error: unknown) => next(error));
  };
}

/** `POST /api/auth/sign-in` (optionally with a trailing slash): limited per e-mail by its own route, never here. */
const SIGN_IN = /^\/api\/auth\/sign-in\/?$/i;
/** Writes whose body the app would refuse as not JSON (415) before it limits: left to the app. */
const JSON_BODY = /^application\/json\s*(;|$)/i;

export interface EarlyRefusalOptions {
  readonly authenticator: Authenticator;
  readonly limiter: RateLimiter;
  readonly limits: RateLimits;
  /** False while starting: the app answers 503 STARTING first. */
  readonly isReady: () => boolean;
  /** Told of each 429 written here (the app's response counter never sees these). */
  readonly onRefused?: () => void;
}

/**
 * The 429 of a principal already known to be over its quota, written before express sees the request (issue 9, T6:
 * a tenant flooding at 10x its quota must not slow the others). Express's per-request set-up, its router and the
 * middlewares ahead of the limiter cost most of a refusal's CPU; here a refusal is a header parse, a cached principal,
 * a map lookup and one write. It only ever refuses what the app's own `rateLimit` would refuse at that point: a
 * cached principal (`Authenticator.known`) with a bucket certainly empty (`RateLimiter.refusedNow`, which takes no
 * token), on a path the limiter covers (under /api, not sign-in), once the app is ready. Anything else — unknown
 * credentials, buckets Redis must be asked about, a write that is not JSON — returns false for the app to decide.
 * Over quota, a write's body is not read: an invalid body gets 429 here where the app would have said 400. A known
 * principal let through is handed to `authenticate` (`rememberPrincipal`), so no request is looked up twice.
 */
export function earlyRefusal(options: EarlyRefusalOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { authenticator, limiter, limits } = options;
  if (authenticator.known === undefined || limiter.refusedNow === undefined) return () => false;
  const known = authenticator.known.bind(authenticator);
  const refusedNow = limiter.refusedNow.bind(limiter);
  return (req, res) => {
    const url = req.url ?? '';
    const pathEnd = url.indexOf('?');
    const path = pathEnd < 0 ? url : url.slice(0, pathEnd);
    if (!/^\/api(\/|$)/i.test(path)) return false;
    const method = req.method ?? 'GET';
    if (method === 'POST' && SIGN_IN.test(path)) return false;
    if ((method === 'POST' || method === 'PUT' || method === 'PATCH') && req.headers['content-length'] !== '0' && !JSON_BODY.test(req.headers['content-type'] ?? '')) return false;
    if (!options.isReady()) return false;
    const principal = known(credentialOf(req.headers));
    if (principal === undefined) return false;
    const buckets = bucketsOf(principal, limits);
    const result = buckets.length === 0 ? null : refusedNow(buckets);
    if (result === null) {
      // Let through: `authenticate` takes this principal as it is instead of looking the credential up again.
      rememberPrincipal(req, principal);
      return false;
    }
    refuse(res, result, buckets);
    options.onRefused?.();
    return true;
  };
}
