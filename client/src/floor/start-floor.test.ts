/**
 * The start sequence with fake fetches and a fake socket whose promises the test settles by hand: what starts before
 * what, and that the socket's answer is let in only after the layout is in the store.
 */
import { describe, expect, it } from 'vitest';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import type { SiteSummary } from '../net/api.ts';
import type { LiveFloor } from '../net/live-floor.ts';
import { startFloor, type FloorStartDeps } from './start-floor.ts';

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const layoutOf = (siteId: string): LayoutView => ({
  siteId, layoutId: `${siteId}-l`, ids: ['a'], x: [0], y: [0], z: [0], w: [1], d: [1], h: [1], segments: [],
  depot: { x: 0, y: 0 }, bounds: { minX: 0, minY: 0, maxX: 1, maxY: 1 },
});

/** Fakes recording every step in `log`; the list and each layout answer when the test says so. */
function fakes() {
  const log: string[] = [];
  const sites = deferred<SiteSummary[]>();
  const layouts = new Map<string, Deferred<LayoutView>>();
  const closed: string[] = [];
  const readies = new Map<string, Promise<void>>();
  const deps: FloorStartDeps<{ close(): void }> = {
    openSocket: () => {
      log.push('socket');
      return { close: () => closed.push('early socket') };
    },
    fetchSites: () => {
      log.push('sites');
      return sites.promise;
    },
    fetchLayout: (siteId) => {
      log.push(`layout ${siteId}`);
      const d = deferred<LayoutView>();
      layouts.set(siteId, d);
      return d.promise;
    },
    connect: (siteId, layoutReady, socket) => {
      log.push(`connect ${siteId}${socket === null ? '' : ' on the early socket'}`);
      readies.set(siteId, layoutReady);
      void layoutReady.then(() => log.push(`ready ${siteId}`));
      // Closing the floor closes the socket it was handed.
      const live: LiveFloor = { paused: false, pause: () => undefined, resume: () => undefined, close: () => closed.push(socket === null ? siteId : `${siteId} + early socket`) };
      return live;
    },
    setLayout: (layout) => log.push(`setLayout ${layout.siteId}`),
  };
  const layout = (siteId: string): Deferred<LayoutView> => {
    const d = layouts.get(siteId);
    if (d === undefined) throw new Error(`no layout requested for ${siteId}`);
    return d;
  };
  return { log, sites, layout, closed, readies, deps };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('startFloor', () => {
  it('with ?site= starts the list, the layout and the socket at once, and lets the answer in after setLayout', async () => {
    const f = fakes();
    const started = startFloor('s2', f.deps, new AbortController().signal);
    expect(f.log).toEqual(['sites', 'socket', 'layout s2', 'connect s2 on the early socket']);
    f.layout('s2').resolve(layoutOf('s2'));
    await flush();
    // The layout is in hand, but the list has not answered: nothing is applied yet.
    expect(f.log).toHaveLength(4);
    f.sites.resolve([{ id: 's1', name: 'One' }, { id: 's2', name: 'Two' }]);
    const result = await started;
    await flush();
    expect(result?.site).toEqual({ id: 's2', name: 'Two' });
    expect(f.log.slice(4)).toEqual(['setLayout s2', 'ready s2']);
    expect(f.closed).toEqual([]);
  });

  it('without ?site= opens the socket beside the list, then starts the layout and joins the first site', async () => {
    const f = fakes();
    const started = startFloor(null, f.deps, new AbortController().signal);
    expect(f.log).toEqual(['sites', 'socket']);
    f.sites.resolve([{ id: 's1', name: 'One' }]);
    await flush();
    expect(f.log).toEqual(['sites', 'socket', 'layout s1', 'connect s1 on the early socket']);
    f.layout('s1').resolve(layoutOf('s1'));
    expect((await started)?.site.id).toBe('s1');
    await flush();
    expect(f.log.slice(4)).toEqual(['setLayout s1', 'ready s1']);
  });

  it('falls back to the first site when ?site= names one the server does not host, closing the early socket', async () => {
    const f = fakes();
    const started = startFloor('nope', f.deps, new AbortController().signal);
    f.layout('nope').reject(new Error('/api/sites/nope/layout: HTTP 404'));
    f.sites.resolve([{ id: 's1', name: 'One' }]);
    await flush();
    expect(f.closed).toEqual(['nope + early socket']);
    // The early socket went with the guess: the first site's floor opens its own.
    expect(f.log).toContain('connect s1');
    f.layout('s1').resolve(layoutOf('s1'));
    expect((await started)?.site.id).toBe('s1');
    expect(f.log).not.toContain('setLayout nope');
  });

  it('a failed layout closes the socket and is the error shown; the socket never gets its answer in', async () => {
    const f = fakes();
    const started = startFloor('s1', f.deps, new AbortController().signal);
    f.sites.resolve([{ id: 's1', name: 'One' }]);
    f.layout('s1').reject(new Error('/api/sites/s1/layout: malformed layout'));
    await expect(started).rejects.toThrow('malformed layout');
    await flush();
    expect(f.closed).toEqual(['s1 + early socket']);
    expect(f.log).not.toContain('ready s1');
  });

  it('says so when the server hosts no site', async () => {
    const f = fakes();
    const started = startFloor(null, f.deps, new AbortController().signal);
    f.sites.resolve([]);
    await expect(started).rejects.toThrow('hosts no sites');
    expect(f.closed).toEqual(['early socket']);
  });

  it('closes the early socket when the site list fails', async () => {
    const f = fakes();
    const started = startFloor(null, f.deps, new AbortController().signal);
    f.sites.reject(new Error('/api/sites: HTTP 503'));
    await expect(started).rejects.toThrow('HTTP 503');
    expect(f.closed).toEqual(['early socket']);
  });

  it('aborted while the layout downloads: resolves null, closes the socket, sets nothing', async () => {
    const f = fakes();
    const abort = new AbortController();
    const started = startFloor('s1', f.deps, abort.signal);
    f.sites.resolve([{ id: 's1', name: 'One' }]);
    await flush();
    abort.abort();
    f.layout('s1').resolve(layoutOf('s1'));
    expect(await started).toBeNull();
    expect(f.closed).toEqual(['s1 + early socket']);
    expect(f.log).not.toContain('setLayout s1');
  });
});
