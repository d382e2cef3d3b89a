/**
 * Simulated handhelds on the picking gateway (server/realtime/picking-gateway.ts), speaking the handheld's protocol
 * (client/src/picker/picking-socket.ts): each signs on as its own operative, asks for work, and for each task scans
 * the location and the item (`picker:scan` confirm with a scanId unique to the run), at most one scan per
 * `scanIntervalMs`. The scan ack latency goes to a histogram; a scan without an ack is resent once with the same
 * scanId (the server applies it at most once).
 */
import { io, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import type { NextPickResult, NextPickView, ScanResult, SignOnResult } from '../../server/protocol/picking.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/protocol/socket.ts';
import type { HdrHistogram } from './hdr-histogram.ts';
import type { History, OpKind } from './history.ts';

type LoadSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface HandheldOptions {
  /** Server origin, `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Credential sent at the handshake as `auth: { token }`. */
  readonly token?: string;
  readonly siteId: string;
  readonly count: number;
  /** Operative and scan ids start with this (unique per run). */
  readonly prefix: string;
  /** Least time between two scans of one handheld, ms (L3: 1,000). */
  readonly scanIntervalMs: number;
  readonly ackTimeoutMs: number;
  /** Monotonic ms since the run started. */
  readonly now: () => number;
  /** True once the handhelds should sign off. */
  readonly stopped: () => boolean;
  readonly history: History;
  readonly latency: HdrHistogram;
  /** Scans sent before this time (ms since the run started) stay out of the histogram: the sign-on storm. */
  readonly recordFrom?: number;
}

export interface HandheldStats {
  readonly handhelds: number;
  /** Handhelds that connected and signed on. */
  readonly signedOn: number;
  readonly scansSent: number;
  readonly scansAcked: number;
  /** Scans the server refused (domain error): recorded nothing. */
  readonly scansRefused: number;
  /** Scans never acknowledged, even after the resend. */
  readonly scansLost: number;
  /** First sends the server answered as duplicates: a scan applied twice or a scanId reused. */
  readonly duplicateAcks: number;
}

/** Backoff of a handheld with no work between two `picker:next`, ms. */
const IDLE_MIN_MS = 500;
const IDLE_MAX_MS = 4_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

type Ack<R> = { readonly ok: true; readonly result: R } | { readonly ok: false };

/** Emits `event` and waits for its ack (or the timeout). */
function request<R>(socket: LoadSocket, event: 'picker:signOn' | 'picker:signOff' | 'picker:next' | 'picker:scan', payload: unknown, timeoutMs: number): Promise<Ack<R>> {
  if (!socket.connected) return Promise.resolve({ ok: false });
  return new Promise((resolve) => {
    (socket.timeout(timeoutMs) as unknown as { emit(e: string, p: unknown, ack: (err: Error | null, r: R) => void): void }).emit(event, payload, (err, result) =>
      resolve(err === null ? { ok: true, result } : { ok: false }),
    );
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
  // Starts spread over one interval (at least 10 ms apart) so 500 handhelds do not all sign on at once.
  await sleep(index * Math.max(10, options.scanIntervalMs / Math.max(1, options.count)));
  const socket = openSocket(options.origin, options.token);
  try {
    if (!(await connected(socket, 10_000))) {
      const op = history.invoke('signOn', now(), { operativeId });
      history.complete(op, now(), 'info', { code: 'CONNECT_TIMEOUT' });
      return;
    }
    const call = async <R extends { ok: boolean; error?: { code: string } }>(kind: OpKind, event: Parameters<typeof request>[1], payload: unknown, ids: Record<string, string>): Promise<R | null> => {
      const op = history.invoke(kind, now(), ids);
      op.tries++;
      const ack = await request<R>(socket, event, payload, options.ackTimeoutMs);
      if (!ack.ok) history.complete(op, now(), 'info', { code: 'TIMEOUT' });
      else history.complete(op, now(), ack.result.ok ? 'ok' : 'fail', { code: ack.result.ok ? null : (ack.result.error?.code ?? 'UNKNOWN') });
      return ack.ok ? ack.result : null;
    };
    // Signing on again resumes the session, so a sign-on without an ack is simply retried.
    let signOn: SignOnResult | null = null;
    for (let attempt = 0; attempt < 3 && signOn === null && !options.stopped(); attempt++) {
      signOn = await call<SignOnResult>('signOn', 'picker:signOn', { ...base, deviceId }, { operativeId });
    }
    if (!signOn?.ok) return;
    counters.signedOn++;

    let view: NextPickView | null = null;
    let scanNo = 0;
    let nextScanAt = now();
    let idleMs = IDLE_MIN_MS;
    while (!options.stopped()) {
      if (view?.pick == null) {
        const next = await call<NextPickResult>('next', 'picker:next', { ...base, deviceId }, { operativeId });
        view = next?.ok ? next.next : null;
        if (view?.pick == null) {
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
      const pick = view.pick;
      if (pick === null) continue;
      const scanId = `${operativeId}-S${scanNo++}`;
      const scan = { ...base, deviceId, scanId, taskId: pick.taskId, kind: 'confirm', scannedLocation: pick.locationId, scannedItem: pick.barcode, qty: pick.qty };
      const op = history.invoke('scan', now(), { operativeId, taskId: pick.taskId, scanId });
      nextScanAt = op.start + options.scanIntervalMs;
      counters.scansSent++;
      let ack: Ack<ScanResult> = { ok: false };
      // One resend after a lost ack, with the same scanId: the server applies it at most once.
      for (let attempt = 0; attempt < 2 && !ack.ok; attempt++) {
        op.tries++;
        ack = await request<ScanResult>(socket, 'picker:scan', scan, options.ackTimeoutMs);
      }
      const end = now();
      if (!ack.ok) {
        counters.scansLost++;
        history.complete(op, end, 'info', { code: 'TIMEOUT' });
        view = null;
        continue;
      }
      if (op.start >= (options.recordFrom ?? 0)) options.latency.record(end - op.start);
      if (ack.result.ok) {
        counters.scansAcked++;
        if (ack.result.duplicate && op.tries === 1) counters.duplicateAcks++;
        history.complete(op, end, 'ok');
        view = ack.result.next;
      } else {
        counters.scansRefused++;
        history.complete(op, end, 'fail', { code: ack.result.error.code });
        view = null;
      }
    }
    await call('signOff', 'picker:signOff', { ...base, deviceId }, { operativeId });
  } finally {
    socket.close();
  }
}

/** Runs `count` handhelds until `stopped()`; resolves when all have signed off. */
export async function runHandhelds(options: HandheldOptions): Promise<HandheldStats> {
  const counters: Counters = { signedOn: 0, scansSent: 0, scansAcked: 0, scansRefused: 0, scansLost: 0, duplicateAcks: 0 };
  await Promise.all(Array.from({ length: options.count }, (_, i) => handheld(options, i, counters)));
  return { handhelds: options.count, ...counters };
}
