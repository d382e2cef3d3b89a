/**
 * The handheld's picking session, held outside React (React subscribes to an immutable snapshot): who is signed on,
 * the open picks as the server last reported them, the scan step (location, then item), the scan queue and the
 * message to show. A serial-tracked pick (R78) asks, after the item, one distinct serial per unit (per unit found, for
 * a short) before it is sent; a serial the server refuses comes back off the list, the others kept. Scans go through the {@link ScanQueue}, so a device that loses its connection keeps picking from
 * the tasks it holds and resends in order when it is back. On every (re)connect: sign on again (the server resumes),
 * flush the queue, then ask for the next pick.
 */
import type { NextPickView, PickTaskView, ScanRequest } from '../../../server/protocol/picking.ts';
import type { WireError } from '../../../server/protocol/socket.ts';
import { addSerial, removeSerial, serialRefusal } from '../views/serial-scan.ts';
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

/** Which scan the handheld waits for on the current pick: `serial` only for a serial-tracked SKU (R78). */
export type ScanStep = 'location' | 'item' | 'serial';

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
  /** Serials scanned for the current pick, in scan order (step `serial`). */
  readonly serials: readonly string[];
  /** Serials the current pick needs: its qty, or the units found of a short being recorded; 0 when none are asked. */
  readonly serialsNeeded: number;
  /** The units found of a short whose serials are being scanned; null otherwise. */
  readonly shortFound: number | null;
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

/** True when the pick asks for serials; a view stored before the field existed reads as not serial-tracked. */
export const isSerialTracked = (task: Pick<PickTaskView, 'serialTracked'>): boolean => task.serialTracked === true;

/** Server codes about a scan's serials: the scan comes back to the serial step (R78). */
const SERIAL_CODES = new Set(['UNKNOWN_SERIAL', 'DUPLICATE_SERIAL', 'SERIAL_REQUIRED', 'INVALID_SCAN']);

/** The serial a refusal names (`details.serial`), if any. */
function refusedSerial(error: WireError): string | null {
  const details = error.details as { serial?: unknown } | undefined;
  return typeof details?.serial === 'string' ? details.serial : null;
}

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
    case 'UNKNOWN_SERIAL':
      return `Serial ${refusedSerial(error) ?? '?'} is not in stock here for this pick. Nothing recorded — scan the serial of another unit.`;
    case 'DUPLICATE_SERIAL':
      return `Serial ${refusedSerial(error) ?? '?'} was scanned twice. Nothing recorded — scan the serial of another unit.`;
    case 'SERIAL_REQUIRED':
      return `${task?.skuDescription ?? 'This item'} is serial-tracked: scan one serial per unit. Nothing recorded.`;
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
  private scannedItem: string | null = null;
  private serials: readonly string[] = [];
  private shortFound: number | null = null;
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

  /** A scanned (or typed) code for the current step: the location first, then the item, then (serial-tracked) serials. */
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
    if (this.step === 'serial') {
      this.scanSerial(task, code);
      return;
    }
    if (isSerialTracked(task)) {
      // The item is checked by the server with the serials: scanning them first costs nothing if it is wrong.
      // Serials kept from a scan refused for its item go again with the corrected item.
      this.scannedItem = code;
      if (this.serials.length === task.qty) {
        this.submitConfirm(task, code, this.serials);
        return;
      }
      this.step = 'serial';
      this.say('info', `Item scanned — now scan serial ${this.serials.length + 1} of ${task.qty}.`, null);
      return;
    }
    this.submitConfirm(task, code, undefined);
  }

  /** Removes a serial scanned by mistake from the current pick's list. */
  removeSerial(serial: string): void {
    if (this.step !== 'serial') return;
    this.serials = removeSerial(this.serials, serial);
    this.say('info', `Serial ${serial} removed — ${this.serials.length} of ${this.serialsNeeded()} scanned.`, null);
  }

  /** Records a short pick: only `foundQty` (0 … qty − 1) of the current pick were there. */
  short(foundQty: number): boolean {
    const task = this.current();
    if (task === null || this.operativeId === null || this.siteId === null) return false;
    if (!Number.isSafeInteger(foundQty) || foundQty < 0 || foundQty >= task.qty) {
      this.say('bad', `Found quantity must be a whole number from 0 to ${task.qty - 1}.`, 'INVALID_QUANTITY');
      return false;
    }
    if (isSerialTracked(task) && foundQty > 0) {
      // R78: the units found are scanned one serial each; those scanned already count.
      if (this.serials.length > foundQty) {
        this.say('bad', `${this.serials.length} serials are scanned but ${foundQty} found: remove the serials of units not there.`, 'SERIAL_REQUIRED');
        return false;
      }
      this.shortFound = foundQty;
      if (this.serials.length < foundQty) {
        this.step = 'serial';
        this.say('info', `Short: scan the serial of each unit found — serial ${this.serials.length + 1} of ${foundQty}.`, null);
        return true;
      }
    }
    this.submitShort(task, foundQty);
    return true;
  }

  /** What every scan of `task` sends (a fresh scan id each time); null before sign-on. */
  private scanOf(task: PickTaskView): { siteId: string; operativeId: string; deviceId: string; scanId: string; taskId: string } | null {
    if (this.operativeId === null || this.siteId === null) return null;
    return { siteId: this.siteId, operativeId: this.operativeId, deviceId: this.deviceId, scanId: this.newId(), taskId: task.taskId };
  }

  private submitShort(task: PickTaskView, foundQty: number): void {
    const scan = this.scanOf(task);
    if (scan === null) return;
    const serials = isSerialTracked(task) && foundQty > 0 ? this.serials : undefined;
    this.submit({
      ...scan,
      kind: 'short',
      ...(this.scannedLocation === null ? {} : { scannedLocation: this.scannedLocation }),
      ...(this.scannedItem === null ? {} : { scannedItem: this.scannedItem }),
      foundQty,
      ...(serials === undefined ? {} : { serials: [...serials] }),
    });
  }

  private submitConfirm(task: PickTaskView, scannedItem: string, serials: readonly string[] | undefined): void {
    const scan = this.scanOf(task);
    if (scan === null) return;
    this.submit({
      ...scan,
      kind: 'confirm',
      scannedLocation: this.scannedLocation ?? task.locationId,
      scannedItem,
      qty: task.qty,
      ...(serials === undefined ? {} : { serials: [...serials] }),
    });
  }

  /** One serial for the current pick: refused on the spot when repeated, too many or not serial text; sent when complete. */
  private scanSerial(task: PickTaskView, code: string): void {
    const needed = this.serialsNeeded();
    const added = addSerial(this.serials, code, needed);
    const refused = serialRefusal(added.outcome);
    if (refused !== null) {
      this.say('bad', `${refused.text} Nothing recorded.`, refused.code);
      return;
    }
    this.serials = added.serials;
    if (this.serials.length < needed) {
      this.say('info', `Serial ${this.serials.length} of ${needed} scanned — scan the next.`, null);
      return;
    }
    if (this.shortFound !== null) this.submitShort(task, this.shortFound);
    else this.submitConfirm(task, this.scannedItem ?? code, this.serials);
  }

  private serialsNeeded(): number {
    const task = this.current();
    if (task === null || !isSerialTracked(task)) return 0;
    return this.shortFound ?? task.qty;
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
      this.serials = settled.scan.serials ?? [];
      this.changed();
    }
    // A serial the server refused: back to the serial step with the others kept, so only a replacement is scanned.
    const sent = settled.scan.serials;
    if (SERIAL_CODES.has(settled.error.code) && sent !== undefined && this.step === 'location' && this.current()?.taskId === settled.scan.taskId) {
      const bad = refusedSerial(settled.error);
      this.step = 'serial';
      this.scannedLocation = settled.scan.scannedLocation ?? null;
      this.scannedItem = settled.scan.scannedItem ?? null;
      this.shortFound = settled.scan.kind === 'short' ? settled.scan.foundQty : null;
      this.serials = bad === null ? [] : removeSerial(sent, bad);
      this.changed();
    }
    // Refused for want of serials while the held view said the SKU has none: that view is stale, read it again.
    if (settled.error.code === 'SERIAL_REQUIRED' && sent === undefined) void this.refresh(false);
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
    this.scannedItem = null;
    this.serials = [];
    this.shortFound = null;
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
      serials: this.serials,
      serialsNeeded: this.step === 'serial' ? this.serialsNeeded() : 0,
      shortFound: this.shortFound,
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
