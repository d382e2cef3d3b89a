/**
 * After a run: are the orders the history says were created on the server, exactly once (I11, I8 in
 * reliability.md §1.4)? `reconcileOrders` is the pure comparison; `fetchRunOrders` reads the server's orders API.
 */
import { errorCodeOf, type KeepAliveClient } from '../../server/api/reliability/http-client.ts';
import type { OpRecord } from './history.ts';

/** An order as the server lists it (only what the check needs). */
export interface ServerOrder {
  readonly id: string;
  readonly externalRef: string | null;
}

/** A problem found for one order of the run. */
export interface OrderProblem {
  readonly externalRef: string;
  /** The id the server acknowledged (lost) or the ids found (duplicate, unexpected). */
  readonly orderIds: readonly string[];
}

export interface OrderCheck {
  /** Orders acknowledged (201) in the history. */
  readonly acknowledged: number;
  /** Acknowledged, but not on the server. */
  readonly lost: readonly OrderProblem[];
  /** More than one order on the server for one request (one externalRef). */
  readonly duplicates: readonly OrderProblem[];
  /** On the server although the request was refused, or never sent at all. */
  readonly unexpected: readonly OrderProblem[];
  /** Indeterminate requests (no definite answer after every retry) and how many of them took effect. */
  readonly indeterminate: number;
  readonly indeterminateApplied: number;
  /** Acknowledged with an id other than the one stored under its externalRef. */
  readonly mismatched: readonly OrderProblem[];
}

const byRef = (a: OrderProblem, b: OrderProblem): number => (a.externalRef < b.externalRef ? -1 : a.externalRef > b.externalRef ? 1 : 0);

/**
 * Compares the order operations of a history with the server's orders whose externalRef starts with `prefix` (the
 * run's). Every `ok` must be there once under the id it was acknowledged with; every `fail` must have left nothing;
 * every `info` may have left at most one; nothing else may carry the prefix.
 */
export function reconcileOrders(ops: readonly OpRecord[], found: readonly ServerOrder[], prefix: string): OrderCheck {
  const onServer = new Map<string, string[]>();
  for (const order of found) {
    if (order.externalRef === null || !order.externalRef.startsWith(prefix)) continue;
    const ids = onServer.get(order.externalRef) ?? [];
    ids.push(order.id);
    onServer.set(order.externalRef, ids);
  }
  const lost: OrderProblem[] = [];
  const duplicates: OrderProblem[] = [];
  const unexpected: OrderProblem[] = [];
  const mismatched: OrderProblem[] = [];
  const invoked = new Set<string>();
  let acknowledged = 0;
  let indeterminate = 0;
  let indeterminateApplied = 0;
  for (const op of ops) {
    if (op.kind !== 'order') continue;
    const externalRef = op.ids['externalRef'];
    if (externalRef === undefined) continue;
    invoked.add(externalRef);
    const ids = onServer.get(externalRef) ?? [];
    if (ids.length > 1) duplicates.push({ externalRef, orderIds: [...ids].sort() });
    if (op.outcome === 'ok') {
      acknowledged++;
      const ackedId = op.ids['orderId'] ?? '';
      if (ids.length === 0) lost.push({ externalRef, orderIds: [ackedId] });
      else if (!ids.includes(ackedId)) mismatched.push({ externalRef, orderIds: [ackedId, ...ids] });
    } else if (op.outcome === 'fail') {
      if (ids.length > 0) unexpected.push({ externalRef, orderIds: ids });
    } else {
      indeterminate++;
      if (ids.length > 0) indeterminateApplied++;
    }
  }
  for (const [externalRef, ids] of onServer) if (!invoked.has(externalRef)) unexpected.push({ externalRef, orderIds: ids });
  return {
    acknowledged,
    lost: lost.sort(byRef),
    duplicates: duplicates.sort(byRef),
    unexpected: unexpected.sort(byRef),
    indeterminate,
    indeterminateApplied,
    mismatched: mismatched.sort(byRef),
  };
}

/** Page size of the orders list (the API's maximum). */
const PAGE = 1000;

/**
 * Every order of the site whose externalRef starts with `prefix`, read page by page from `GET /orders` (call it when
 * the run is over: paging a list that grows could skip or repeat rows).
 */
export async function fetchRunOrders(client: KeepAliveClient, siteBase: string, prefix: string): Promise<ServerOrder[]> {
  const orders: ServerOrder[] = [];
  // By id: if the list shifted between pages, a repeated row must not look like a duplicate order.
  const seen = new Set<string>();
  for (let offset = 0; ; offset += PAGE) {
    const res = await client.request({ method: 'GET', url: `${siteBase}/orders?limit=${PAGE}&offset=${offset}` });
    if (res.status !== 200) throw new Error(`GET orders answered ${res.status} ${errorCodeOf(res.json) ?? res.text.slice(0, 200)}`);
    const page = res.json as { total: number; orders: { id: string; externalRef: string | null }[] };
    for (const order of page.orders) {
      if (!order.externalRef?.startsWith(prefix) || seen.has(order.id)) continue;
      seen.add(order.id);
      orders.push({ id: order.id, externalRef: order.externalRef });
    }
    if (offset + PAGE >= page.total || page.orders.length === 0) return orders;
  }
}

/**
 * Confirms each lost order by id (`GET /orders/:id` must be 404), so a paging slip cannot pass for a lost write;
 * returns the ones really missing.
 */
export async function confirmLost(client: KeepAliveClient, siteBase: string, lost: readonly OrderProblem[]): Promise<OrderProblem[]> {
  const missing: OrderProblem[] = [];
  for (const problem of lost) {
    const id = problem.orderIds[0] ?? '';
    const res = await client.request({ method: 'GET', url: `${siteBase}/orders/${encodeURIComponent(id)}` });
    if (res.status === 404) missing.push(problem);
    else if (res.status !== 200) throw new Error(`GET order ${id} answered ${res.status}`);
  }
  return missing;
}
