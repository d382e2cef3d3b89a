/** KpiStore and connectKpis: first fetch, pushes from the floor socket, newer wins, other sites ignored, close. */
import { describe, expect, it } from 'vitest';
import type { KpiView } from '../../../server/protocol/kpis.ts';
import { connectKpis, KpiStore } from './kpi-store.ts';

const view = (siteId: string, at: number, seq = at): KpiView => ({
  siteId,
  at,
  seq,
  countingSince: 0,
  hours: [],
  totals: {
    ordersReceived: 0,
    ordersPicked: 0,
    ordersDespatched: 0,
    picks: 0,
    pickerHours: 0,
    picksPerPickerHour: null,
    leadTimeMedianMs: null,
    leadTimeP90Ms: null,
    scansAccepted: 0,
    scansRefused: 0,
    accuracy: null,
  },
  cutoff: { onTime: 0, late: 0, overdue: 0, atRisk: 0, open: 0, urgent: [] },
});

/** A fetch answering once with `body` and `status`, resolved when the test says. */
function deferredFetch(): { fetch: typeof fetch; answer: (status: number, body: unknown) => Promise<void>; urls: string[] } {
  const urls: string[] = [];
  let resolve: (response: Response) => void = () => undefined;
  const fetcher = ((url: string) => {
    urls.push(url);
    return new Promise<Response>((r) => (resolve = r));
  }) as typeof fetch;
  return {
    fetch: fetcher,
    urls,
    answer: async (status, body) => {
      resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
      // Let the response's body be read and the store told.
      for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    },
  };
}

describe('KpiStore', () => {
  it('notifies subscribers of newer views only', () => {
    const store = new KpiStore();
    let calls = 0;
    const unsubscribe = store.subscribe(() => calls++);
    expect(store.setView(view('s', 10))).toBe(true);
    expect(store.setView(view('s', 5))).toBe(false);
    expect(store.setView(view('s', 10))).toBe(false);
    expect(store.setView(view('s', 10, 11))).toBe(true);
    expect(calls).toBe(2);
    const snapshot = store.getSnapshot();
    expect(store.getSnapshot()).toBe(snapshot); // stable between changes (useSyncExternalStore)
    unsubscribe();
    store.setView(view('s', 20));
    expect(calls).toBe(2);
  });
});

describe('connectKpis', () => {
  it('fetches the site\'s KPIs, then takes each site:kpis push; a late fetch does not overwrite a newer push', async () => {
    const store = new KpiStore();
    const http = deferredFetch();
    const connection = connectKpis(store, 'demo', { fetch: http.fetch });
    expect(http.urls).toEqual(['/api/sites/demo/kpis']);
    connection.onKpis(view('demo', 100));
    connection.onKpis(view('elsewhere', 200));
    expect(store.view?.at).toBe(100);
    await http.answer(200, view('demo', 50));
    expect(store.view?.at).toBe(100);
    connection.onKpis(view('demo', 102));
    expect(store.view?.at).toBe(102);
    connection.close();
    connection.onKpis(view('demo', 104));
    expect(store.view?.at).toBe(102);
  });

  it('keeps the error of a failed fetch until a view arrives', async () => {
    const store = new KpiStore();
    const http = deferredFetch();
    const connection = connectKpis(store, 'demo', { fetch: http.fetch });
    await http.answer(503, { error: { code: 'KPIS_UNAVAILABLE', message: 'not counted yet' } });
    expect(store.getSnapshot()).toEqual({ view: null, error: 'not counted yet' });
    connection.onKpis(view('demo', 1));
    expect(store.getSnapshot().error).toBeNull();
  });

  it('forgets another site\'s view when connecting', () => {
    const store = new KpiStore();
    store.setView(view('old', 1));
    connectKpis(store, 'new', { fetch: deferredFetch().fetch });
    expect(store.view).toBeNull();
  });
});
