/**
 * The live floor connection with a pause: time travel pauses it (the socket is closed, so no live diff lands on a
 * replayed floor) and resumes it with a fresh snapshot. Wraps `connectFloor` without changing it.
 */
import { connectFloor, type FloorConnection, type FloorConnectionOptions } from './floor-socket.ts';
import type { FloorStore } from './floor-store.ts';

/** A live connection that can be paused and resumed; `close` ends it for good. */
export interface LiveFloor extends FloorConnection {
  readonly paused: boolean;
  /** Stops applying live diffs (leaves the room). Idempotent. */
  pause(): void;
  /** Re-joins the live stream and asks for a fresh snapshot (whatever the store holds now). Idempotent. */
  resume(): void;
}

/** Options of `connectLiveFloor`: those of `connectFloor`, and the connect function (tests pass a fake). */
export interface LiveFloorOptions extends FloorConnectionOptions {
  readonly connect?: (store: FloorStore, siteId: string, options: FloorConnectionOptions) => FloorConnection;
}

/** Connects `store` to the live floor of `siteId`, as `connectFloor` does, with pause and resume. */
export function connectLiveFloor(store: FloorStore, siteId: string, options: LiveFloorOptions = {}): LiveFloor {
  // A socket handed over is for the first connection only: `close` closes it, so a resume opens its own.
  const { connect = connectFloor, socket, ...connectionOptions } = options;
  let connection: FloorConnection | null = connect(store, siteId, socket === undefined ? connectionOptions : { ...connectionOptions, socket });
  let closed = false;
  return {
    get paused() {
      return connection === null && !closed;
    },
    pause() {
      if (connection === null) return;
      connection.close();
      connection = null;
      store.setStatus('replay', 'live updates paused while the timeline replays');
    },
    resume() {
      if (closed || connection !== null) return;
      // The store holds a replayed past: forget its seq so the join asks for a snapshot, not a catch-up from there.
      store.seq = null;
      store.lastAt = -Infinity;
      connection = connect(store, siteId, connectionOptions);
    },
    close() {
      closed = true;
      connection?.close();
      connection = null;
    },
  };
}
