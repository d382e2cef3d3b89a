/**
 * Test support for real-socket tests: start a floor server on port 0, connect typed msgpack clients, and wait for
 * events (never for fixed times; the timeout only turns a hang into a failure).
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import type { FloorDiff } from '../protocol/floor.ts';
import type { ClientToServerEvents, JoinResult, ServerToClientEvents } from '../protocol/socket.ts';
import { createSocketServer, type SocketServer, type SocketServerOptions } from './socket-server.ts';

/** The client end of the floor protocol. */
export type FloorClient = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

/** Guard against hangs only; tests wait for events. */
export const WAIT_MS = 5_000;

export interface RunningServer {
  readonly http: HttpServer;
  readonly server: SocketServer;
  readonly url: string;
}

/** An http server on a free port with the floor's Socket.IO server on it. */
export async function startServer(options: SocketServerOptions = {}): Promise<RunningServer> {
  const http = createServer();
  const server = await createSocketServer(http, options);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return { http, server, url: `http://127.0.0.1:${port}` };
}

/** A connected client using the msgpack parser over WebSocket. */
export async function connectClient(url: string): Promise<FloorClient> {
  const socket: FloorClient = connect(url, {
    parser: msgpackParser,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timed out')), WAIT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return socket;
}

/** Sends `site:join` and waits for the ack. */
export function join(socket: FloorClient, request: unknown): Promise<JoinResult> {
  return socket.timeout(WAIT_MS).emitWithAck('site:join', request);
}

/** Records every `site:diff` a client receives and lets a test wait until one matches. */
export class DiffRecorder {
  readonly diffs: FloorDiff[] = [];
  private readonly waiters: { match: (diff: FloorDiff) => boolean; resolve: (diff: FloorDiff) => void }[] = [];

  constructor(socket: FloorClient) {
    socket.on('site:diff', (diff) => {
      this.diffs.push(diff);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(diff)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(diff);
        }
      }
    });
  }

  /** Resolves with the first diff (already received or future) that matches. */
  waitFor(match: (diff: FloorDiff) => boolean, what = 'diff'): Promise<FloorDiff> {
    const seen = this.diffs.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (diff: FloorDiff) => {
          clearTimeout(timer);
          resolve(diff);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.diffs.map((d) => [d.fromSeq, d.toSeq]))}`));
      }, WAIT_MS);
      this.waiters.push(waiter);
    });
  }

  /** Waits for the diff that brings the client to `seq`. */
  reach(seq: number): Promise<FloorDiff> {
    return this.waitFor((diff) => diff.toSeq >= seq, `a diff reaching seq ${seq}`);
  }
}
