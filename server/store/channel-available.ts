/**
 * What a sales channel may sell of a (tenant, SKU), read from the projections: Σ (on_hand − reserved) over the layout
 * bins, less the units on hold (R39). Stock on the dock awaiting put-away (R44) and on the returns desk (R51) is not
 * sellable, nor are units committed to a transfer to another site not yet despatched (R71: `transfer_lines` of a
 * `created` outbound transfer; once despatched they are in transit, R73). It is the twin's `availableOf` except for
 * units committed to an open move task (R57): they are moving between bins inside the site and stay sellable, and move
 * tasks have no projection. One SQL for the relay that pushes the figure and for `check` (I10) that compares channels
 * with it.
 */
import { quoteIdent } from './pg-util.ts';

/** Physical places outside the layout bins: the dock (R44), the returns desk (R51), in transit to another site (R73). */
const NOT_SELLABLE_PREFIXES = ['DOCK:', 'RETURNS:', 'TRANSIT:'] as const;

/** True when units on hand at a physical location count towards what a channel may sell (the SQL below uses the same rule). */
export const isSellableLocation = (locationId: string): boolean => !NOT_SELLABLE_PREFIXES.some((prefix) => locationId.startsWith(prefix));

const NOT_SELLABLE = (column: string): string => NOT_SELLABLE_PREFIXES.map((prefix) => `${column} NOT LIKE '${prefix}%'`).join(' AND ');

/**
 * `SELECT tenant_id, sku_id, available` for the site `$1`; with `oneSku`, only the (tenant `$2`, SKU `$3`) row (no
 * row when it holds nothing).
 */
export function channelAvailableSql(schema: string, oneSku: boolean): string {
  const s = quoteIdent(schema);
  const quantFilter = oneSku ? 'AND tenant_id = $2 AND sku_id = $3' : '';
  const holdFilter = oneSku ? `AND l->>'tenantId' = $2 AND l->>'skuId' = $3` : '';
  const transferFilter = oneSku ? 'AND l.tenant_id = $2 AND l.sku_id = $3' : '';
  return `
    WITH free AS (
      SELECT tenant_id, sku_id, sum(on_hand - reserved) AS units FROM ${s}.stock_quant
       WHERE site_id = $1 AND ${NOT_SELLABLE('location_id')} ${quantFilter}
       GROUP BY 1, 2
    ), held AS (
      SELECT l->>'tenantId' AS tenant_id, l->>'skuId' AS sku_id, sum((l->>'qty')::int) AS units
        FROM ${s}.stock_holds h CROSS JOIN LATERAL jsonb_array_elements(h.lines) l
       WHERE h.site_id = $1 AND h.released_seq IS NULL AND ${NOT_SELLABLE(`(l->>'locationId')`)} ${holdFilter}
       GROUP BY 1, 2
    ), transferring AS (
      SELECT l.tenant_id, l.sku_id, sum(l.qty) AS units
        FROM ${s}.transfer_lines l
        JOIN ${s}.transfers t ON t.site_id = l.site_id AND t.direction = l.direction AND t.transfer_id = l.transfer_id
       WHERE t.site_id = $1 AND t.direction = 'out' AND t.status = 'created' ${transferFilter}
       GROUP BY 1, 2
    )
    SELECT f.tenant_id, f.sku_id, GREATEST(f.units - COALESCE(h.units, 0) - COALESCE(x.units, 0), 0)::int AS available
      FROM free f LEFT JOIN held h USING (tenant_id, sku_id) LEFT JOIN transferring x USING (tenant_id, sku_id)`;
}
