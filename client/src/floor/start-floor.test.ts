/**
 * The start sequence with fake fetches and a fake socket whose promises the test settles by hand: what starts before
 * what, and that the socket's answer is let in only after the layout is in the store.
 */
import { describe, expect, it } from 'vitest';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import type { SiteSummary } from '../net/api.ts';
import type { LiveFloor } from '../net/live-floor.ts';
import { beginEarlyFloorStart, keepEarlyFloorStart, startFloor, type EarlyStartIo, type FloorStartDeps } from './start-floor.ts';

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

/** The entry's early I/O: each call logged as `early …`, answered when the test says so. */
function earlyFakes(log: string[]) {
  const sites = deferred<SiteSummary[]>();
  const layouts = new Map<string, Deferred<LayoutView>>();
  const socket = deferred<{ close(): void }>();
  const closed: string[] = [];
  const io: EarlyStartIo<{ close(): void }> = {
    fetchSites: () => {
      log.push('early sites');
      return sites.promise;
    },
    fetchLayout: (siteId) => {
      log.push(`early layout ${siteId}`);
      const d = deferred<LayoutView>();
      layouts.set(siteId, d);
      return d.promise;
    },
    openSocket: () => {
      log.push('early socket');
      return socket.promise;
    },
  };
  const layout = (siteId: string): Deferred<LayoutView> => {
    const d = layouts.get(siteId);
    if (d === undefined) throw new Error(`no early layout for ${siteId}`);
    return d;
  };
  const openSocket = (): void => socket.resolve({ close: () => closed.push('entry socket') });
  return { io, sites, layout, openSocket, closed };
}

describe('beginEarlyFloorStart (the entry begins the I/O before the floor view exists)', () => {
  it('without ?site= begins the list and the socket at once and the first site\'s layout as soon as the list is in', async () => {
    const log: string[] = [];
    const e = earlyFakes(log);
    beginEarlyFloorStart(null, e.io);
    expect(log).toEqual(['early sites', 'early socket']);
    e.sites.resolve([{ id: 's1', name: 'One' }, { id: 's2', name: 'Two' }]);
    await flush();
    expect(log).toEqual(['early sites', 'early socket', 'early layout s1']);
  });

  it('startFloor takes over the list, the layout and the open socket: nothing is fetched twice', async () => {
    const f = fakes();
    const e = earlyFakes(f.log);
    const early = beginEarlyFloorStart(null, e.io);
    e.openSocket();
    e.sites.resolve([{ id: 's1', name: 'One' }]);
    await flush();
    e.layout('s1').resolve(layoutOf('s1'));
    await flush();
    const started = await startFloor(null, f.deps, new AbortController().signal, early);
    await flush();
    expect(started?.site.id).toBe('s1');
    // No `sites`, `socket` or `layout s1` of the view's own: the entry's were used, and the socket handed to the floor.
    expect(f.log).toEqual(['early sites', 'early socket', 'early layout s1', 'connect s1 on the early socket', 'setLayout s1', 'ready s1']);
  });

  it('with ?site= begins that layout at once, and startFloor uses it', async () => {
    const f = fakes();
    const e = earlyFakes(f.log);
    const early = beginEarlyFloorStart('s2', e.io);
    expect(f.log).toEqual(['early sites', 'early layout s2', 'early socket']);
    const started = startFloor('s2', f.deps, new AbortController().signal, early);
    // The entry's socket has not opened yet: the view opens its own, and the entry's is closed once it opens.
    expect(f.log.slice(3)).toEqual(['socket', 'connect s2 on the early socket']);
    e.openSocket();
    e.sites.resolve([{ id: 's2', name: 'Two' }]);
    e.layout('s2').resolve(layoutOf('s2'));
    expect((await started)?.site.id).toBe('s2');
    await flush();
    expect(e.closed).toEqual(['entry socket']);
    expect(f.log).not.toContain('layout s2');
    expect(f.log).toContain('setLayout s2');
  });

  it('a failed early list is the error startFloor reports, and the socket handed over is closed', async () => {
    const f = fakes();
    const e = earlyFakes(f.log);
    const early = beginEarlyFloorStart(null, e.io);
    e.openSocket();
    await flush();
    const started = startFloor(null, f.deps, new AbortController().signal, early);
    e.sites.reject(new Error('/api/sites: HTTP 503'));
    await expect(started).rejects.toThrow('HTTP 503');
    expect(e.closed).toEqual(['entry socket']);
  });

  it('a retry after the first start fetches afresh (the early I/O is used once)', async () => {
    const f = fakes();
    const e = earlyFakes(f.log);
    const early = beginEarlyFloorStart(null, e.io);
    e.sites.resolve([{ id: 's1', name: 'One' }]);
    await flush();
    e.layout('s1').reject(new Error('/api/sites/s1/layout: HTTP 500'));
    await flush();
    await expect(startFloor(null, f.deps, new AbortController().signal, early)).rejects.toThrow('HTTP 500');
    const log = f.log.length;
    void startFloor(null, f.deps, new AbortController().signal, null);
    expect(f.log.slice(log)).toEqual(['sites', 'socket']);
  });

  it('the page keeps one early start for the first startFloor only; an unused or replaced one is closed', async () => {
    const f = fakes();
    const first = earlyFakes(f.log);
    keepEarlyFloorStart(beginEarlyFloorStart(null, first.io));
    first.openSocket();
    await flush();
    const second = earlyFakes(f.log);
    keepEarlyFloorStart(beginEarlyFloorStart(null, second.io));
    // The replaced one lets go of its socket.
    expect(first.closed).toEqual(['entry socket']);
    second.sites.resolve([{ id: 's1', name: 'One' }]);
    await flush();
    void startFloor(null, f.deps, new AbortController().signal);
    expect(f.log.filter((step) => step === 'sites')).toEqual([]);
    const log = f.log.length;
    void startFloor(null, f.deps, new AbortController().signal);
    expect(f.log.slice(log)).toEqual(['sites', 'socket']);
  });
});
