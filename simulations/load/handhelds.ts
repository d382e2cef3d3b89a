/**
 * Simulated handhelds on the picking gateway (server/realtime/picking-gateway.ts), speaking the handheld's protocol
 * (client/src/picker/picking-socket.ts): each signs on as its own operative, asks for work, and for each task scans
 * the location and the item (`picker:scan` confirm with a scanId unique to the run), at most one scan per
 * `scanIntervalMs`. The scan ack latency goes to a histogram; a scan without an ack, or refused as retryable
 * (SITE_MOVING: the site is moving to another server; UNAVAILABLE: the gateway is draining), is resent with the same
 * scanId — once by default, `scanTries` for more — and the server applies it at most once. With `failoverOrigins`, a
 * handheld whose connection drops and whose server refuses a new one connects to the next origin that accepts, signs
 * on again (which resumes its session) and carries on.
 */
import { io, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import type { NextPickResult, NextPickView, PickTaskView, ScanRequest, ScanResult, SignOffResult, SignOnResult } from '../../server/protocol/picking.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/protocol/socket.ts';
import type { HdrHistogram } from './hdr-histogram.ts';
import type { History, OpKind, OpRecord } from './history.ts';

type LoadSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface HandheldOptions {
  /** Server origin, `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /**
   * Further origins (other processes of a cluster). When the connection drops, a handheld connects again to the first
   * origin that accepts: the one it was on, then these in order, round and round with a back-off.
   */
  readonly failoverOrigins?: readonly string[];
  /** Credential sent at the handshake as `auth: { token }`. */
  readonly token?: string;
  readonly siteId: string;
  readonly count: number;
  /** Operative and scan ids start with this (unique per run). */
  readonly prefix: string;
  /** Least time between two scans of one handheld, ms (L3: 1,000). */
  readonly scanIntervalMs: number;
  readonly ackTimeoutMs: number;
  /** How long a handheld tries to connect at its start before it gives up, ms (default 10,000). */
  readonly connectTimeoutMs?: number;
  /**
   * Sends of one scan (same scanId) before it counts as lost: a lost ack or a retryable refusal is followed by a
   * resend (default 2: one resend; Infinity: until answered or stopped).
   */
  readonly scanTries?: number;
  /** Monotonic ms since the run started. */
  readonly now: () => number;
  /** True once the handhelds should sign off. */
  readonly stopped: () => boolean;
  readonly history: History;
  readonly latency: HdrHistogram;
  /** Scans sent before this time (ms since the run started) stay out of the histogram: the sign-on storm. */
  readonly recordFrom?: number;
  /** Told of every answer a handheld got (not of a timeout): to which operation (one per send), from which origin. */
  readonly onAnswer?: (answer: HandheldAnswer) => void;
}

/** One answer to a handheld's request; `at` is ms since the run started, like the history's times. */
export interface HandheldAnswer {
  readonly op: OpRecord;
  readonly origin: string;
  readonly at: number;
  readonly result: SignOnResult | NextPickResult | ScanResult | SignOffResult;
}

export interface HandheldStats {
  readonly handhelds: number;
  /** Handhelds that connected and signed on. */
  readonly signedOn: number;
  readonly scansSent: number;
  readonly scansAcked: number;
  /** Scans the server refused (domain error): recorded nothing. */
  readonly scansRefused: number;
  /** Scans never acknowledged after all their tries (no ack, or only retryable refusals). */
  readonly scansLost: number;
  /** First sends the server answered as duplicates: a scan applied twice or a scanId reused. */
  readonly duplicateAcks: number;
}

/** Backoff of a handheld with no work between two `picker:next`, ms. */
const IDLE_MIN_MS = 500;
const IDLE_MAX_MS = 4_000;
/** Backoff after a retryable refusal or an unanswered request, ms (a takeover is a lease TTL plus a replay). */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 1_000;
/** A connection attempt to one origin gives up after this long, ms. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Answers that mean "send the same request again shortly": nothing was recorded. */
const RETRYABLE = new Set(['SITE_MOVING', 'UNAVAILABLE']);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

type Ack<R> = { readonly ok: true; readonly result: R } | { readonly ok: false };
type PickingEvent = 'picker:signOn' | 'picker:signOff' | 'picker:next' | 'picker:scan';

/** Emits `event` and waits for its ack; no ack when the timeout passes or the connection drops first. */
function request<R>(socket: LoadSocket, event: PickingEvent, payload: unknown, timeoutMs: number): Promise<Ack<R>> {
  if (!socket.connected) return Promise.resolve({ ok: false });
  return new Promise((resolve) => {
    const dropped = (): void => resolve({ ok: false });
    socket.once('disconnect', dropped);
    (socket.timeout(timeoutMs) as unknown as { emit(e: string, p: unknown, ack: (err: Error | null, r: R) => void): void }).emit(event, payload, (err, result) => {
      socket.off('disconnect', dropped);
      resolve(err === null ? { ok: true, result } : { ok: false });
    });
  });
}

/** Opens one socket with its own engine (no multiplexing: each handheld is a separate connection). */
export function openSocket(origin: string, token?: string): LoadSocket {
  return io(origin, { path: '/socket.io', parser: msgpackParser, transports: ['websocket'], forceNew: true, reconnectionDelayMax: 2_000, ...(token === undefined ? {} : { auth: { token } }) });
}

/** Resolves when `socket` is connected, or false after `timeoutMs`. */
export function connected(socket: LoadSocket, timeoutMs: number): Promise<boolean> {
  if (socket.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * One handheld's connection to whichever origin accepts it. It does not reconnect by itself: `ready()` (re)connects,
 * trying the origin it was on first, then the others in order, round and round with a back-off, until one accepts.
 */
class HandheldLink {
  private socket: LoadSocket | null = null;
  private index = 0;
  private connecting: Promise<void> | null = null;
  private closed = false;
  /** Bumped on every new connection: a handheld signs on again over each. */
  generation = 0;

  constructor(
    private readonly origins: readonly string[],
    private readonly token: string | undefined,
  ) {}

  /** The origin of the current (or last) connection. */
  get origin(): string {
    return this.origins[this.index] ?? '';
  }

  /** True once connected to some origin; false if not within `timeoutMs` (the attempts go on meanwhile). */
  async ready(timeoutMs: number): Promise<boolean> {
    if (this.connected) return true;
    if (this.closed) return false;
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.connecting, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    return this.connected;
  }

  get connected(): boolean {
    return this.socket?.connected === true;
  }

  request<R>(event: PickingEvent, payload: unknown, timeoutMs: number): Promise<Ack<R>> {
    return this.socket === null ? Promise.resolve({ ok: false }) : request<R>(this.socket, event, payload, timeoutMs);
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
    this.socket = null;
  }

  private async connect(): Promise<void> {
    this.socket?.close();
    this.socket = null;
    for (let round = 0; !this.closed; round++) {
      for (let step = 0; step < this.origins.length && !this.closed; step++) {
        const index = (this.index + step) % this.origins.length;
        const socket = await this.attempt(this.origins[index] ?? '');
        if (socket === null) continue;
        if (this.closed) {
          socket.close();
          return;
        }
        this.socket = socket;
        this.index = index;
        this.generation++;
        return;
      }
      // Every origin refused: wait, with jitter so a fleet of handhelds does not come back in lockstep.
      await sleep(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** round) * (0.5 + Math.random()));
    }
  }

  /** One connection attempt without Socket.IO's own reconnection (this link decides where to go next). */
  private attempt(origin: string): Promise<LoadSocket | null> {
    const socket: LoadSocket = io(origin, {
      path: '/socket.io',
      parser: msgpackParser,
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: CONNECT_TIMEOUT_MS,
      ...(this.token === undefined ? {} : { auth: { token: this.token } }),
    });
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        socket.off('connect');
        socket.off('connect_error');
        if (!ok) socket.close();
        resolve(ok ? socket : null);
      };
      const timer = setTimeout(() => done(false), CONNECT_TIMEOUT_MS);
      socket.once('connect', () => done(true));
      socket.once('connect_error', () => done(false));
    });
  }
}

interface Counters {
  signedOn: number;
  scansSent: number;
  scansAcked: number;
  scansRefused: number;
  scansLost: number;
  duplicateAcks: number;
}

/** One handheld's shift: sign on, pick until stopped, sign off. */
async function handheld(options: HandheldOptions, index: number, counters: Counters): Promise<void> {
  const { history, now } = options;
  const operativeId = `${options.prefix}-H${index}`;
  const deviceId = `${operativeId}-dev`;
  const base = { siteId: options.siteId, operativeId };
  const scanTries = options.scanTries ?? 2;
  // Starts spread over one interval (at least 10 ms apart) so 500 handhelds do not all sign on at once.
  await sleep(index * Math.max(10, options.scanIntervalMs / Math.max(1, options.count)));
  const link = new HandheldLink([options.origin, ...(options.failoverOrigins ?? [])], options.token);
  try {
    if (!(await link.ready(options.connectTimeoutMs ?? 10_000))) {
      const op = history.invoke('signOn', now(), { operativeId });
      history.complete(op, now(), 'info', { code: 'CONNECT_TIMEOUT' });
      return;
    }
    /** Sends one request as a try of `op`; the ack, or null without one. */
    const send = async <R extends HandheldAnswer['result']>(op: OpRecord, event: PickingEvent, payload: unknown): Promise<R | null> => {
      op.tries++;
      const origin = link.origin;
      const ack = await link.request<R>(event, payload, options.ackTimeoutMs);
      if (ack.ok) options.onAnswer?.({ op, origin, at: now(), result: ack.result });
      return ack.ok ? ack.result : null;
    };
    const call = async <R extends HandheldAnswer['result']>(kind: OpKind, event: PickingEvent, payload: unknown, ids: Record<string, string>): Promise<R | null> => {
      const op = history.invoke(kind, now(), ids);
      const result = await send<R>(op, event, payload);
      if (result === null) history.complete(op, now(), 'info', { code: 'TIMEOUT' });
      else history.complete(op, now(), result.ok ? 'ok' : 'fail', { code: result.ok ? null : (result.error?.code ?? 'UNKNOWN') });
      return result;
    };

    // Signed on over the current connection (signing on again resumes the session, so retries are safe); the first
    // sign-on is tried 3 times, a later one (after a reconnect) until it is answered for good or the run stops.
    let signedOnOver = -1;
    let everSignedOn = false;
    const online = async (): Promise<boolean> => {
      let delayMs = RETRY_MIN_MS;
      for (let attempt = 0; !options.stopped() && (everSignedOn || attempt < 3); attempt++) {
        if (!(await link.ready(CONNECT_TIMEOUT_MS))) continue;
        if (signedOnOver === link.generation) return true;
        const generation = link.generation;
        const result = await call<SignOnResult>('signOn', 'picker:signOn', { ...base, deviceId }, { operativeId });
        if (result?.ok === true) {
          signedOnOver = generation;
          if (!everSignedOn) counters.signedOn++;
          everSignedOn = true;
          return true;
        }
        if (result !== null && !RETRYABLE.has(result.error.code)) return false;
        await sleep(delayMs);
        delayMs = Math.min(RETRY_MAX_MS, delayMs * 2);
      }
      return false;
    };
    if (!(await online())) return;

    let view: NextPickView | null = null;
    let scanNo = 0;
    let nextScanAt = now();
    let idleMs = IDLE_MIN_MS;
    let retryMs = RETRY_MIN_MS;
    while (!options.stopped()) {
      if (!(await online())) break;
      if (view?.pick == null) {
        const next = await call<NextPickResult>('next', 'picker:next', { ...base, deviceId }, { operativeId });
        if (next?.ok !== true) {
          // No answer, or a refusal (site moving, …): ask again shortly.
          await sleep(retryMs);
          retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
          continue;
        }
        retryMs = RETRY_MIN_MS;
        view = next.next;
        if (view.pick == null) {
          // Nothing released yet: ask again later, backing off so idle handhelds do not flood the site's queue.
          await sleep(idleMs);
          idleMs = Math.min(IDLE_MAX_MS, idleMs * 2);
          continue;
        }
        idleMs = IDLE_MIN_MS;
      }
      const wait = nextScanAt - now();
      if (wait > 0) await sleep(wait);
      if (options.stopped()) break;
      const pick: PickTaskView | null = view.pick;
      if (pick === null) continue;
      const scanId = `${operativeId}-S${scanNo++}`;
      const scan: ScanRequest = { ...base, deviceId, scanId, taskId: pick.taskId, kind: 'confirm', scannedLocation: pick.locationId, scannedItem: pick.barcode, qty: pick.qty };
      const op = history.invoke('scan', now(), { operativeId, taskId: pick.taskId, scanId });
      nextScanAt = op.start + options.scanIntervalMs;
      counters.scansSent++;
      // Resent with the same scanId after a lost ack or a retryable refusal: the server applies it at most once.
      let result: ScanResult | null = null;
      let unanswered = false;
      for (let attempt = 0; attempt < scanTries && !options.stopped(); attempt++) {
        if (attempt > 0 && result !== null) await sleep(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (attempt - 1)));
        if (!(await online())) break;
        result = await send<ScanResult>(op, 'picker:scan', scan);
        if (result === null) unanswered = true;
        else if (result.ok || !RETRYABLE.has(result.error.code)) break;
      }
      const end = now();
      if (result?.ok === true) {
        if (op.start >= (options.recordFrom ?? 0)) options.latency.record(end - op.start);
        counters.scansAcked++;
        if (result.duplicate && op.tries === 1) counters.duplicateAcks++;
        history.complete(op, end, 'ok');
        view = result.next;
      } else if (result !== null && !RETRYABLE.has(result.error.code)) {
        counters.scansRefused++;
        history.complete(op, end, 'fail', { code: result.error.code });
        view = null;
      } else {
        // Never acknowledged: indeterminate if a send went unanswered (it may have been applied), else refused.
        counters.scansLost++;
        history.complete(op, end, unanswered ? 'info' : 'fail', { code: unanswered ? 'TIMEOUT' : (result?.error.code ?? 'TIMEOUT') });
        view = null;
      }
    }
    if (link.connected) await call('signOff', 'picker:signOff', { ...base, deviceId }, { operativeId });
  } finally {
    link.close();
  }
}

/** Runs `count` handhelds until `stopped()`; resolves when all have signed off. */
export async function runHandhelds(options: HandheldOptions): Promise<HandheldStats> {
  const counters: Counters = { signedOn: 0, scansSent: 0, scansAcked: 0, scansRefused: 0, scansLost: 0, duplicateAcks: 0 };
  await Promise.all(Array.from({ length: options.count }, (_, i) => handheld(options, i, counters)));
  return { handhelds: options.count, ...counters };
}
