/**
 * The handheld's picking session, held outside React (React subscribes to an immutable snapshot): who is signed on,
 * the open picks as the server last reported them, the scan step (location, then item), the scan queue and the
 * message to show. Scans go through the {@link ScanQueue}, so a device that loses its connection keeps picking from
 * the tasks it holds and resends in order when it is back. On every (re)connect: sign on again (the server resumes),
 * flush the queue, then ask for the next pick.
 */
import type { NextPickView, PickTaskView, ScanRequest } from '../../../server/protocol/picking.ts';
import type { WireError } from '../../../server/protocol/socket.ts';
import type { PickingClient } from './picking-socket.ts';
import { ScanQueue, type QueueStorage, type ScanSettled } from './scan-queue.ts';

/** The subset of `localStorage` the session uses (tests pass a Map-backed one). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** localStorage keys. */
export const STORAGE_KEYS = {
  device: 'floortwin.picker.device',
  operative: 'floortwin.picker.operative',
  scans: 'floortwin.picker.scans',
  view: 'floortwin.picker.view',
} as const;

/** A line for the picker: `bad` needs their attention (nothing was recorded), `good` confirms, `info` informs. */
export interface PickerMessage {
  readonly tone: 'bad' | 'good' | 'info';
  readonly text: string;
  /** The server's or the handheld's error code, for tests and support. */
  readonly code: string | null;
}

/** Which scan the handheld waits for on the current pick. */
export type ScanStep = 'location' | 'item';

/** Immutable state for React; replaced on every change. */
export interface PickerSnapshot {
  readonly siteId: string | null;
  readonly deviceId: string;
  /** Signed on at this device (kept across reloads and while offline); null = show the sign-on form. */
  readonly operativeId: string | null;
  /** The server confirmed the sign-on on this connection. */
  readonly live: boolean;
  readonly connected: boolean;
  /** A sign-on, sign-off or next request is in flight. */
  readonly busy: boolean;
  /** The first open pick without a queued scan; null when there is none left here. */
  readonly current: PickTaskView | null;
  /** Open picks left here (without queued scans), including `current`. */
  readonly remaining: number;
  /** The server has answered `picker:next` at least once for this operative. */
  readonly loaded: boolean;
  readonly step: ScanStep;
  readonly scannedLocation: string | null;
  /** Scans waiting for an answer. */
  readonly pending: number;
  readonly message: PickerMessage | null;
}

export interface PickerSessionOptions {
  readonly client: PickingClient;
  /** null: nothing persists (storage disabled); the session still works for this page. */
  readonly storage: KeyValueStorage | null;
  /** A fresh unique id (device ids, scan ids). */
  readonly newId: () => string;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

/** Location codes are compared as labels print them: case and surrounding blanks do not matter. */
const sameLocation = (scanned: string, locationId: string): boolean => scanned.trim().toUpperCase() === locationId.trim().toUpperCase();

/** Scanners end a code with CR/LF or tab; GS1 group separators (\x1d) inside it are kept. */
export function cleanScan(raw: string): string {
  return raw.replace(/^[\s]+|[\s]+$/g, '');
}

const describeTask = (task: { qty: number; skuDescription: string }): string => `${task.qty} × ${task.skuDescription}`;

/** What to tell the picker when the server refused a scan (nothing was recorded). */
function refusalText(error: WireError, scan: ScanRequest, task: PickTaskView | undefined): string {
  const where = task?.locationId ?? scan.scannedLocation ?? 'this pick';
  switch (error.code) {
    case 'WRONG_ITEM_SCANNED':
      return `Wrong item at ${where}: scanned ${scan.scannedItem ?? '?'}. Nothing recorded — scan the item again.`;
    case 'WRONG_LOCATION_SCANNED':
      return `Wrong location: scanned ${scan.scannedLocation ?? '?'}, this pick is at ${where}. Nothing recorded.`;
    case 'TASK_DONE':
      return `The pick at ${where} was already done on another scan. Nothing recorded.`;
    case 'TASK_NOT_ASSIGNED':
      return `The pick at ${where} is no longer yours. Nothing recorded.`;
    case 'LOT_REQUIRED':
      return `Scan the lot for ${where} (GS1 with (10) lot). Nothing recorded.`;
    default:
      return `${error.message} (${error.code}). Nothing recorded.`;
  }
}

function storageAdapter(storage: KeyValueStorage | null, key: string): QueueStorage {
  return {
    read: () => storage?.getItem(key) ?? null,
    write: (value) => {
      if (storage === null) return;
      if (value === null) storage.removeItem(key);
      else storage.setItem(key, value);
    },
  };
}

/** See the module comment. */
export class PickerSession {
  readonly deviceId: string;
  readonly queue: ScanQueue;
  private readonly client: PickingClient;
  private readonly storage: KeyValueStorage | null;
  private readonly newId: () => string;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly listeners = new Set<() => void>();
  private siteId: string | null = null;
  private operativeId: string | null = null;
  private live = false;
  private busy = false;
  private view: NextPickView | null = null;
  private step: ScanStep = 'location';
  private scannedLocation: string | null = null;
  private message: PickerMessage | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelayMs: number;
  private closed = false;
  private snapshot: PickerSnapshot;
  private readonly offSocket: () => void;

  constructor(options: PickerSessionOptions) {
    this.client = options.client;
    this.storage = options.storage;
    this.newId = options.newId;
    this.retryMinMs = options.retryMinMs ?? 1_000;
    this.retryMaxMs = options.retryMaxMs ?? 15_000;
    this.retryDelayMs = this.retryMinMs;
    this.deviceId = this.read(STORAGE_KEYS.device) ?? this.newId();
    this.write(STORAGE_KEYS.device, this.deviceId);
    this.queue = new ScanQueue(storageAdapter(this.storage, STORAGE_KEYS.scans), this.client.scanSender);
    this.queue.subscribe(() => this.changed());
    this.queue.onSettled((settled) => this.settled(settled));
    const socket = this.client.socket;
    const onConnect = (): void => void this.resume();
    const onDisconnect = (): void => {
      this.live = false;
      this.clearRetry();
      this.changed();
    };
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    this.offSocket = () => {
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
    };
    this.snapshot = this.build();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getSnapshot(): PickerSnapshot {
    return this.snapshot;
  }

  /**
   * Starts the session on a site. `operativeId` (from the address) or the one signed on at this device last time is
   * signed on again; the tasks held before a reload are shown until the server answers.
   */
  start(siteId: string, operativeId: string | null): void {
    this.siteId = siteId;
    const stored = this.read(STORAGE_KEYS.operative);
    const who = operativeId ?? stored;
    if (who !== null) {
      this.operativeId = who;
      this.write(STORAGE_KEYS.operative, who);
      if (who === stored) this.view = this.readView(siteId, who);
    }
    this.changed();
    if (this.client.connected) void this.resume();
  }

  /** Signs `operativeId` on at this device (the server resumes an operative already signed on). */
  signOn(operativeId: string, name?: string): Promise<boolean> {
    if (this.busy) return Promise.resolve(false);
    return this.signOnNow(operativeId, name);
  }

  /** Sign-on without the busy gate: a reconnect must re-sign-on and flush even while another request is in flight. */
  private async signOnNow(operativeId: string, name?: string): Promise<boolean> {
    if (this.siteId === null) return false;
    this.busy = true;
    this.changed();
    const result = await this.client.signOn({
      siteId: this.siteId,
      operativeId,
      deviceId: this.deviceId,
      ...(name === undefined || name === '' ? {} : { name }),
    });
    this.busy = false;
    if (!result.ok) {
      this.say('bad', `Could not sign on: ${result.error.message}`, result.error.code);
      return false;
    }
    if (this.operativeId !== operativeId) {
      this.view = null;
      this.resetStep();
    }
    this.operativeId = operativeId;
    this.live = true;
    this.write(STORAGE_KEYS.operative, operativeId);
    this.message = null;
    this.changed();
    await this.flush();
    await this.refresh(true);
    return true;
  }

  /** Signs off; refused while scans wait to be sent (they belong to this operative's picks). */
  async signOff(): Promise<boolean> {
    const operativeId = this.operativeId;
    if (this.siteId === null || operativeId === null || this.busy) return false;
    if (this.queue.pending.length > 0) {
      this.say('bad', `${this.queue.pending.length} scan(s) still to send. Reconnect before signing off.`, 'SCANS_PENDING');
      return false;
    }
    this.busy = true;
    this.changed();
    const result = await this.client.signOff({ siteId: this.siteId, operativeId, deviceId: this.deviceId });
    this.busy = false;
    if (!result.ok && result.error.code !== 'OPERATIVE_NOT_SIGNED_ON') {
      this.say('bad', `Could not sign off: ${result.error.message}`, result.error.code);
      return false;
    }
    this.forget();
    this.say('info', `${operativeId} signed off.`, null);
    return true;
  }

  /** Asks the server for the open picks (and for work when there is none, if `askForWork`). */
  async refresh(askForWork = true): Promise<void> {
    const operativeId = this.operativeId;
    if (this.siteId === null || operativeId === null || !this.client.connected) return;
    this.busy = true;
    this.changed();
    const result = await this.client.next({ siteId: this.siteId, operativeId, deviceId: this.deviceId, askForWork });
    this.busy = false;
    if (this.operativeId !== operativeId) return this.changed();
    if (result.ok) {
      this.take(result.next);
    } else if (result.error.code === 'OPERATIVE_NOT_SIGNED_ON') {
      this.live = false;
      this.say('bad', 'You are not signed on any more. Sign on again.', result.error.code);
    } else {
      this.say('bad', `Could not load your picks: ${result.error.message}`, result.error.code);
    }
    this.changed();
  }

  /** A scanned (or typed) code for the current step: the location first, then the item. */
  scan(raw: string): void {
    const code = cleanScan(raw);
    if (code === '' || this.operativeId === null || this.siteId === null) return;
    const task = this.current();
    if (task === null) {
      this.say('info', 'No pick to scan for right now.', null);
      return;
    }
    if (this.step === 'location') {
      if (!sameLocation(code, task.locationId)) {
        this.say('bad', `Wrong location: scanned ${code}. Go to ${task.locationId}. Nothing recorded.`, 'WRONG_LOCATION_SCANNED');
        return;
      }
      this.step = 'item';
      this.scannedLocation = code;
      this.say('info', `Location ${task.locationId} OK — scan the item.`, null);
      return;
    }
    this.submit({
      siteId: this.siteId,
      operativeId: this.operativeId,
      deviceId: this.deviceId,
      scanId: this.newId(),
      taskId: task.taskId,
      kind: 'confirm',
      scannedLocation: this.scannedLocation ?? task.locationId,
      scannedItem: code,
      qty: task.qty,
    });
  }

  /** Records a short pick: only `foundQty` (0 … qty − 1) of the current pick were there. */
  short(foundQty: number): boolean {
    const task = this.current();
    if (task === null || this.operativeId === null || this.siteId === null) return false;
    if (!Number.isSafeInteger(foundQty) || foundQty < 0 || foundQty >= task.qty) {
      this.say('bad', `Found quantity must be a whole number from 0 to ${task.qty - 1}.`, 'INVALID_QUANTITY');
      return false;
    }
    this.submit({
      siteId: this.siteId,
      operativeId: this.operativeId,
      deviceId: this.deviceId,
      scanId: this.newId(),
      taskId: task.taskId,
      kind: 'short',
      ...(this.scannedLocation === null ? {} : { scannedLocation: this.scannedLocation }),
      foundQty,
    });
    return true;
  }

  /** Back to scanning the location of the current pick. */
  restartPick(): void {
    this.resetStep();
    this.message = null;
    this.changed();
  }

  dismissMessage(): void {
    this.message = null;
    this.changed();
  }

  close(): void {
    this.closed = true;
    this.clearRetry();
    this.offSocket();
    this.listeners.clear();
  }

  // ---- internals -------------------------------------------------------------------------------------------------

  private submit(scan: ScanRequest): void {
    if (!this.queue.enqueue(scan)) {
      this.say('bad', 'Too many scans waiting to be sent. Reconnect the handheld.', 'QUEUE_FULL');
      return;
    }
    const task = this.view?.tasks.find((t) => t.taskId === scan.taskId);
    this.resetStep();
    const what = task === undefined ? 'the scan' : `${describeTask(task)} at ${task.locationId}`;
    if (this.client.connected) this.say('info', `Sending: ${what}…`, null);
    else this.say('info', `Kept on this handheld: ${what}. It is sent when the connection is back.`, null);
    void this.flush();
  }

  /** Sign on again, send what is queued, then reload the picks: the order after every (re)connect. */
  private async resume(): Promise<void> {
    if (this.closed || this.siteId === null) return;
    this.changed();
    if (this.operativeId !== null) {
      const ok = await this.signOnNow(this.operativeId);
      if (!ok) return;
    } else {
      await this.flush();
    }
  }

  private async flush(): Promise<void> {
    if (!this.client.connected) return;
    const outcome = await this.queue.flush();
    if (outcome === 'drained') {
      this.retryDelayMs = this.retryMinMs;
      return;
    }
    // Connected but not delivered (ack timeout, server busy): back off and try again; a reconnect also flushes.
    if (this.client.connected && !this.closed && this.retryTimer === null) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        void this.flush();
      }, this.retryDelayMs);
      this.retryDelayMs = Math.min(this.retryMaxMs, this.retryDelayMs * 2);
    }
  }

  private settled(settled: ScanSettled): void {
    const task = this.view?.tasks.find((t) => t.taskId === settled.scan.taskId);
    if (settled.kind === 'confirmed') {
      const scan = settled.scan;
      const text =
        scan.kind === 'short'
          ? `Short recorded${task === undefined ? '' : ` at ${task.locationId}`}: found ${scan.foundQty}.`
          : `Picked${task === undefined ? '' : ` ${describeTask(task)} at ${task.locationId}`}.`;
      this.take(settled.result.next);
      // A later scan's message outranks this one: only say it if nothing else is waiting.
      if (this.queue.pending.length === 0) this.say('good', text, null);
      return;
    }
    this.say('bad', refusalText(settled.error, settled.scan, task), settled.error.code);
    // A wrong item: the pick is back; keep its location scanned so the picker only scans the item again.
    if (
      settled.error.code === 'WRONG_ITEM_SCANNED' &&
      this.step === 'location' &&
      settled.scan.kind === 'confirm' &&
      this.current()?.taskId === settled.scan.taskId
    ) {
      this.step = 'item';
      this.scannedLocation = settled.scan.scannedLocation;
      this.changed();
    }
    if (settled.error.code === 'TASK_DONE' || settled.error.code === 'TASK_NOT_ASSIGNED') void this.refresh(false);
  }

  /** Adopts a server view unless it is older than the one held. */
  private take(view: NextPickView): void {
    if (view.operativeId !== this.operativeId) return;
    if (this.view !== null && this.view.seq > view.seq) return;
    const before = this.current()?.taskId;
    this.view = view;
    if (this.siteId !== null) this.write(STORAGE_KEYS.view, JSON.stringify(view));
    if (this.current()?.taskId !== before) this.resetStep();
    this.changed();
  }

  private current(): PickTaskView | null {
    return this.view?.tasks.find((t) => !this.queue.has(t.taskId)) ?? null;
  }

  private resetStep(): void {
    this.step = 'location';
    this.scannedLocation = null;
  }

  private forget(): void {
    this.operativeId = null;
    this.live = false;
    this.view = null;
    this.resetStep();
    this.remove(STORAGE_KEYS.operative);
    this.remove(STORAGE_KEYS.view);
    this.changed();
  }

  private say(tone: PickerMessage['tone'], text: string, code: string | null): void {
    this.message = { tone, text, code };
    this.changed();
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private readView(siteId: string, operativeId: string): NextPickView | null {
    const raw = this.read(STORAGE_KEYS.view);
    if (raw === null) return null;
    try {
      const view = JSON.parse(raw) as NextPickView;
      return view.siteId === siteId && view.operativeId === operativeId && Array.isArray(view.tasks) ? view : null;
    } catch {
      return null;
    }
  }

  private read(key: string): string | null {
    try {
      return this.storage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  private write(key: string, value: string): void {
    try {
      this.storage?.setItem(key, value);
    } catch {
      // Storage full or disabled: this page still works.
    }
  }

  private remove(key: string): void {
    try {
      this.storage?.removeItem(key);
    } catch {
      // As above.
    }
  }

  private build(): PickerSnapshot {
    const current = this.current();
    const remaining = this.view?.tasks.filter((t) => !this.queue.has(t.taskId)).length ?? 0;
    return {
      siteId: this.siteId,
      deviceId: this.deviceId,
      operativeId: this.operativeId,
      live: this.live,
      connected: this.client.connected,
      busy: this.busy,
      current,
      remaining,
      loaded: this.view !== null,
      step: this.step,
      scannedLocation: this.scannedLocation,
      pending: this.queue.pending.length,
      message: this.message,
    };
  }

  private changed(): void {
    if (this.closed) return;
    this.snapshot = this.build();
    for (const listener of [...this.listeners]) listener();
  }
}

/** A random UUID; `crypto.randomUUID` needs a secure context, which a handheld on plain http on the LAN is not. */
export function randomId(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = c.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
