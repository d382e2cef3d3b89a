/** The planner's view of the simulated shift (`GET/POST /api/sites/:site/shift`); shapes mirror server/api/shift.routes.ts. */

export interface ShiftResults {
  readonly ordersCreated: number;
  readonly ordersReleased: number;
  readonly ordersSkipped: number;
  readonly trips: number;
  readonly picksConfirmed: number;
  readonly shorts: number;
  readonly ordersPacked: number;
  readonly ordersDespatched: number;
  readonly stockReceipts: number;
}

export interface ShiftView {
  readonly siteId: string;
  readonly speed: number;
  readonly pickers: number;
  readonly ordersPerHour: number;
  readonly startedAt: string;
  readonly twinNow: string;
  readonly elapsedTwinMs: number;
  readonly results: ShiftResults;
}

/** The shift, or null when the site runs none (404 NO_SHIFT). */
export async function fetchShift(siteId: string, signal?: AbortSignal): Promise<ShiftView | null> {
  const res = await fetch(`/api/sites/${encodeURIComponent(siteId)}/shift`, signal ? { signal } : {});
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`shift: HTTP ${res.status}`);
  return (await res.json()) as ShiftView;
}

export async function setShiftSpeed(siteId: string, speed: number): Promise<ShiftView> {
  const res = await fetch(`/api/sites/${encodeURIComponent(siteId)}/shift`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ speed }),
  });
  if (!res.ok) throw new Error(`shift speed: HTTP ${res.status}`);
  return (await res.json()) as ShiftView;
}
