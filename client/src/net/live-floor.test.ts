/** Pause and resume over a fake connect: a socket handed over serves the first connection only. */
import { describe, expect, it } from 'vitest';
import type { FloorConnectionOptions, FloorSocket } from './floor-socket.ts';
import { FloorStore } from './floor-store.ts';
import { connectLiveFloor } from './live-floor.ts';

describe('connectLiveFloor', () => {
  it('uses a handed-over socket for the first connection, and its own after a pause (that one is closed)', () => {
    const calls: FloorConnectionOptions[] = [];
    let closes = 0;
    const early = { id: 'early' } as unknown as FloorSocket;
    const live = connectLiveFloor(new FloorStore(), 's1', {
      socket: early,
      joinTimeoutMs: 5,
      connect: (_store, _siteId, options) => {
        calls.push(options);
        return { close: () => closes++ };
      },
    });
    live.pause();
    expect(live.paused).toBe(true);
    live.resume();
    expect(calls).toHaveLength(2);
    expect(calls[0]?.socket).toBe(early);
    expect(calls[1]?.socket).toBeUndefined();
    expect(calls[1]?.joinTimeoutMs).toBe(5);
    live.close();
    expect(closes).toBe(2);
  });
});
