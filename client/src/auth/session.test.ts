import { afterEach, describe, expect, it, vi } from 'vitest';
import { redirectToSignIn, resetRedirectForTests, watchSocketAuth, type AuthWatchedSocket, type PageLocation } from './session.ts';

afterEach(() => {
  resetRedirectForTests();
  vi.useRealTimers();
});

/** A location that records where the page was sent. */
function pageAt(pathname: string, search = ''): PageLocation & { readonly sent: string[] } {
  const sent: string[] = [];
  return { pathname, search, sent, assign: (url) => void sent.push(url) };
}

describe('redirectToSignIn', () => {
  it('sends the page to /signin with itself as next, once', () => {
    const page = pageAt('/picker', '?site=main');
    expect(redirectToSignIn(page)).toBe(true);
    expect(redirectToSignIn(page)).toBe(false);
    expect(page.sent).toEqual(['/signin?next=%2Fpicker%3Fsite%3Dmain']);
  });

  it('never redirects the sign-in page to itself, nor outside a browser', () => {
    const page = pageAt('/signin', '?next=%2Fpack');
    expect(redirectToSignIn(page)).toBe(false);
    expect(page.sent).toEqual([]);
    expect(redirectToSignIn(null)).toBe(false);
  });
});

/** A socket that lets the test raise `connect_error` and see reconnect attempts. */
class FakeSocket implements AuthWatchedSocket {
  active = false;
  connects = 0;
  private listener: ((error: Error) => void) | null = null;
  on(_event: 'connect_error', listener: (error: Error) => void): this {
    this.listener = listener;
    return this;
  }
  connect(): this {
    this.connects++;
    return this;
  }
  refuse(message: string): void {
    this.listener?.(new Error(message));
  }
}

describe('watchSocketAuth', () => {
  it('goes to sign in on UNAUTHENTICATED', () => {
    const socket = new FakeSocket();
    let signIns = 0;
    watchSocketAuth(socket, { onUnauthenticated: () => signIns++ });
    socket.refuse('UNAUTHENTICATED');
    expect(signIns).toBe(1);
    expect(socket.connects).toBe(0);
  });

  it('connects again later while the server is starting (UNAVAILABLE), and ignores other errors', () => {
    vi.useFakeTimers();
    const socket = new FakeSocket();
    let signIns = 0;
    watchSocketAuth(socket, { retryMs: 1_000, onUnauthenticated: () => signIns++ });
    socket.refuse('UNAVAILABLE');
    expect(socket.connects).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(socket.connects).toBe(1);
    socket.refuse('websocket error');
    vi.advanceTimersByTime(5_000);
    expect(socket.connects).toBe(1);
    expect(signIns).toBe(0);
  });
});
