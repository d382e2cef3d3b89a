import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonCaller } from './json-call.ts';

class PageError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}
const call = jsonCaller(PageError);

afterEach(() => vi.unstubAllGlobals());

describe('jsonCaller', () => {
  it('sends JSON and answers the body', async () => {
    const fetch = vi.fn(() => Promise.resolve(new Response(JSON.stringify({ ok: 1 }), { status: 200 })));
    vi.stubGlobal('fetch', fetch);
    await expect(call('POST', '/api/x', { a: 1 })).resolves.toEqual({ ok: 1 });
    expect(fetch).toHaveBeenCalledWith('/api/x', expect.objectContaining({ method: 'POST', body: '{"a":1}' }));
  });

  it("throws the page's error with the server's code, message and details", async () => {
    const body = { error: { code: 'TASK_DONE', message: 'task T1 is done', details: { taskId: 'T1' } } };
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(JSON.stringify(body), { status: 409 })));
    const error = await call('GET', '/api/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PageError);
    expect(error).toMatchObject({ status: 409, code: 'TASK_DONE', message: 'task T1 is done', details: { taskId: 'T1' } });
  });

  it('names a failure without an error body by its status, and an unreachable server NETWORK', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response('oops', { status: 502 })));
    await expect(call('GET', '/api/x')).rejects.toMatchObject({ status: 502, code: 'HTTP_502' });
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('failed to fetch')));
    await expect(call('GET', '/api/x')).rejects.toMatchObject({ status: 0, code: 'NETWORK' });
  });

  it('passes a cancellation through as it is', async () => {
    const controller = new AbortController();
    controller.abort();
    const abort = new DOMException('aborted', 'AbortError');
    vi.stubGlobal('fetch', () => Promise.reject(abort));
    await expect(call('GET', '/api/x', undefined, controller.signal)).rejects.toBe(abort);
  });
});
