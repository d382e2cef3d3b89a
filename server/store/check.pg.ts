/**
 * Invariant checks on a live database (numbering from ../shared/reference/reliability.md §1.4, I1–I12): ledger vs
 * projections, conservation, no negative stock at any prefix, reservations, order lines, uniqueness, tenant closure,
 * outbox completeness, an acknowledged-operation history, ledger immutability against a checkpoint, seq continuity.
 * Read in one REPEATABLE READ snapshot so that a check under load compares one consistent state; the only write is the
 * I12 checkpoint (table `ledger_checkpoints`, migration 013), in its own transaction after the read.
 */
import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { channelAvailableSql } from './channel-available.ts';
import { quoteIdent, tablesIn, withTransaction, type Tables } from './pg-util.ts';

/** Result of one invariant on one site. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly violations: number;
  /** Up to `SAMPLE_SIZE` violating rows, as read. */
  readonly sample: unknown[];
  /** What was (or could not be) checked, when that is not obvious from the name: scope, not applicable, recorded. */
  readonly note?: string;
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
  /** A note on the scope of the result (e.g. not applicable), read in the same snapshot. */
  readonly note?: (client: PoolClient, t: Tables, siteId: string) => Promise<string | undefined>;
}

/** Locations outside the layout that may mix clients and SKUs (R44 dock, R51 returns desk, R73 in transit). */
const MIXED_OK = `location_id LIKE 'DOCK:%' OR location_id LIKE 'RETURNS:%' OR location_id LIKE 'TRANSIT:%'`;

/** Owner of each SKU of site $1, from the stored site definition (empty when the definition has no SKUs). */
const skuOwners = (t: Tables): string => `
  SELECT s->>'id' AS sku_id, s->>'tenantId' AS owner
    FROM ${t.sites} st, jsonb_array_elements(CASE WHEN jsonb_typeof(st.definition->'skus') = 'array' THEN st.definition->'skus' ELSE '[]'::jsonb END) s
   WHERE st.site_id = $1`;

/**
 * I9 tenant closure: every row that names a tenant and a SKU (or an order) names the SKU's owner (the order's client);
 * a layout bin holds one client's stock. Each violating row says where (`kind`, `ref`) and which two tenants clash.
 */
const tenantClosure = (t: Tables): string => `
  WITH owner AS (${skuOwners(t)}), ord AS (SELECT order_id, tenant_id FROM ${t.orders} WHERE site_id = $1)
  SELECT 'stock_move sku of another tenant' AS kind, 'seq ' || m.seq || ' #' || m.idx AS ref, m.tenant_id, o.owner AS other_tenant, m.sku_id AS detail
    FROM ${t.stockMove} m JOIN owner o ON o.sku_id = m.sku_id WHERE m.site_id = $1 AND o.owner <> m.tenant_id
  UNION ALL
  SELECT 'stock_quant sku of another tenant', q.location_id, q.tenant_id, o.owner, q.sku_id
    FROM ${t.stockQuant} q JOIN owner o ON o.sku_id = q.sku_id WHERE q.site_id = $1 AND o.owner <> q.tenant_id
  UNION ALL
  SELECT 'order line sku of another tenant', l.order_id || ' line ' || l.line_no, d.tenant_id, o.owner, l.sku_id
    FROM ${t.orderLines} l JOIN ord d USING (order_id) JOIN owner o ON o.sku_id = l.sku_id WHERE l.site_id = $1 AND o.owner <> d.tenant_id
  UNION ALL
  SELECT 'reservation of another tenant''s order', a.order_id || ' line ' || a.line_no || ' at ' || a.location_id, a.tenant_id, d.tenant_id, a.sku_id
    FROM ${t.orderAllocations} a JOIN ord d USING (order_id) WHERE a.site_id = $1 AND d.tenant_id <> a.tenant_id
  UNION ALL
  SELECT 'pick task of another tenant''s order', p.task_id, p.tenant_id, d.tenant_id, p.order_id
    FROM ${t.pickTasks} p JOIN ord d USING (order_id) WHERE p.site_id = $1 AND d.tenant_id <> p.tenant_id
  UNION ALL
  SELECT 'receipt sku of another tenant', r.receipt_id, r.tenant_id, o.owner, r.sku_id
    FROM ${quoteIdent(t.schema)}.goods_receipts r JOIN owner o ON o.sku_id = r.sku_id WHERE r.site_id = $1 AND o.owner <> r.tenant_id
  UNION ALL
  SELECT 'ASN line sku of another tenant', a.asn_ref || ' line ' || (l->>'lineNo'), a.tenant_id, o.owner, l->>'skuId'
    FROM ${quoteIdent(t.schema)}.asns a CROSS JOIN LATERAL jsonb_array_elements(a.lines) l JOIN owner o ON o.sku_id = l->>'skuId'
   WHERE a.site_id = $1 AND o.owner <> a.tenant_id
  UNION ALL
  SELECT 'hold line sku of another tenant', h.hold_id || ' @' || h.placed_seq, l->>'tenantId', o.owner, l->>'skuId'
    FROM ${quoteIdent(t.schema)}.stock_holds h CROSS JOIN LATERAL jsonb_array_elements(h.lines) l JOIN owner o ON o.sku_id = l->>'skuId'
   WHERE h.site_id = $1 AND o.owner <> l->>'tenantId'
  UNION ALL
  SELECT 'RMA of another tenant''s order', r.rma_id, r.tenant_id, d.tenant_id, r.order_id
    FROM ${quoteIdent(t.schema)}.rmas r JOIN ord d USING (order_id) WHERE r.site_id = $1 AND d.tenant_id <> r.tenant_id
  UNION ALL
  SELECT 'bin holds two tenants', location_id, min(tenant_id), max(tenant_id), string_agg(DISTINCT sku_id, ',')
    FROM ${t.stockQuant} WHERE site_id = $1 AND on_hand > 0 AND NOT (${MIXED_OK})
   GROUP BY location_id HAVING count(DISTINCT tenant_id) > 1`;

/**
 * I10 outbox completeness, after drain: the relay pushes what a channel may sell of a (tenant, SKU) (store/channel-available.ts) and records it in
 * channel_items.last_pushed_qty. A linked SKU with nothing left to send (no pending outbox row) and no channel order
 * waiting to be imported must show that figure; a change committed without its outbox row leaves it stale for good.
 */
const outboxCompleteness = (t: Tables): string => `
  WITH linked AS (
    SELECT c.id AS connection_id, c.tenant_id, i.sku_id, i.last_pushed_qty
      FROM ${quoteIdent(t.schema)}.channel_items i JOIN ${t.channelConnections} c ON c.id = i.connection_id
     WHERE c.site_id = $1
  ), ours AS (${channelAvailableSql(t.schema, false)}
  )
  SELECT l.connection_id, l.tenant_id, l.sku_id, l.last_pushed_qty AS channel_level, COALESCE(o.available, 0) AS wms_available,
         (SELECT max(x.seq) FROM ${t.outbox} x WHERE x.site_id = $1 AND x.kind = 'stock' AND x.tenant_id = l.tenant_id AND x.sku_id = l.sku_id) AS last_outbox_seq,
         (SELECT x.last_error FROM ${t.outbox} x WHERE x.site_id = $1 AND x.kind = 'stock' AND x.tenant_id = l.tenant_id AND x.sku_id = l.sku_id
           ORDER BY x.id DESC LIMIT 1) AS last_error
    FROM linked l LEFT JOIN ours o USING (tenant_id, sku_id)
   WHERE l.last_pushed_qty IS DISTINCT FROM COALESCE(o.available, 0)
     AND NOT EXISTS (SELECT 1 FROM ${t.outbox} x WHERE x.site_id = $1 AND x.kind = 'stock' AND x.tenant_id = l.tenant_id
                        AND x.sku_id = l.sku_id AND x.done_at IS NULL)
     AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(t.schema)}.channel_inbox b WHERE b.connection_id = l.connection_id AND b.status = 'pending')`;


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
    name: 'I9 tenant closure (no row names another tenant\'s SKU or order; a bin holds one client)',
    sql: tenantClosure,
    note: async (client, t, siteId) => {
      const res = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${skuOwners(t)}) o`, [siteId]);
      return (res.rows[0]?.n ?? 0) === 0 ? 'partial: the stored site definition lists no SKUs, so SKU ownership is not checked' : undefined;
    },
  },
  {
    name: 'I10 outbox completeness (after drain, each linked SKU\'s channel level = Σ on_hand − reserved)',
    sql: outboxCompleteness,
    note: async (client, t, siteId) => {
      const res = await client.query<{ connections: number; linked: number; pending: number }>(
        `SELECT (SELECT count(*)::int FROM ${t.channelConnections} WHERE site_id = $1) AS connections,
                (SELECT count(*)::int FROM ${quoteIdent(t.schema)}.channel_items i JOIN ${t.channelConnections} c ON c.id = i.connection_id WHERE c.site_id = $1) AS linked,
                (SELECT count(*)::int FROM ${t.outbox} WHERE site_id = $1 AND kind = 'stock' AND done_at IS NULL) AS pending`,
        [siteId],
      );
      const r = res.rows[0];
      if (r === undefined || r.connections === 0) return 'not applicable: no channel connection on this site, so no channel shows its stock';
      if (r.linked === 0) return 'not applicable: the site\'s channel connections map no SKU';
      return `${r.linked} linked SKU(s); ${r.pending} outbox row(s) still pending are not compared until sent`;
    },
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

/** Kinds of acknowledged creates the history (I11) can name: the event that creates each, and its id field. */
export const HISTORY_KINDS = {
  order: { type: 'OrderCreated', field: 'orderId' },
  receipt: { type: 'GoodsReceived', field: 'receiptId' },
  asn: { type: 'AsnCreated', field: 'asnRef' },
  rma: { type: 'RmaCreated', field: 'rmaId' },
  'return-receipt': { type: 'ReturnReceived', field: 'receiptId' },
  inspection: { type: 'ReturnInspected', field: 'inspectionId' },
  count: { type: 'CountCreated', field: 'countId' },
  wave: { type: 'WaveReleased', field: 'waveId' },
  'move-task': { type: 'MoveTaskCreated', field: 'taskId' },
} as const;
export type HistoryKind = keyof typeof HISTORY_KINDS;

/**
 * One operation of a client's recorded history (Jepsen style): `ok` was acknowledged (2xx) and must exist exactly
 * once; `fail` was definitely refused (4xx) and must have left no trace; `info` is indeterminate (timeout, 5xx) and may
 * exist at most once.
 */
export interface HistoryEntry {
  readonly kind: HistoryKind;
  readonly id: string;
  readonly outcome: 'ok' | 'fail' | 'info';
}

export interface CheckOptions {
  /** I11: the operations a client recorded against this site; absent: I11 is reported as not checked. */
  readonly history?: readonly HistoryEntry[];
  /** I12: record a new ledger checkpoint after a clean comparison (default true). False keeps the check read-only. */
  readonly recordCheckpoint?: boolean;
}

export const I11_NAME = 'I11 history (acknowledged creates exist exactly once, refused ones not at all, indeterminate ≤ 1)';
export const I12_NAME = 'I12 ledger immutability (stock_move rows ≤ the checkpoint seq: same count and rolling hash)';

/** Seqs per chunk of the I12 hash: a mismatch names the chunk, i.e. the seq range whose rows changed. */
export const LEDGER_CHUNK_SEQS = 1000;

/** Names of the invariants `checkStore` runs, in order. */
export const INVARIANT_NAMES: readonly string[] = [...INVARIANTS.map((i) => i.name), I11_NAME, I12_NAME];

async function runInvariant(client: PoolClient, t: Tables, siteId: string, inv: Invariant): Promise<CheckResult> {
  const res = await client.query<{ violations: number } & Record<string, unknown>>(
    `SELECT (count(*) OVER ())::int AS violations, v.* FROM (${inv.sql(t)}) v LIMIT ${SAMPLE_SIZE}`,
    [siteId],
  );
  const violations = res.rows[0]?.violations ?? 0;
  const sample = res.rows.map(({ violations: _count, ...row }) => row);
  const note = await inv.note?.(client, t, siteId);
  return { name: inv.name, ok: violations === 0, violations, sample, ...(note === undefined ? {} : { note }) };
}

/** I11: how often each recorded operation's create event is in the log, against what its outcome allows. */
async function checkHistory(client: PoolClient, t: Tables, siteId: string, history: readonly HistoryEntry[] | undefined): Promise<CheckResult> {
  if (history === undefined) return { name: I11_NAME, ok: true, violations: 0, sample: [], note: 'not checked: needs the client\'s recorded history (--history FILE)' };
  const found = new Map<string, number>();
  for (const kind of Object.keys(HISTORY_KINDS) as HistoryKind[]) {
    const ids = [...new Set(history.filter((h) => h.kind === kind).map((h) => h.id))];
    if (ids.length === 0) continue;
    const { type, field } = HISTORY_KINDS[kind];
    const res = await client.query<{ id: string; n: number }>(
      `SELECT payload->>'${field}' AS id, count(*)::int AS n FROM ${t.events}
        WHERE site_id = $1 AND type = $2 AND payload->>'${field}' = ANY($3::text[]) GROUP BY 1`,
      [siteId, type, ids],
    );
    for (const r of res.rows) found.set(`${kind}\u0000${r.id}`, r.n);
  }
  const bad: { kind: HistoryKind; id: string; outcome: HistoryEntry['outcome']; times: number; problem: string }[] = [];
  const seen = new Set<string>();
  for (const h of history) {
    const key = `${h.kind}\u0000${h.id}`;
    if (seen.has(`${key}\u0000${h.outcome}`)) continue;
    seen.add(`${key}\u0000${h.outcome}`);
    const times = found.get(key) ?? 0;
    const problem =
      h.outcome === 'ok' ? (times === 0 ? 'acknowledged but lost' : times > 1 ? 'acknowledged once, created more than once' : null)
      : h.outcome === 'fail' ? (times > 0 ? 'refused but left a trace' : null)
      : times > 1 ? 'indeterminate, created more than once' : null;
    if (problem !== null) bad.push({ kind: h.kind, id: h.id, outcome: h.outcome, times, problem });
  }
  return { name: I11_NAME, ok: bad.length === 0, violations: bad.length, sample: bad.slice(0, SAMPLE_SIZE), note: `${history.length} recorded operation(s)` };
}

/** Hash state of the ledger rows of one chunk of seqs. */
interface Chunk {
  readonly from: number;
  readonly to: number;
  rows: number;
  readonly hash: ReturnType<typeof createHash>;
}

/** A stored checkpoint: rows and rolling hash of stock_move up to `seq`, with the per-chunk figures. */
export interface LedgerCheckpoint {
  readonly seq: number;
  readonly rows: number;
  readonly hash: string;
  readonly chunks: readonly { readonly from: number; readonly to: number; readonly rows: number; readonly hash: string }[];
}

/**
 * Reads the site's stock_move rows with seq ≤ `upTo` in (seq, idx) order, in pages, hashing each row's every column
 * into its chunk; the checkpoint hash is the chain (rolling) of the chunk hashes.
 */
async function ledgerDigest(client: PoolClient, t: Tables, siteId: string, upTo: number): Promise<LedgerCheckpoint> {
  const chunks = new Map<number, Chunk>();
  let after: [number, number] = [0, -1];
  for (;;) {
    const res = await client.query<{ seq: string; idx: number; text: string }>(
      `SELECT seq::text AS seq, idx, concat_ws('|', seq, idx, tenant_id, sku_id, lot, expiry, from_location, to_location, qty, order_id,
              (extract(epoch FROM at) * 1000)::bigint, reason) AS text
         FROM ${t.stockMove} WHERE site_id = $1 AND seq <= $2 AND (seq, idx) > ($3::bigint, $4::int) ORDER BY seq, idx LIMIT 10000`,
      [siteId, upTo, after[0], after[1]],
    );
    for (const r of res.rows) {
      const seq = Number(r.seq);
      const no = Math.floor(seq / LEDGER_CHUNK_SEQS);
      let chunk = chunks.get(no);
      if (chunk === undefined) {
        chunk = { from: no * LEDGER_CHUNK_SEQS, to: no * LEDGER_CHUNK_SEQS + LEDGER_CHUNK_SEQS - 1, rows: 0, hash: createHash('sha256') };
        chunks.set(no, chunk);
      }
      chunk.rows++;
      chunk.hash.update(r.text).update('\n');
    }
    const last = res.rows[res.rows.length - 1];
    if (last === undefined || res.rows.length < 10000) break;
    after = [Number(last.seq), last.idx];
  }
  const rolling = createHash('sha256');
  const out: LedgerCheckpoint['chunks'][number][] = [];
  let rows = 0;
  for (const c of [...chunks.values()].sort((a, b) => a.from - b.from)) {
    const hash = c.hash.digest('hex');
    rolling.update(`${c.from}:${c.rows}:${hash}\n`);
    rows += c.rows;
    out.push({ from: c.from, to: c.to, rows: c.rows, hash });
  }
  return { seq: upTo, rows, hash: rolling.digest('hex'), chunks: out };
}

const checkpointTable = (t: Tables): string => `${quoteIdent(t.schema)}.ledger_checkpoints`;

/** I12 read side: the latest checkpoint compared with the ledger now; returns the result and what to record. */
async function checkLedger(client: PoolClient, t: Tables, siteId: string, recording: boolean): Promise<{ result: CheckResult; record: LedgerCheckpoint | null }> {
  const lastSeq = Number((await client.query<{ s: string }>(`SELECT COALESCE(max(seq), 0)::text AS s FROM ${t.stockMove} WHERE site_id = $1`, [siteId])).rows[0]?.s ?? 0);
  const exists = (await client.query<{ r: string | null }>(`SELECT to_regclass($1) AS r`, [checkpointTable(t)])).rows[0]?.r != null;
  const previous = exists
    ? (await client.query<{ seq: string; rows: string; hash: string; chunks: LedgerCheckpoint['chunks'] }>(
        `SELECT seq::text, rows::text, hash, chunks FROM ${checkpointTable(t)} WHERE site_id = $1 ORDER BY seq DESC LIMIT 1`,
        [siteId],
      )).rows[0]
    : undefined;
  if (previous === undefined) {
    const now = await ledgerDigest(client, t, siteId, lastSeq);
    return { result: { name: I12_NAME, ok: true, violations: 0, sample: [], note: `no checkpoint yet: ${recording ? 'recording' : 'would record'} seq ${lastSeq} (${now.rows} rows, hash ${now.hash.slice(0, 16)}…); the next run compares` }, record: now };
  }
  const then: LedgerCheckpoint = { seq: Number(previous.seq), rows: Number(previous.rows), hash: previous.hash, chunks: previous.chunks };
  const now = await ledgerDigest(client, t, siteId, then.seq);
  if (now.rows === then.rows && now.hash === then.hash) {
    const next = lastSeq > then.seq ? await ledgerDigest(client, t, siteId, lastSeq) : null;
    const note = `unchanged up to seq ${then.seq} (${then.rows} rows)${next === null || !recording ? '' : `; recording seq ${lastSeq}`}`;
    return { result: { name: I12_NAME, ok: true, violations: 0, sample: [], note }, record: next };
  }
  // Which seq ranges changed: chunks whose row count or hash differ (or that appeared or vanished).
  const before = new Map(then.chunks.map((c) => [c.from, c]));
  const after = new Map(now.chunks.map((c) => [c.from, c]));
  const changed = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => a - b).flatMap((from) => {
    const b = before.get(from);
    const a = after.get(from);
    if (b !== undefined && a !== undefined && b.rows === a.rows && b.hash === a.hash) return [];
    return [{ seqFrom: from, seqTo: Math.min(from + LEDGER_CHUNK_SEQS - 1, then.seq), rowsAtCheckpoint: b?.rows ?? 0, rowsNow: a?.rows ?? 0, hashAtCheckpoint: b?.hash.slice(0, 16) ?? null, hashNow: a?.hash.slice(0, 16) ?? null }];
  });
  const note = `checkpoint seq ${then.seq}: ${then.rows} rows, hash ${then.hash.slice(0, 16)}…; now ${now.rows} rows, hash ${now.hash.slice(0, 16)}… — history was rewritten (not recording a new checkpoint)`;
  return { result: { name: I12_NAME, ok: false, violations: changed.length, sample: changed.slice(0, SAMPLE_SIZE), note }, record: null };
}

/** I12 write side: stores a checkpoint (table `ledger_checkpoints`, migration 013). */
async function recordCheckpoint(pool: Pool, t: Tables, siteId: string, cp: LedgerCheckpoint): Promise<void> {
  await pool.query(
    `INSERT INTO ${checkpointTable(t)} (site_id, seq, rows, hash, chunks) VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT DO NOTHING`,
    [siteId, cp.seq, cp.rows, cp.hash, JSON.stringify(cp.chunks)],
  );
}

/** Runs every invariant for one site of the store in `schema`, in one consistent snapshot (I12's record after it). */
export async function checkStore(pool: Pool, schema: string, siteId: string, options: CheckOptions = {}): Promise<CheckResult[]> {
  const t = tablesIn(schema);
  const { results, record } = await withTransaction(
    pool,
    async (client) => {
      const out: CheckResult[] = [];
      for (const inv of INVARIANTS) out.push(await runInvariant(client, t, siteId, inv));
      out.push(await checkHistory(client, t, siteId, options.history));
      const ledger = await checkLedger(client, t, siteId, options.recordCheckpoint !== false);
      out.push(ledger.result);
      return { results: out, record: ledger.record };
    },
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  );
  if (record !== null && options.recordCheckpoint !== false) await recordCheckpoint(pool, t, siteId, record);
  return results;
}

/** Ids of the sites stored in `schema`. */
export async function listSites(pool: Pool, schema: string): Promise<string[]> {
  const res = await pool.query<{ site_id: string }>(`SELECT site_id FROM ${tablesIn(schema).sites} ORDER BY site_id`);
  return res.rows.map((r) => r.site_id);
}
