/**
 * Billing's Postgres adapter: versioned rate cards (migration 014, RLS per tenant: every card query runs inside
 * `withTenant`) and the billable part of a site's event log, read in seq order.
 */
import type pg from 'pg';
import type { SequencedEvent } from '../twin/events.ts';
import { isPgError, PG_UNIQUE_VIOLATION, quoteIdent } from '../store/pg-util.ts';
import { withTenant } from '../store/tenant-scope.ts';
import type { RateCard } from './rate-card.ts';
import { BILLABLE_EVENT_TYPES } from './usage.ts';

/** One stored version of a client's card. */
export interface StoredRateCard {
  readonly version: number;
  /** `YYYY-MM-DD`: the card applies to periods starting on or after it, until a later version's date. */
  readonly effectiveFrom: string;
  readonly card: RateCard;
  readonly createdAt: string;
  readonly createdBy: string | null;
}

interface Row {
  version: number;
  effective_from: string;
  card: RateCard;
  created_at: Date;
  created_by: string | null;
}

const COLUMNS = `version, to_char(effective_from, 'YYYY-MM-DD') AS effective_from, card, created_at, created_by`;

const stored = (row: Row): StoredRateCard => ({
  version: row.version,
  effectiveFrom: row.effective_from,
  card: row.card,
  createdAt: row.created_at.toISOString(),
  createdBy: row.created_by,
});

/** Rate cards of one schema. */
export class RateCardStore {
  private readonly table: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    this.table = `${quoteIdent(schema)}.rate_cards`;
  }

  /** Every version of a client's card, newest first. */
  async versions(siteId: string, tenantId: string): Promise<StoredRateCard[]> {
    return withTenant(this.pool, tenantId, async (client) => {
      const res = await client.query<Row>(`SELECT ${COLUMNS} FROM ${this.table} WHERE site_id = $1 AND tenant_id = $2 ORDER BY version DESC`, [siteId, tenantId]);
      return res.rows.map(stored);
    });
  }

  /** One version, or null. */
  async version(siteId: string, tenantId: string, version: number): Promise<StoredRateCard | null> {
    return withTenant(this.pool, tenantId, async (client) => {
      const res = await client.query<Row>(`SELECT ${COLUMNS} FROM ${this.table} WHERE site_id = $1 AND tenant_id = $2 AND version = $3`, [siteId, tenantId, version]);
      const row = res.rows[0];
      return row === undefined ? null : stored(row);
    });
  }

  /**
   * The card in force for a period starting on `date`: the newest effective_from ≤ date (highest version on a tie);
   * when every version starts later, the earliest one. Null when the client has no card.
   */
  async inForce(siteId: string, tenantId: string, date: string): Promise<StoredRateCard | null> {
    return withTenant(this.pool, tenantId, async (client) => {
      const res = await client.query<Row>(
        `SELECT ${COLUMNS} FROM ${this.table} WHERE site_id = $1 AND tenant_id = $2
          ORDER BY (effective_from <= $3::date) DESC,
                   CASE WHEN effective_from <= $3::date THEN effective_from END DESC NULLS LAST,
                   effective_from ASC, version DESC
          LIMIT 1`,
        [siteId, tenantId, date],
      );
      const row = res.rows[0];
      return row === undefined ? null : stored(row);
    });
  }

  /** Stores a new version (max + 1). Two writers at once: the loser retries on the next number. */
  async put(siteId: string, card: RateCard, effectiveFrom: string, createdBy: string | null): Promise<StoredRateCard> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await withTenant(this.pool, card.tenantId, async (client) => {
          const res = await client.query<Row>(
            `INSERT INTO ${this.table} (site_id, tenant_id, version, effective_from, card, created_by)
             SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3::date, $4::jsonb, $5 FROM ${this.table} WHERE site_id = $1 AND tenant_id = $2
             RETURNING ${COLUMNS}`,
            [siteId, card.tenantId, effectiveFrom, JSON.stringify(card), createdBy],
          );
          return stored(res.rows[0] as Row);
        });
      } catch (err) {
        if (attempt < 5 && isPgError(err) && err.code === PG_UNIQUE_VIOLATION) continue;
        throw err;
      }
    }
  }

  /** Stores `card` as version 1 when the client has no card yet; true when it did. */
  async seed(siteId: string, card: RateCard, effectiveFrom: string): Promise<boolean> {
    return withTenant(this.pool, card.tenantId, async (client) => {
      const res = await client.query(
        `INSERT INTO ${this.table} (site_id, tenant_id, version, effective_from, card, created_by)
         SELECT $1, $2, 1, $3::date, $4::jsonb, 'seed'
          WHERE NOT EXISTS (SELECT 1 FROM ${this.table} WHERE site_id = $1 AND tenant_id = $2)
         ON CONFLICT DO NOTHING`,
        [siteId, card.tenantId, effectiveFrom, JSON.stringify(card)],
      );
      return res.rowCount === 1;
    });
  }
}

/**
 * The billable events of a site with seq > afterSeq, in seq order (types `BILLABLE_EVENT_TYPES`; the rest of the log
 * cannot change an invoice). Read in pages of `pageSize`.
 */
export async function loadBillableEvents(pool: pg.Pool, schema: string, siteId: string, afterSeq: number, pageSize = 10_000): Promise<SequencedEvent[]> {
  const out: SequencedEvent[] = [];
  let after = afterSeq;
  for (;;) {
    const res = await pool.query<{ seq: number; payload: SequencedEvent['event'] }>(
      `SELECT seq::float8 AS seq, payload FROM ${quoteIdent(schema)}.events
        WHERE site_id = $1 AND seq > $2 AND type = ANY($3::text[]) ORDER BY seq LIMIT $4`,
      [siteId, after, BILLABLE_EVENT_TYPES, pageSize],
    );
    for (const r of res.rows) out.push({ seq: r.seq, event: r.payload });
    if (res.rows.length < pageSize) return out;
    after = res.rows[res.rows.length - 1]?.seq ?? after;
  }
}
