/**
 * One call that checks a site end to end after a scenario: the SQL invariants of the store (I1–I8 where they exist,
 * server/store/check.pg.ts), the twin's own invariants, the double-entry ledger replayed from the event log, and that
 * twin, ledger and the `stock_quant` projection agree bin by bin. Call it when the site is quiescent (no load running):
 * it waits for queued commands, but it compares reads taken one after another.
 */
import type { SiteRunner } from '../../site/site-runner.ts';
import { checkStore } from '../../store/check.pg.ts';
import type { PgEventStore } from '../../store/event-store.pg.ts';
import type { TwinEvent } from '../../twin/events.ts';
import { checkTwinInvariants, ledgerBalances } from '../../twin/invariants.ts';

/** What the checker needs: the store and the runner of one site (an `ApiOnPostgres` fits). */
export interface CheckedSite {
  readonly store: PgEventStore;
  readonly runner: SiteRunner;
}

/** Bin key as the ledger writes it: `${location}|${tenant}|${sku}`. */
const binKey = (locationId: string, tenantId: string, skuId: string): string => `${locationId}|${tenantId}|${skuId}`;
const isVirtual = (key: string): boolean => key.startsWith('V:');

/** Every broken invariant of the site as one line each; empty means healthy. */
export async function siteInvariantProblems({ store, runner }: CheckedSite): Promise<string[]> {
  await runner.idle();
  const problems: string[] = [];

  // The twin, read from committed state, with its on-hand per bin (lots summed: the ledger keys bins without lot).
  const twin = await runner.read((state) => {
    const onHand = new Map<string, number>();
    for (const q of state.quants.values()) {
      const key = binKey(q.locationId, q.tenantId, q.skuId);
      onHand.set(key, (onHand.get(key) ?? 0) + q.onHand);
    }
    return { seq: state.seq, onHand, problems: checkTwinInvariants(state) };
  });
  for (const p of twin.problems) problems.push(`twin: ${p}`);

  // The store: SQL invariants in one snapshot.
  const results = await checkStore(store.pool, store.tables.schema, runner.siteId);
  for (const r of results) {
    if (!r.ok) problems.push(`store: ${r.name}: ${r.violations} violation(s), e.g. ${JSON.stringify(r.sample)}`);
  }

  // The log: the ledger replayed from the committed events nets to zero and matches the twin per bin.
  const events = (await store.load(runner.siteId)).filter((e) => e.seq <= twin.seq).map((e) => e.event as TwinEvent);
  const lastSeq = await store.lastSeq(runner.siteId);
  if (lastSeq !== twin.seq) problems.push(`log: last seq ${lastSeq} in the store, twin at ${twin.seq}`);
  const ledger = ledgerBalances(events);
  for (const p of ledger.problems) problems.push(`ledger: ${p}`);
  for (const [key, qty] of ledger.balances) {
    if (!isVirtual(key) && qty !== (twin.onHand.get(key) ?? 0)) problems.push(`ledger: ${key} is ${qty} in the log, ${twin.onHand.get(key) ?? 0} in the twin`);
  }
  for (const [key, qty] of twin.onHand) {
    if (!ledger.balances.has(key)) problems.push(`ledger: ${key} holds ${qty} in the twin but has no moves in the log`);
  }

  // The projection: stock_quant per bin equals the twin (on_hand and reserved).
  const reservedByBin = await runner.read((state) => {
    const reserved = new Map<string, number>();
    for (const q of state.quants.values()) {
      const key = binKey(q.locationId, q.tenantId, q.skuId);
      reserved.set(key, (reserved.get(key) ?? 0) + q.reserved);
    }
    return reserved;
  });
  const rows = await store.query<{ location_id: string; tenant_id: string; sku_id: string; on_hand: string; reserved: string }>(
    `SELECT location_id, tenant_id, sku_id, sum(on_hand)::text AS on_hand, sum(reserved)::text AS reserved
       FROM stock_quant WHERE site_id = $1 GROUP BY 1, 2, 3`,
    [runner.siteId],
  );
  const seen = new Set<string>();
  for (const row of rows) {
    const key = binKey(row.location_id, row.tenant_id, row.sku_id);
    seen.add(key);
    const onHand = Number(row.on_hand);
    const reserved = Number(row.reserved);
    // An emptied bin may keep a zero row in the projection; the twin drops it.
    if (onHand === 0 && reserved === 0 && !twin.onHand.has(key)) continue;
    if (onHand !== (twin.onHand.get(key) ?? 0) || reserved !== (reservedByBin.get(key) ?? 0)) {
      problems.push(
        `projection: ${key} is on_hand ${onHand} reserved ${reserved} in stock_quant, ` +
          `${twin.onHand.get(key) ?? 0} / ${reservedByBin.get(key) ?? 0} in the twin`,
      );
    }
  }
  for (const key of twin.onHand.keys()) if (!seen.has(key)) problems.push(`projection: ${key} is in the twin but not in stock_quant`);
  return problems;
}
