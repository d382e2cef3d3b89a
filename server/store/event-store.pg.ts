/**
 * `PgEventStore`: the `EventStore` on Postgres. One append = one transaction: fence on `sites.last_seq`, one multi-row
 * INSERT of the events, the projections aggregated per batch, COMMIT. The unique (site_id, seq) is the second fence.
 */
import pg from 'pg';
import type { DurableEvent, SequencedEvent } from '../twin/events.ts';
import {
  DEFAULT_LOAD_PAGE_SIZE,
  ProjectionRejectedError,
  SeqConflictError,
  UnknownSiteError,
  assertSeq,
  collectPages,
  snapshotText,
  type AppendResult,
  type EventStore,
  type Snapshot,
} from './event-store.ts';
import { migrate } from './migrate.pg.ts';
import {
  APP_SESSION_OPTIONS,
  DEFAULT_SCHEMA,
  PG_CHECK_VIOLATION,
  TENANT_SESSION_OPTIONS,
  PG_UNIQUE_VIOLATION,
  isPgError,
  quoteIdent,
  tablesIn,
  withTransaction,
  type Tables,
} from './pg-util.ts';
import { PROJECTION_SETTINGS, projectBatch } from './projections.pg.ts';

/** How long a new connection may take before the caller is told the store is unavailable. */
const CONNECT_TIMEOUT_MS = 3000;

/** One round trip: open the transaction and pin plans to the batch (see PROJECTION_SETTINGS). */
const APPEND_BEGIN = `BEGIN; ${PROJECTION_SETTINGS}`;

/**
 * Options of `PgEventStore`. Give either a connection string (the store owns its pools: `pool` runs as the app role in the
 * site-wide scope, `tenantPool` as the app role with no scope; migrations run as the connecting owner) or a pool (the
 * caller owns it and its role; `tenantPool` is then `tenantPool` below, or one the store derives with the app role).
 */
export interface PgEventStoreOptions {
  readonly connectionString?: string;
  /**
   * Where the store's own pools connect as the app role itself (a LOGIN role, migration 017; `appRoleUrl` derives it
   * for trust auth). Then no statement can leave the role. Without it they connect with `connectionString` (the owner)
   * and switch with the startup option `role`, which `SET ROLE NONE` undoes. Migrations always use `connectionString`.
   */
  readonly appConnectionString?: string;
  readonly pool?: pg.Pool;
  /** Pool for tenant-facing reads (see `tenantPool`); only with `pool`. */
  readonly tenantPool?: pg.Pool;
  /** Size of the tenant-facing pool the store creates. Default 5. */
  readonly tenantConnections?: number;
  /** Schema holding the tables (created by `init`). Default `floortwin`. */
  readonly schema?: string;
  /** Pool size when the store creates the pool. Default 10. */
  readonly maxConnections?: number;
  /** Where pool-level errors (a dropped idle connection) are reported. Default: console.error. */
  readonly onError?: (message: string, err: unknown) => void;
}

/** Events, snapshots and projections in Postgres. */
export class PgEventStore implements EventStore {
  /** The pool in use, for callers that also read projections (its own pool: app role, site-wide scope). */
  readonly pool: pg.Pool;
  /**
   * Pool for tenant-facing reads (portal, API keys): app role, no tenant scope, so nothing is visible outside
   * `withTenant(tenantPool, tenantId, fn)` (server/store/tenant-scope.ts).
   */
  readonly tenantPool: pg.Pool;
  /** Qualified table names. */
  readonly tables: Tables;
  private readonly ownsPool: boolean;
  private readonly ownsTenantPool: boolean;
  /** Where migrations connect as the owner (set when the store owns its pool, whose sessions are the app role). */
  private readonly ownerConnectionString: string | undefined;

  constructor(options: PgEventStoreOptions) {
    const onError = options.onError ?? ((message: string, err: unknown) => console.error(message, err));
    if (options.pool !== undefined) {
      this.pool = options.pool;
      this.ownsPool = false;
      this.ownerConnectionString = undefined;
      this.ownsTenantPool = options.tenantPool === undefined;
      this.tenantPool =
        options.tenantPool ??
        new pg.Pool({ ...options.pool.options, max: options.tenantConnections ?? 5, options: TENANT_SESSION_OPTIONS });
    } else {
      if (options.connectionString === undefined) throw new Error('PgEventStore needs a connectionString or a pool');
      const appConnectionString = options.appConnectionString ?? options.connectionString;
      this.pool = new pg.Pool({
        connectionString: appConnectionString,
        max: options.maxConnections ?? 10,
        // A database that accepts TCP but never answers (hung, or a dead link) must not hold commands forever.
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        options: APP_SESSION_OPTIONS,
      });
      this.ownsPool = true;
      this.ownerConnectionString = options.connectionString;
      this.ownsTenantPool = true;
      this.tenantPool = new pg.Pool({
        connectionString: appConnectionString,
        max: options.tenantConnections ?? 5,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        options: TENANT_SESSION_OPTIONS,
      });
      // An idle client losing its connection emits on the pool; without a listener that would crash the process.
      this.pool.on('error', (err) => onError('postgres pool error', err));
    }
    if (this.ownsTenantPool) this.tenantPool.on('error', (err) => onError('postgres tenant pool error', err));
    // A client checked out of a pool has no 'error' listener (pg-pool removes its idle one); when Postgres goes away
    // mid-transaction the client emits 'error' besides failing the query, which would end the process. The query's
    // own rejection is what callers handle, so the event is only reported (server/ops/faults F2).
    const guard = (label: string) => (client: pg.PoolClient) => void client.on('error', (err) => onError(label, err));
    if (this.ownsPool) this.pool.on('connect', guard('postgres connection lost'));
    if (this.ownsTenantPool) this.tenantPool.on('connect', guard('postgres tenant connection lost'));
    this.tables = tablesIn(options.schema ?? DEFAULT_SCHEMA);
  }

  async init(): Promise<void> {
    if (this.ownerConnectionString === undefined) {
      await migrate(this.pool, this.tables.schema);
      return;
    }
    // The store's own sessions are the app role, which may not change the schema (nor exist yet): migrate as the owner.
    const owner = new pg.Pool({ connectionString: this.ownerConnectionString, max: 1 });
    try {
      await migrate(owner, this.tables.schema);
    } finally {
      await owner.end();
    }
  }

  async ensureSite(siteId: string, definition: unknown): Promise<void> {
    // Every start after the first finds the site: ask before sending the definition (2.3 MB of JSON for the demo site,
    // parsed into jsonb by Postgres only for the conflict to discard it: hundreds of ms of each restart).
    const known = await this.pool.query(`SELECT 1 FROM ${this.tables.sites} WHERE site_id = $1`, [siteId]);
    if ((known.rowCount ?? 0) > 0) return;
    await this.pool.query(
      `INSERT INTO ${this.tables.sites} (site_id, definition) VALUES ($1, $2::jsonb) ON CONFLICT (site_id) DO NOTHING`,
      [siteId, JSON.stringify(definition)],
    );
  }

  async siteDefinition(siteId: string): Promise<unknown> {
    const res = await this.pool.query<{ definition: unknown }>(
      `SELECT definition FROM ${this.tables.sites} WHERE site_id = $1`,
      [siteId],
    );
    return res.rows[0]?.definition ?? null;
  }

  async append(siteId: string, expectedSeq: number, events: readonly DurableEvent[]): Promise<AppendResult> {
    assertSeq(expectedSeq, 'expectedSeq');
    const firstSeq = expectedSeq + 1;
    const lastSeq = expectedSeq + events.length;
    if (events.length === 0) return { firstSeq, lastSeq };
    const t = this.tables;
    try {
      await withTransaction(this.pool, async (client) => {
        // Fence: the row lock serialises writers of a site; a second writer re-reads last_seq after the first commits.
        const fence = await client.query(
          `UPDATE ${t.sites} SET last_seq = $3 WHERE site_id = $1 AND last_seq = $2`,
          [siteId, expectedSeq, lastSeq],
        );
        if (fence.rowCount !== 1) {
          const now = await client.query<{ last_seq: string }>(`SELECT last_seq FROM ${t.sites} WHERE site_id = $1`, [siteId]);
          const row = now.rows[0];
          if (row === undefined) throw new UnknownSiteError(siteId);
          throw new SeqConflictError(siteId, expectedSeq, Number(row.last_seq));
        }
        await client.query(
          `INSERT INTO ${t.events} (site_id, seq, type, at, payload)
           SELECT $1, $2 + e.ord, e.v->>'type', to_timestamp((e.v->>'at')::float8 / 1000.0), e.v
             FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(v, ord)`,
          [siteId, expectedSeq, JSON.stringify(events)],
        );
        const sequenced: SequencedEvent[] = events.map((event, i) => ({ seq: firstSeq + i, event }));
        await projectBatch(client, t, siteId, sequenced);
      }, APPEND_BEGIN);
    } catch (err) {
      if (isPgError(err) && err.code === PG_UNIQUE_VIOLATION && err.constraint === 'events_pkey') {
        throw new SeqConflictError(siteId, expectedSeq, null, { cause: err });
      }
      if (isPgError(err) && err.code === PG_CHECK_VIOLATION) {
        throw new ProjectionRejectedError(siteId, err.constraint ?? null, { cause: err });
      }
      throw err;
    }
    return { firstSeq, lastSeq };
  }

  load(siteId: string, afterSeq = 0): Promise<SequencedEvent[]> {
    return collectPages(this.loadPages(siteId, afterSeq));
  }

  async *loadPages(siteId: string, afterSeq = 0, pageSize = DEFAULT_LOAD_PAGE_SIZE): AsyncIterable<SequencedEvent[]> {
    assertSeq(afterSeq, 'afterSeq');
    let after = afterSeq;
    for (;;) {
      const res = await this.pool.query<{ seq: number; payload: DurableEvent }>(
        `SELECT seq::float8 AS seq, payload FROM ${this.tables.events}
          WHERE site_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [siteId, after, pageSize],
      );
      if (res.rows.length === 0) return;
      yield res.rows.map((r) => ({ seq: r.seq, event: r.payload }));
      if (res.rows.length < pageSize) return;
      after = res.rows[res.rows.length - 1]?.seq ?? after;
    }
  }

  async saveSnapshot(siteId: string, seq: number, data: unknown): Promise<void> {
    assertSeq(seq, 'seq');
    try {
      await this.pool.query(
        `INSERT INTO ${this.tables.snapshots} (site_id, seq, data) VALUES ($1, $2, $3::jsonb)
         ON CONFLICT (site_id, seq) DO UPDATE SET data = excluded.data, created_at = now()`,
        [siteId, seq, snapshotText(data)],
      );
    } catch (err) {
      if (isPgError(err) && err.code === '23503') throw new UnknownSiteError(siteId);
      throw err;
    }
  }

  async latestSnapshot(siteId: string): Promise<Snapshot | null> {
    const res = await this.pool.query<{ seq: number; data: unknown }>(
      `SELECT seq::float8 AS seq, data FROM ${this.tables.snapshots} WHERE site_id = $1 ORDER BY seq DESC LIMIT 1`,
      [siteId],
    );
    const row = res.rows[0];
    return row === undefined ? null : { seq: row.seq, data: row.data };
  }

  async lastSeq(siteId: string): Promise<number> {
    const res = await this.pool.query<{ last_seq: number }>(
      `SELECT last_seq::float8 AS last_seq FROM ${this.tables.sites} WHERE site_id = $1`,
      [siteId],
    );
    return res.rows[0]?.last_seq ?? 0;
  }

  /**
   * Runs a read-only query with the store's schema on the search path (unqualified table names), for reports, portals
   * and tests that read projections. Projections are written only by `append`.
   */
  async query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return withTransaction(
      this.pool,
      async (client) => (await client.query<T>(sql, params)).rows,
      `BEGIN READ ONLY; SET LOCAL search_path TO ${quoteIdent(this.tables.schema)}`,
    );
  }

  async close(): Promise<void> {
    if (this.ownsTenantPool) await this.tenantPool.end();
    if (this.ownsPool) await this.pool.end();
  }
}
