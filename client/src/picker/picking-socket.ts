/**
 * The handheld's picking requests over Socket.IO (`picker:signOn`, `picker:signOff`, `picker:next`, `picker:scan`,
 * and `picker:position` when the device knows where it is),
 * each with an ack timeout. A request that cannot be delivered (offline, no ack in time) resolves with an OFFLINE or
 * TIMEOUT failure instead of throwing, so callers handle one result shape. `scanSender` adapts `picker:scan` to the
 * scan queue, telling "the server answered" from "it could not be reached".
 */
import { io, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { watchSocketAuth } from '../auth/session.ts';
import type {
  NextPickRequest,
  NextPickResult,
  PickingFailure,
  ScanResult,
  SignOffRequest,
  SignOffResult,
  SignOnRequest,
  SignOnResult,
} from '../../../server/protocol/picking.ts';
import type { PositionReport, PositionResult } from '../../../server/protocol/positions.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../server/protocol/socket.ts';
import type { ScanSender } from './scan-queue.ts';

export type PickerSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Opens the handheld's one socket (shared with the route feed) at the page's origin. */
export function openPickerSocket(url = ''): PickerSocket {
  return watchSocketAuth(io(url, { path: '/socket.io', parser: msgpackParser, transports: ['websocket', 'polling'] }));
}

/** Failure codes made on this side: not connected, or no ack within the timeout. */
export type LocalFailureCode = 'OFFLINE' | 'TIMEOUT';

const localFailure = (code: LocalFailureCode, message: string): PickingFailure => ({ ok: false, error: { code, message } });

/** True for a failure made here (not an answer from the server). */
export const isLocalFailure = (result: { ok: boolean; error?: { code: string } }): boolean =>
  !result.ok && (result.error?.code === 'OFFLINE' || result.error?.code === 'TIMEOUT');

/** Typed picking requests over `socket`. */
export class PickingClient {
  constructor(
    readonly socket: PickerSocket,
    private readonly ackTimeoutMs = 8_000,
  ) {}

  get connected(): boolean {
    return this.socket.connected;
  }

  signOn(request: SignOnRequest): Promise<SignOnResult> {
    return this.request('picker:signOn', request);
  }

  signOff(request: SignOffRequest): Promise<SignOffResult> {
    return this.request('picker:signOff', request);
  }

  next(request: NextPickRequest): Promise<NextPickResult> {
    return this.request('picker:next', request);
  }

  /**
   * The picker's own position (volatile: the server applies the latest, acking a replaced one `applied: false`). Only
   * accepted after `signOn` over this socket; nothing is queued while offline, since a stale position is worthless.
   */
  position(report: PositionReport): Promise<PositionResult> {
    return this.request('picker:position', report);
  }

  /** The scan queue's sender: an answer (accepted or refused) vs a transport failure that keeps the scan queued. */
  readonly scanSender: ScanSender = {
    send: async (scan) => {
      const result: ScanResult = await this.request('picker:scan', scan);
      return isLocalFailure(result) ? { kind: 'failed', reason: result.ok ? '' : result.error.message } : { kind: 'answered', result };
    },
  };

  private request<R>(event: 'picker:signOn' | 'picker:signOff' | 'picker:next' | 'picker:scan' | 'picker:position', payload: unknown): Promise<R | PickingFailure> {
    if (!this.socket.connected) return Promise.resolve(localFailure('OFFLINE', 'not connected'));
    return new Promise((resolve) => {
      // The typed emit needs one event at a time; the five share the (request, ack) shape.
      (this.socket.timeout(this.ackTimeoutMs) as unknown as { emit(e: string, p: unknown, ack: (err: Error | null, r: R) => void): void }).emit(
        event,
        payload,
        (err, result) => resolve(err === null ? result : localFailure('TIMEOUT', `no answer to ${event} in ${this.ackTimeoutMs} ms`)),
      );
    });
  }
}
