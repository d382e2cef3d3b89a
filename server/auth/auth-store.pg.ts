/**
 * Users, sessions and API keys in Postgres (migration 012-auth.sql), and the real `Authenticator` on top of them.
 * Tokens and keys are random, shown once, and stored only as sha256; a lookup hashes what the caller sent.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { PG_UNIQUE_VIOLATION, isPgError, quoteIdent } from '../store/pg-util.ts';
import { decoyHash, hashPassword, verifyPassword } from './passwords.ts';
import { TENANT_ROLES, type Authenticator, type Credential, type Principal, type Role } from './principal.ts';

/** Session tokens and API keys carry a prefix, so a bearer says which table to look in. */
const SESSION_PREFIX = 'fts_';
const API_KEY_PREFIX = 'ftk_';
export const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const newSecret = (prefix: string): string => `${prefix}${randomBytes(32).toString('base64url')}`;

export interface User {
  readonly id: string;
  readonly email: string;
  readonly role: Exclude<Role, 'integration'>;
  readonly tenantId: string | null;
  readonly disabled: boolean;
  readonly createdAt: string;
}

export interface ApiKeyInfo {
  readonly id: string;
  readonly label: string;
  readonly role: Role;
  readonly tenantId: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly revoked: boolean;
}

/** A new user's e-mail is taken. */
export class DuplicateEmailError extends Error {
  constructor(readonly email: string) {
    super(`a user with e-mail '${email}' already exists`);
  }
}

interface UserRow {
  user_id: string;
  email: string;
  password_hash: string;
  role: Exclude<Role, 'integration'>;
  client_tenant_id: string | null;
  disabled_at: Date | null;
  created_at: Date;
}
interface KeyRow {
  key_id: string;
  label: string;
  role: Role;
  client_tenant_id: string | null;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
}

const userOf = (row: UserRow): User => ({
  id: row.user_id,
  email: row.email,
  role: row.role,
  tenantId: row.client_tenant_id,
  disabled: row.disabled_at !== null,
  createdAt: row.created_at.toISOString(),
});
const keyOf = (row: KeyRow): ApiKeyInfo => ({
  id: row.key_id,
  label: row.label,
  role: row.role,
  tenantId: row.client_tenant_id,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
  revoked: row.revoked_at !== null,
});

export interface PgAuthStoreOptions {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Wall clock, epoch ms (tests move it to expire sessions). Default Date.now. */
  readonly now?: () => number;
  readonly sessionTtlMs?: number;
  /**
   * How long a looked-up principal is reused without asking Postgres again, ms (default 2,000; 0 = never). Sign-out,
   * key revocation and user changes clear this process's cache at once; other processes of a deployment see them
   * within this time.
   */
  readonly cacheMs?: number;
}

/** The secret a credential presents: a bearer API key, else a bearer session token, else the session cookie. */
function secretOf(credential: Credential): string | undefined {
  const bearer = credential.bearer;
  const secret = bearer !== undefined && bearer.startsWith(API_KEY_PREFIX) ? bearer : (bearer ?? credential.sessionCookie);
  return secret !== undefined && (secret.startsWith(API_KEY_PREFIX) || secret.startsWith(SESSION_PREFIX)) ? secret : undefined;
}

/** At most this many cached principals; the oldest go first. */
const CACHE_SIZE = 10_000;

export class PgAuthStore implements Authenticator {
  private readonly pool: pg.Pool;
  private readonly t: { users: string; sessions: string; keys: string };
  private readonly now: () => number;
  readonly sessionTtlMs: number;
  private readonly cacheMs: number;
  /** sha256(credential) → principal and until when (epoch ms) it may be reused. Only hits are cached. */
  private readonly cache = new Map<string, { principal: Principal; untilMs: number }>();
  /**
   * sha256(credential) → the lookup in flight. A reconnect storm (2,000 sockets of one session after a restart) asks
   * Postgres once, not 2,000 times over a pool of 10 (which timed handshakes out in L5).
   */
  private readonly lookups = new Map<string, Promise<{ principal: Principal; expiresMs: number } | null>>();

  constructor(options: PgAuthStoreOptions) {
    this.cacheMs = options.cacheMs ?? 2_000;
    this.pool = options.pool;
    const s = quoteIdent(options.schema);
    this.t = { users: `${s}.users`, sessions: `${s}.sessions`, keys: `${s}.api_keys` };
    this.now = options.now ?? Date.now;
    this.sessionTtlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  }

  // ---- users

  async countUsers(): Promise<number> {
    const res = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.t.users}`);
    return Number(res.rows[0]?.n ?? 0);
  }

  async createUser(input: { email: string; password: string; role: Exclude<Role, 'integration'>; tenantId: string | null }): Promise<User> {
    const hash = await hashPassword(input.password);
    try {
      const res = await this.pool.query<UserRow>(
        `INSERT INTO ${this.t.users} (user_id, email, password_hash, role, client_tenant_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [`U-${randomUUID()}`, input.email.toLowerCase(), hash, input.role, input.tenantId, new Date(this.now())],
      );
      return userOf(res.rows[0] as UserRow);
    } catch (error) {
      if (isPgError(error) && error.code === PG_UNIQUE_VIOLATION) throw new DuplicateEmailError(input.email.toLowerCase());
      throw error;
    }
  }

  async listUsers(): Promise<User[]> {
    const res = await this.pool.query<UserRow>(`SELECT * FROM ${this.t.users} ORDER BY created_at, email`);
    return res.rows.map(userOf);
  }

  async user(userId: string): Promise<User | null> {
    const res = await this.pool.query<UserRow>(`SELECT * FROM ${this.t.users} WHERE user_id = $1`, [userId]);
    const row = res.rows[0];
    return row ? userOf(row) : null;
  }

  /**
   * Changes a user's role/tenant, password or disabled flag. A new password, a new role or disabling ends every open
   * session of the user (they sign in again with what they are now). Returns null when there is no such user.
   */
  async updateUser(
    userId: string,
    change: { role?: Exclude<Role, 'integration'>; tenantId?: string | null; password?: string; disabled?: boolean },
  ): Promise<User | null> {
    const hash = change.password === undefined ? null : await hashPassword(change.password);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const res = await client.query<UserRow>(
        `UPDATE ${this.t.users} SET
           role = COALESCE($2, role),
           client_tenant_id = CASE WHEN $3::boolean THEN $4 ELSE client_tenant_id END,
           password_hash = COALESCE($5, password_hash),
           disabled_at = CASE WHEN $6::boolean IS NULL THEN disabled_at WHEN $6 THEN COALESCE(disabled_at, $7) ELSE NULL END
         WHERE user_id = $1 RETURNING *`,
        [userId, change.role ?? null, change.tenantId !== undefined, change.tenantId ?? null, hash, change.disabled ?? null, new Date(this.now())],
      );
      const row = res.rows[0];
      if (row && (hash !== null || change.role !== undefined || change.tenantId !== undefined || change.disabled === true)) {
        await client.query(`UPDATE ${this.t.sessions} SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, [userId, new Date(this.now())]);
      }
      await client.query('COMMIT');
      this.cache.clear();
      return row ? userOf(row) : null;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  // ---- sessions

  /**
   * Checks an e-mail and password and opens a session. Null for an unknown e-mail, a wrong password or a disabled
   * user alike (the caller answers the same 401 for all three; an unknown e-mail still costs one hash).
   */
  async signIn(email: string, password: string): Promise<{ token: string; user: User; expiresAt: Date } | null> {
    const res = await this.pool.query<UserRow>(`SELECT * FROM ${this.t.users} WHERE email = $1`, [email.toLowerCase()]);
    const row = res.rows[0];
    const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash()));
    if (!row || !ok || row.disabled_at !== null) return null;
    const token = newSecret(SESSION_PREFIX);
    const createdAt = new Date(this.now());
    const expiresAt = new Date(createdAt.getTime() + this.sessionTtlMs);
    await this.pool.query(`INSERT INTO ${this.t.sessions} (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`, [
      sha256Hex(token),
      row.user_id,
      createdAt,
      expiresAt,
    ]);
    return { token, user: userOf(row), expiresAt };
  }

  /** Ends the session of `token` (no-op when unknown or already ended). */
  async signOut(token: string): Promise<void> {
    this.cache.delete(sha256Hex(token));
    await this.pool.query(`UPDATE ${this.t.sessions} SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL`, [sha256Hex(token), new Date(this.now())]);
  }

  /** Deletes sessions that expired or were revoked more than `keepMs` ago (default a day); returns how many. */
  async pruneSessions(keepMs = 86_400_000): Promise<number> {
    const before = new Date(this.now() - keepMs);
    const res = await this.pool.query(`DELETE FROM ${this.t.sessions} WHERE expires_at < $1 OR revoked_at < $1`, [before]);
    return res.rowCount ?? 0;
  }

  // ---- API keys

  /** Creates a key; the returned `key` is the only time the secret exists outside the caller. */
  async createApiKey(input: { label: string; role: Role; tenantId: string | null; createdBy: string }): Promise<{ id: string; key: string; info: ApiKeyInfo }> {
    const key = newSecret(API_KEY_PREFIX);
    const res = await this.pool.query<KeyRow>(
      `INSERT INTO ${this.t.keys} (key_id, key_hash, label, role, client_tenant_id, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [`K-${randomUUID()}`, sha256Hex(key), input.label, input.role, input.tenantId, input.createdBy, new Date(this.now())],
    );
    const info = keyOf(res.rows[0] as KeyRow);
    return { id: info.id, key, info };
  }

  /** Keys, newest first; with `tenantId` only that tenant's (a client-admin's view). */
  async listApiKeys(tenantId?: string): Promise<ApiKeyInfo[]> {
    const res =
      tenantId === undefined
        ? await this.pool.query<KeyRow>(`SELECT * FROM ${this.t.keys} ORDER BY created_at DESC, key_id`)
        : await this.pool.query<KeyRow>(`SELECT * FROM ${this.t.keys} WHERE client_tenant_id = $1 ORDER BY created_at DESC, key_id`, [tenantId]);
    return res.rows.map(keyOf);
  }

  /** Revokes a key; with `tenantId` only when it is that tenant's. False when there is no such (visible) key. */
  async revokeApiKey(keyId: string, tenantId?: string): Promise<boolean> {
    const res = await this.pool.query(
      `UPDATE ${this.t.keys} SET revoked_at = COALESCE(revoked_at, $3) WHERE key_id = $1 AND ($2::text IS NULL OR client_tenant_id = $2)`,
      [keyId, tenantId ?? null, new Date(this.now())],
    );
    this.cache.clear();
    return res.rowCount === 1;
  }

  // ---- Authenticator

  /** A bearer API key, else a bearer session token, else the session cookie; null when none is valid now. */
  async authenticate(credential: Credential): Promise<Principal | null> {
    const secret = secretOf(credential);
    if (secret === undefined) return null;
    const hash = sha256Hex(secret);
    const nowMs = this.now();
    const cached = this.cachedPrincipal(hash, nowMs);
    if (cached !== undefined) return cached;
    let lookup = this.lookups.get(hash);
    if (lookup === undefined) {
      lookup = (secret.startsWith(API_KEY_PREFIX) ? this.keyPrincipal(hash) : this.sessionPrincipal(hash, nowMs)).finally(() => this.lookups.delete(hash));
      this.lookups.set(hash, lookup);
    }
    const found = await lookup;
    if (found !== null && this.cacheMs > 0) {
      this.cache.set(hash, { principal: found.principal, untilMs: Math.min(nowMs + this.cacheMs, found.expiresMs) });
      if (this.cache.size > CACHE_SIZE) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
    }
    return found?.principal ?? null;
  }

  /** The cached principal of a credential, while its entry is fresh (see `cacheMs`). */
  known(credential: Credential): Principal | undefined {
    const secret = secretOf(credential);
    return secret === undefined ? undefined : this.cachedPrincipal(sha256Hex(secret), this.now());
  }

  private cachedPrincipal(hash: string, nowMs: number): Principal | undefined {
    const cached = this.cache.get(hash);
    if (cached === undefined) return undefined;
    if (cached.untilMs > nowMs) return cached.principal;
    this.cache.delete(hash);
    return undefined;
  }

  private async keyPrincipal(keyHash: string): Promise<{ principal: Principal; expiresMs: number } | null> {
    const res = await this.pool.query<KeyRow>(`SELECT * FROM ${this.t.keys} WHERE key_hash = $1 AND revoked_at IS NULL`, [keyHash]);
    const row = res.rows[0];
    if (!row) return null;
    if (TENANT_ROLES.includes(row.role) !== (row.client_tenant_id !== null)) return null;
    return { principal: { kind: 'api-key', id: row.key_id, name: row.label, role: row.role, tenantId: row.client_tenant_id }, expiresMs: Infinity };
  }

  private async sessionPrincipal(tokenHash: string, nowMs: number): Promise<{ principal: Principal; expiresMs: number } | null> {
    const res = await this.pool.query<UserRow & { expires_at: Date }>(
      `SELECT u.*, s.expires_at FROM ${this.t.sessions} s JOIN ${this.t.users} u USING (user_id)
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled_at IS NULL`,
      [tokenHash, new Date(nowMs)],
    );
    const row = res.rows[0];
    if (!row) return null;
    return { principal: { kind: 'user', id: row.user_id, name: row.email, role: row.role, tenantId: row.client_tenant_id }, expiresMs: row.expires_at.getTime() };
  }
}
