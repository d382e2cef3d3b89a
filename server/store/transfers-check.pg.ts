/**
 * The transfer invariant on a live database (twin SPEC R76), run by `floortwin check` after I1–I12: per (client, SKU,
 * lot) the units on the site's `TRANSIT:<site>` stock_quant rows equal the units of its outbound transfers despatched
 * and not yet confirmed received nor returned (dispatched − confirmed − returned, R76a); no other site's transit sits here, nothing in transit is
 * reserved.
 */
import type { Pool } from 'pg';
import type { CheckResult } from './check.pg.ts';
import { quoteIdent } from './pg-util.ts';

export const TRANSIT_CHECK_NAME = 'R76 units in transit = despatched − confirmed received (transfers between sites)';

/** Runs the transit check for one site of the store in `schema`. */
export async function checkTransit(pool: Pool, schema: string, siteId: string): Promise<CheckResult> {
  const table = (name: string): string => `${quoteIdent(schema)}.${name}`;
  const res = await pool.query<Record<string, unknown>>(
    `WITH sent AS (
       SELECT l.tenant_id, l.sku_id, l.lot, sum(l.qty)::bigint AS despatched_not_confirmed
         FROM ${table('transfer_lines')} l
         JOIN ${table('transfers')} t ON t.site_id = l.site_id AND t.direction = l.direction AND t.transfer_id = l.transfer_id
        WHERE t.site_id = $1 AND t.direction = 'out' AND t.status = 'despatched'
        GROUP BY 1, 2, 3
     ), transit AS (
       SELECT tenant_id, sku_id, lot, sum(on_hand)::bigint AS in_transit, sum(reserved)::bigint AS reserved
         FROM ${table('stock_quant')}
        WHERE site_id = $1 AND location_id = 'TRANSIT:' || $1
        GROUP BY 1, 2, 3
     )
     SELECT 'transit' AS what, tenant_id, sku_id, lot, COALESCE(x.in_transit, 0) AS in_transit,
            COALESCE(s.despatched_not_confirmed, 0) AS despatched_not_confirmed, COALESCE(x.reserved, 0) AS reserved
       FROM transit x FULL JOIN sent s USING (tenant_id, sku_id, lot)
      WHERE COALESCE(x.in_transit, 0) <> COALESCE(s.despatched_not_confirmed, 0) OR COALESCE(x.reserved, 0) <> 0
     UNION ALL
     SELECT 'foreign transit', tenant_id, sku_id, lot, on_hand, 0, reserved
       FROM ${table('stock_quant')}
      WHERE site_id = $1 AND location_id LIKE 'TRANSIT:%' AND location_id <> 'TRANSIT:' || $1`,
    [siteId],
  );
  return { name: TRANSIT_CHECK_NAME, ok: res.rows.length === 0, violations: res.rows.length, sample: res.rows.slice(0, 10) };
}
