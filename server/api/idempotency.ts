/**
 * `Idempotency-Key` for the REST API (Postgres table `idempotency_keys`, migration 005).
 *
 * A request that carries a key first claims (scope, key) with the hash of its request. Then:
 * - same key, same request, first one done → the stored status and body, byte-identical (every answer, the first
 *   included, is sent from the stored row, so key order and number formatting never differ between replays);
 * - same key, different request → 422 IDEMPOTENCY_KEY_REUSED;
 * - same key while the first is still running → we wait up to `waitMs` (real time) for it to finish and replay its
 *   answer; if it is still running then, 409 REQUEST_IN_PROGRESS with Retry-After: 1 (the client retries).
 * Claims are leases (`leaseMs`): a process that died mid-request leaves an `in_progress` row whose lease runs out, and
 * the next retry takes it over (`reclaimed: true`). A store given a `holder` (its process life) takes over a claim of
 * another life at once: keyed requests are site-scoped and run only in the process deciding the site, so another
 * holder is an earlier owner, dead (kill -9, F1) or fenced — without this a crash answered 409 for the whole lease.
 * Order creation derives its order id from the key (`deriveOrderId`), so a taken-over retry finds the order the dead
 * request committed instead of creating another.
 * Answers ≥ 500 are not stored (the claim is dropped so a retry runs again); validation failures (400) happen before
 * the claim and are not stored either. Keys are kept 7 days: an older row counts as absent even before
 * `pruneIdempotencyKeys` deletes it, so behaviour does not depend on when pruning runs.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { Pool } from 'pg';
import { asOrderId, type OrderId } from '../twin/ids.ts';
import { quoteIdent } from '../store/pg-util.ts';

/** How long a key and its answer are kept. */
export const IDEMPOTENCY_RETENTION_MS = 7 * 24 * 3600_000;

/** A status and JSON body, as first answered and as replayed. */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

/** Result of claiming a key. */
export type Claim =
  | { readonly kind: 'claimed'; readonly reclaimed: boolean }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'reused' }
  | { readonly kind: 'in_progress' };

export interface IdempotencyStoreOptions {
  readonly pool: Pool;
  readonly schema: string;
  /** Epoch ms; injected so tests can replay a day later. Default: the wall clock. */
  readonly now?: () => number;
  /** A claim older than this is presumed dead and may be taken over. Default 30 s. */
  readonly leaseMs?: number;
  /**
   * This process's life (unique per start, e.g. its boot id). Claims record it; a claim recorded by another life is
   * taken over without waiting for its lease. Only for a store whose keyed requests run where their site is decided
   * (the order routes); without it every claim waits out its lease.
   */
  readonly holder?: string;
  /** How long a duplicate waits for the first request before answering REQUEST_IN_PROGRESS. Default 2 s. */
  readonly waitMs?: number;
  readonly retentionMs?: number;
}

interface KeyRow {
  request_hash: string;
  status: 'in_progress' | 'done';
  response_status: number | null;
  response_body: unknown;
  created_at: Date;
  locked_until: Date | null;
  holder: string | null;
}

/** Where idempotency keys live; one per process, shared by the routes that accept keys. */
export class IdempotencyStore {
  private readonly pool: Pool;
  private readonly table: string;
  private readonly now: () => number;
  private readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly retentionMs: number;
  private readonly holder: string | null;
  /** Claims running in this process, so a local duplicate waits on a promise instead of polling the table. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(options: IdempotencyStoreOptions) {
    this.pool = options.pool;
    this.table = `${quoteIdent(options.schema)}.idempotency_keys`;
    this.now = options.now ?? Date.now;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.waitMs = options.waitMs ?? 2_000;
    this.retentionMs = options.retentionMs ?? IDEMPOTENCY_RETENTION_MS;
    this.holder = options.holder ?? null;
  }

  /** Whether a live claim of `holder` is this process's own or of unknown origin (then its lease is waited out). */
  private mayBeRunning(holder: string | null): boolean {
    return this.holder === null || holder === null || holder === this.holder;
  }

  /** Claims (scope, key) for a request with hash `hash`, or says why not. One attempt, no waiting. */
  async claim(scope: string, key: string, hash: string): Promise<Claim> {
    for (;;) {
      const now = this.now();
      const inserted = await this.pool.query(
        `INSERT INTO ${this.table} (scope, key, request_hash, status, created_at, locked_until, holder)
         VALUES ($1, $2, $3, 'in_progress', $4, $5, $6) ON CONFLICT (scope, key) DO NOTHING`,
        [scope, key, hash, new Date(now), new Date(now + this.leaseMs), this.holder],
      );
      if (inserted.rowCount === 1) return { kind: 'claimed', reclaimed: false };
      const found = await this.pool.query<KeyRow>(
        `SELECT request_hash, status, response_status, response_body, created_at, locked_until, holder FROM ${this.table}
         WHERE scope = $1 AND key = $2`,
        [scope, key],
      );
      const row = found.rows[0];
      if (!row) continue; // pruned or dropped between the two statements
      if (row.created_at.getTime() <= now - this.retentionMs) {
        // Past retention: the key is forgotten; this request starts afresh (compare-and-set on created_at).
        const renewed = await this.pool.query(
          `UPDATE ${this.table} SET request_hash = $3, status = 'in_progress', response_status = NULL, response_body = NULL,
             created_at = $4, locked_until = $5, holder = $7 WHERE scope = $1 AND key = $2 AND created_at = $6`,
          [scope, key, hash, new Date(now), new Date(now + this.leaseMs), row.created_at, this.holder],
        );
        if (renewed.rowCount === 1) return { kind: 'claimed', reclaimed: false };
        continue;
      }
      if (row.request_hash !== hash) return { kind: 'reused' };
      if (row.status === 'done') return { kind: 'replay', response: { status: row.response_status ?? 500, body: row.response_body } };
      if (row.locked_until !== null && row.locked_until.getTime() > now && this.mayBeRunning(row.holder)) return { kind: 'in_progress' };
      // The lease ran out, or its holder was another life of a process: whoever held it died (or is far too slow, or
      // fenced). Take it over; exactly one retry wins.
      const taken = await this.pool.query(
        `UPDATE ${this.table} SET locked_until = $3, holder = $5
         WHERE scope = $1 AND key = $2 AND status = 'in_progress' AND locked_until IS NOT DISTINCT FROM $4 AND holder IS NOT DISTINCT FROM $6`,
        [scope, key, new Date(now + this.leaseMs), row.locked_until, this.holder, row.holder],
      );
      if (taken.rowCount === 1) return { kind: 'claimed', reclaimed: true };
    }
  }

  /**
   * Stores the answer of a claimed request and returns what to send: the stored copy, or the answer another holder
   * stored first (a slow request whose lease was taken over), so every response to one key is the same.
   */
  async complete(scope: string, key: string, hash: string, response: StoredResponse): Promise<StoredResponse> {
    const done = await this.pool.query<{ response_status: number; response_body: unknown }>(
      `UPDATE ${this.table} SET status = 'done', response_status = $4, response_body = $5::jsonb, locked_until = NULL
       WHERE scope = $1 AND key = $2 AND request_hash = $3 AND status = 'in_progress'
       RETURNING response_status, response_body`,
      [scope, key, hash, response.status, JSON.stringify(response.body)],
    );
    const stored = done.rows[0];
    if (stored) return { status: stored.response_status, body: stored.response_body };
    const other = await this.pool.query<KeyRow>(
      `SELECT request_hash, status, response_status, response_body, created_at, locked_until, holder FROM ${this.table}
       WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    const row = other.rows[0];
    if (row && row.status === 'done' && row.request_hash === hash && row.response_status !== null)
      return { status: row.response_status, body: row.response_body };
    return response;
  }

  /** Drops a claim whose request failed on our side (5xx), so a retry runs it again — unless another holder took it over. */
  async abandon(scope: string, key: string, hash: string): Promise<void> {
    await this.pool.query(
      `DELETE FROM ${this.table} WHERE scope = $1 AND key = $2 AND request_hash = $3 AND status = 'in_progress' AND holder IS NOT DISTINCT FROM $4`,
      [scope, key, hash, this.holder],
    );
  }

  /**
   * Runs `execute` at most once per (scope, key) and answers every request with the key the same way. `execute` gets
   * `reclaimed: true` when it takes over from a request that died, so it can look for what that one committed.
   */
  async run(
    scope: string,
    key: string,
    hash: string,
    execute: (attempt: { readonly reclaimed: boolean }) => Promise<StoredResponse>,
  ): Promise<StoredResponse> {
    const deadline = performance.now() + this.waitMs;
    const local = `${scope}\u0000${key}`;
    let pause = 10;
    for (;;) {
      const claim = await this.claim(scope, key, hash);
      switch (claim.kind) {
        case 'replay':
          return claim.response;
        case 'reused':
          return errorResponse(422, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request', { key });
        case 'claimed':
          return this.executeClaimed(scope, key, hash, local, claim.reclaimed, execute);
        case 'in_progress': {
          const left = deadline - performance.now();
          if (left <= 0)
            return errorResponse(409, 'REQUEST_IN_PROGRESS', 'a request with this Idempotency-Key is still in progress; retry shortly', { key });
          const running = this.running.get(local);
          // Same process: wake when it finishes. Another process: poll the table with a growing pause.
          await waitFor(running, running ? left : Math.min(pause, left));
          pause = Math.min(pause * 2, 200);
        }
      }
    }
  }

  private async executeClaimed(
    scope: string,
    key: string,
    hash: string,
    local: string,
    reclaimed: boolean,
    execute: (attempt: { readonly reclaimed: boolean }) => Promise<StoredResponse>,
  ): Promise<StoredResponse> {
    let finished!: () => void;
    this.running.set(local, new Promise<void>((resolve) => (finished = resolve)));
    try {
      let response: StoredResponse;
      try {
        response = await execute({ reclaimed });
      } catch (err) {
        await this.abandon(scope, key, hash);
        throw err;
      }
      if (response.status >= 500) {
        await this.abandon(scope, key, hash);
        return response;
      }
      return await this.complete(scope, key, hash, response);
    } finally {
      this.running.delete(local);
      finished();
    }
  }
}

/** Deletes keys older than the retention; returns how many. Run it periodically (e.g. hourly). */
export async function pruneIdempotencyKeys(pool: Pool, schema: string, now: number, retentionMs = IDEMPOTENCY_RETENTION_MS): Promise<number> {
  const res = await pool.query(`DELETE FROM ${quoteIdent(schema)}.idempotency_keys WHERE created_at <= $1`, [new Date(now - retentionMs)]);
  return res.rowCount ?? 0;
}

/** The key of a request: undefined when absent, or an error when malformed (1-255 printable ASCII). */
export function idempotencyKeyOf(req: Request): { readonly key: string | undefined } | { readonly error: string } {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return { key: undefined };
  if (Array.isArray(raw)) return { error: 'send one Idempotency-Key header' };
  if (!/^[\x20-\x7e]{1,255}$/.test(raw)) return { error: 'Idempotency-Key must be 1-255 printable ASCII characters' };
  return { key: raw };
}

/** Hash of what makes two requests "the same": method, path and the JSON body with object keys sorted. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n${canonicalJson(body)}`).digest('hex');
}

/** JSON with object keys sorted at every level, so key order does not make two bodies differ. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(acc << (5 - bits)) & 31];
  return out;
}

/**
 * A deterministic order id `ORD-<26 base32 chars>` (128 bits of sha256) from the parts that identify one order, e.g.
 * (site, tenant, 'key', Idempotency-Key) or (site, tenant, 'csv', order_ref): the same request always names the same
 * order, so a retry after a crash finds the order instead of making a second one.
 */
export function deriveOrderId(...parts: readonly string[]): OrderId {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return asOrderId(`ORD-${base32(digest.subarray(0, 16))}`);
}

/** An error answer in the API's shape, for storing and replaying. */
export function errorResponse(status: number, code: string, message: string, details: unknown = null): StoredResponse {
  return { status, body: { error: { code, message, details } } };
}

/** Resolves when `promise` settles or after `ms`, whichever is first; the timer never outlives the wait. */
function waitFor(promise: Promise<void> | undefined, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    void promise?.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
