/**
 * The handheld's picking requests over Socket.IO (`picker:signOn`, `picker:signOff`, `picker:next`, `picker:scan`,
 * and `picker:position` when the device knows where it is),
 * each with an ack timeout. A request that cannot be delivered (offline, no ack in time) resolves with an OFFLINE or
 * TIMEOUT failure instead of throwing, so callers handle one result shape. `scanSender` adapts `picker:scan` to the
 * scan queue, telling "the server answered" from "it could not be reached".
 * While a site moves to another server (its owner died; issue 10) or a gateway drains, the server answers SITE_MOVING
 * or UNAVAILABLE: sign-on, sign-off and next are asked again with a back-off for a while, so a reconnecting handheld
 * resumes by itself; a scan is answered as it is and stays in the scan queue, which resends it with the same scanId.
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

/** Answers that mean "ask the same again shortly": the site has no owner for a moment, or the gateway is draining. */
const ASK_AGAIN = new Set(['SITE_MOVING', 'UNAVAILABLE']);

/** How long requests are asked again after SITE_MOVING / UNAVAILABLE: doubling delays, up to a total budget. */
export interface AskAgainPolicy {
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** After this long the last refusal is returned (a takeover is a lease TTL plus a replay: seconds). */
  readonly giveUpAfterMs: number;
}

const DEFAULT_ASK_AGAIN: AskAgainPolicy = { firstDelayMs: 250, maxDelayMs: 2_000, giveUpAfterMs: 20_000 };

/** Typed picking requests over `socket`. */
export class PickingClient {
  constructor(
    readonly socket: PickerSocket,
    private readonly ackTimeoutMs = 8_000,
    private readonly askAgain: AskAgainPolicy = DEFAULT_ASK_AGAIN,
  ) {}

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Signing on again resumes the operative's session, so asking again is safe. */
  signOn(request: SignOnRequest): Promise<SignOnResult> {
    return this.requestAskingAgain('picker:signOn', request);
  }

  signOff(request: SignOffRequest): Promise<SignOffResult> {
    return this.requestAskingAgain('picker:signOff', request);
  }

  next(request: NextPickRequest): Promise<NextPickResult> {
    return this.requestAskingAgain('picker:next', request);
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

  /** {@link request}, asked again after SITE_MOVING / UNAVAILABLE while connected, within the policy's budget. */
  private async requestAskingAgain<R extends { readonly ok: boolean }>(event: 'picker:signOn' | 'picker:signOff' | 'picker:next', payload: unknown): Promise<R | PickingFailure> {
    const giveUpAt = Date.now() + this.askAgain.giveUpAfterMs;
    let delayMs = this.askAgain.firstDelayMs;
    for (;;) {
      const result = await this.request<R>(event, payload);
      const again = !result.ok && ASK_AGAIN.has((result as PickingFailure).error.code);
      if (!again || !this.socket.connected || Date.now() + delayMs > giveUpAt) return result;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(this.askAgain.maxDelayMs, delayMs * 2);
    }
  }

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
