/**
 * Invariant checks on a live database (numbering from ../shared/reference/reliability.md): ledger vs projections,
 * conservation, no negative stock at any prefix, reservations, order lines, seq continuity. Read in one REPEATABLE READ
 * snapshot so that a check under load compares one consistent state.
 */
import type { Pool, PoolClient } from 'pg';
import { tablesIn, withTransaction, type Tables } from './pg-util.ts';

/** Result of one invariant on one site. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly violations: number;
  /** Up to `SAMPLE_SIZE` violating rows, as read. */
  readonly sample: unknown[];
}

/** Violating rows kept per invariant. */
export const SAMPLE_SIZE = 5;

/** Signed quantity per (location, tenant, sku, lot, seq): + into `to_location`, − out of `from_location`. */
const ledgerDeltas = (t: Tables): string => `
  SELECT to_location AS location_id, tenant_id, sku_id, lot, seq, qty AS delta FROM ${t.stockMove} WHERE site_id = $1
  UNION ALL
  SELECT from_location, tenant_id, sku_id, lot, seq, -qty FROM ${t.stockMove} WHERE site_id = $1`;

interface Invariant {
  readonly name: string;
  /** A query of violating rows for site $1. */
  readonly sql: (t: Tables) => string;
}

const INVARIANTS: readonly Invariant[] = [
  {
    name: 'I1 projection = ledger (on_hand = in − out)',
    sql: (t) => `
      WITH ledger AS (
        SELECT location_id, tenant_id, sku_id, lot, sum(delta)::bigint AS ledger_on_hand
          FROM (${ledgerDeltas(t)}) d WHERE location_id NOT LIKE 'V:%' GROUP BY 1, 2, 3, 4
      ), quant AS (
        SELECT location_id, tenant_id, sku_id, lot, on_hand FROM ${t.stockQuant} WHERE site_id = $1
      )
      SELECT location_id, tenant_id, sku_id, lot, q.on_hand, l.ledger_on_hand
        FROM quant q FULL JOIN ledger l USING (location_id, tenant_id, sku_id, lot)
       WHERE COALESCE(q.on_hand, 0) <> COALESCE(l.ledger_on_hand, 0)`,
  },
  {
    name: 'I2 conservation (Σ all locations incl. virtual = 0)',
    sql: (t) => `
      WITH virtual AS (
        SELECT tenant_id, sku_id, sum(delta)::bigint AS virtual_balance
          FROM (${ledgerDeltas(t)}) d WHERE location_id LIKE 'V:%' GROUP BY 1, 2
      ), physical AS (
        SELECT tenant_id, sku_id, sum(on_hand)::bigint AS physical_on_hand FROM ${t.stockQuant} WHERE site_id = $1 GROUP BY 1, 2
      )
      SELECT tenant_id, sku_id, p.physical_on_hand, v.virtual_balance
        FROM physical p FULL JOIN virtual v USING (tenant_id, sku_id)
       WHERE COALESCE(p.physical_on_hand, 0) + COALESCE(v.virtual_balance, 0) <> 0`,
  },
  {
    name: 'I3 no negative physical stock at any ledger prefix',
    // The default window frame (RANGE … CURRENT ROW) adds all moves of one event together: an event is atomic.
    sql: (t) => `
      SELECT location_id, tenant_id, sku_id, lot, seq, running_on_hand FROM (
        SELECT location_id, tenant_id, sku_id, lot, seq,
               sum(delta) OVER (PARTITION BY location_id, tenant_id, sku_id, lot ORDER BY seq) AS running_on_hand
          FROM (${ledgerDeltas(t)}) d WHERE location_id NOT LIKE 'V:%'
      ) r WHERE running_on_hand < 0`,
  },
  {
    name: 'I4 0 ≤ reserved ≤ on_hand',
    sql: (t) => `
      SELECT location_id, tenant_id, sku_id, lot, on_hand, reserved FROM ${t.stockQuant}
       WHERE site_id = $1 AND NOT (on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand)`,
  },
  {
    name: 'I5 reserved = open allocations + open pick tasks',
    sql: (t) => `
      WITH open AS (
        SELECT location_id, tenant_id, sku_id, lot, qty FROM ${t.orderAllocations} WHERE site_id = $1 AND NOT released
        UNION ALL
        SELECT location_id, tenant_id, sku_id, lot, qty FROM ${t.pickTasks}
         WHERE site_id = $1 AND status IN ('released', 'assigned')
      ), expected AS (
        SELECT location_id, tenant_id, sku_id, lot, sum(qty)::bigint AS open_qty FROM open GROUP BY 1, 2, 3, 4
      ), quant AS (
        SELECT location_id, tenant_id, sku_id, lot, reserved FROM ${t.stockQuant} WHERE site_id = $1
      )
      SELECT location_id, tenant_id, sku_id, lot, q.reserved, e.open_qty
        FROM quant q FULL JOIN expected e USING (location_id, tenant_id, sku_id, lot)
       WHERE COALESCE(q.reserved, 0) <> COALESCE(e.open_qty, 0)`,
  },
  {
    name: 'I7 order lines (allocated + backordered + cancelled = ordered once allocated; picked ≤ allocated)',
    sql: (t) => `
      SELECT l.order_id, l.line_no, o.status, l.ordered, l.allocated, l.backordered, l.cancelled, l.picked, l.shorted
        FROM ${t.orderLines} l JOIN ${t.orders} o ON o.site_id = l.site_id AND o.order_id = l.order_id
       WHERE l.site_id = $1
         AND NOT (l.allocated >= 0 AND l.backordered >= 0 AND l.picked >= 0 AND l.shorted >= 0 AND l.cancelled >= 0
                  AND l.picked <= l.allocated
                  AND CASE WHEN o.status = 'open' THEN l.allocated + l.backordered + l.cancelled <= l.ordered
                           ELSE l.allocated + l.backordered + l.cancelled = l.ordered END)`,
  },
  {
    name: 'I6 every pending reservation belongs to an allocated order (resolved ones never linger)',
    sql: (t) => `
      SELECT a.order_id, a.line_no, a.location_id, a.qty, o.status FROM ${t.orderAllocations} a
        JOIN ${t.orders} o ON o.site_id = a.site_id AND o.order_id = a.order_id
       WHERE a.site_id = $1 AND NOT a.released AND o.status <> 'allocated'`,
  },
  {
    name: 'I8 one order per (tenant, channel, external id); one parcel per SSCC',
    sql: (t) => `
      SELECT 'order' AS kind, tenant_id || '/' || channel || '/' || external_ref AS key, count(*) AS n FROM ${t.orders}
       WHERE site_id = $1 AND external_ref IS NOT NULL GROUP BY tenant_id, channel, external_ref HAVING count(*) > 1
      UNION ALL
      SELECT 'sscc', sscc, count(*) FROM ${t.orders} WHERE sscc IS NOT NULL GROUP BY sscc HAVING count(*) > 1`,
  },
  {
    name: 'seq continuity (1…last_seq, no gaps)',
    sql: (t) => `
      SELECT 'gap' AS kind, prev_seq AS after_seq, seq AS next_seq FROM (
        SELECT seq, lag(seq, 1, 0::bigint) OVER (ORDER BY seq) AS prev_seq FROM ${t.events} WHERE site_id = $1
      ) g WHERE seq <> prev_seq + 1
      UNION ALL
      SELECT 'last_seq', s.last_seq, (SELECT max(seq) FROM ${t.events} e WHERE e.site_id = $1)
        FROM ${t.sites} s
       WHERE s.site_id = $1 AND s.last_seq <> COALESCE((SELECT max(seq) FROM ${t.events} e WHERE e.site_id = $1), 0)`,
  },
];

/** Names of the invariants `checkStore` runs, in order. */
export const INVARIANT_NAMES: readonly string[] = INVARIANTS.map((i) => i.name);

async function runInvariant(client: PoolClient, t: Tables, siteId: string, inv: Invariant): Promise<CheckResult> {
  const res = await client.query<{ violations: number } & Record<string, unknown>>(
    `SELECT (count(*) OVER ())::int AS violations, v.* FROM (${inv.sql(t)}) v LIMIT ${SAMPLE_SIZE}`,
    [siteId],
  );
  const violations = res.rows[0]?.violations ?? 0;
  const sample = res.rows.map(({ violations: _count, ...row }) => row);
  return { name: inv.name, ok: violations === 0, violations, sample };
}

/** Runs every invariant for one site of the store in `schema`, in one consistent snapshot. */
export async function checkStore(pool: Pool, schema: string, siteId: string): Promise<CheckResult[]> {
  const t = tablesIn(schema);
  return withTransaction(
    pool,
    async (client) => {
      const results: CheckResult[] = [];
      for (const inv of INVARIANTS) results.push(await runInvariant(client, t, siteId, inv));
      return results;
    },
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  );
}

/** Ids of the sites stored in `schema`. */
export async function listSites(pool: Pool, schema: string): Promise<string[]> {
  const res = await pool.query<{ site_id: string }>(`SELECT site_id FROM ${tablesIn(schema).sites} ORDER BY site_id`);
  return res.rows.map((r) => r.site_id);
}
