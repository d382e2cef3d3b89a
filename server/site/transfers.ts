/**
 * The cross-site steps of a transfer (twin SPEC R74, R76). Each site's log is decided by its own SiteRunner (single
 * writer per site), so no command touches two sites: this adapter reads the committed state of the sites it serves and
 * submits the step one site still lacks — `expectTransfer` to the destination of a despatched transfer, and
 * `confirmTransferReceipt` to the source of an inbound transfer the destination has closed. It keeps no state of its
 * own: the work is derived from the logs, so a crash or restart between steps loses nothing, and since every step is
 * idempotent by transfer id (R74, R76) a duplicate — a retry, two relays at once — applies exactly once. It runs after
 * every commit that can create work, on (re)load, and every `retryMs` until each step is acknowledged.
 */
import type { Command, InboundTransferLine } from '../twin/commands.ts';
import type { SequencedEvent } from '../twin/events.ts';
import type { TwinState } from '../twin/state.ts';
import type { SiteListener, SubmitResult } from './site-runner.ts';

/** What the relay needs of a site (SiteRunner satisfies it). */
export interface TransferSite {
  readonly siteId: string;
  read<T>(view: (twin: TwinState) => T): Promise<T>;
  submit(command: Command): Promise<SubmitResult>;
  subscribe(listener: SiteListener): () => void;
}

export interface TransferRelayOptions {
  /** How often pending steps are tried again (a site unavailable, a destination not served yet). Default 5 s. */
  readonly retryMs?: number;
  readonly log?: (message: string, error?: unknown) => void;
}

/** A step that a site refused: it will not succeed by retrying (e.g. the destination does not know the SKU). */
export interface RefusedStep {
  readonly siteId: string;
  readonly transferId: string;
  readonly command: Command['type'];
  readonly code: string;
  readonly message: string;
}

/** Work one pass found: commands to submit, each to one site. */
interface Step {
  readonly site: TransferSite;
  readonly transferId: string;
  readonly command: Command;
}

/** Event types after whose commit there may be a cross-site step to take. */
const TRIGGERS = new Set(['TransferDespatched', 'InboundTransferClosed', 'InboundTransferExpected', 'TransferReceiptConfirmed']);

/** What site `to` is told of a transfer `from` despatched (R74): the lines as sent, with their serials. */
function expectCommand(from: TwinState, transferId: string): Command | null {
  const t = from.transfers.get(transferId);
  if (t === undefined) return null;
  const lines: InboundTransferLine[] = t.lines.map((l) => ({ lineNo: l.lineNo, tenantId: l.tenantId, skuId: l.skuId, lot: l.lot, expiry: l.expiry, qty: l.qty, serials: [...l.serials] }));
  return { type: 'expectTransfer', transferId, fromSiteId: from.site.id, lines };
}

export class TransferRelay {
  private readonly sites = new Map<string, TransferSite>();
  private readonly unsubscribe: (() => void)[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  /** Set by `stop()`: a pass in flight submits nothing more. */
  private halted = false;
  /** Steps refused by a site, by `site|transfer|command`; kept so a refused step is not resubmitted every pass. */
  private readonly refused = new Map<string, RefusedStep>();
  /** Counters for tests and /healthz detail. */
  readonly stats = { passes: 0, submitted: 0, acknowledged: 0, unavailable: 0, refused: 0 };

  constructor(
    sites: readonly TransferSite[],
    private readonly options: TransferRelayOptions = {},
  ) {
    for (const s of sites) this.sites.set(s.siteId, s);
  }

  /** Starts listening to every site and runs a first pass (work left by a previous process is found there). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.halted = false;
    for (const site of this.sites.values()) {
      this.unsubscribe.push(
        site.subscribe({
          committed: (events: readonly SequencedEvent[]) => {
            if (events.some((e) => TRIGGERS.has(e.event.type))) this.kick();
          },
          volatile: () => undefined,
          reloaded: () => this.kick(),
        }),
      );
    }
    this.timer = setInterval(() => this.kick(), this.options.retryMs ?? 5_000);
    this.timer.unref();
    this.kick();
  }

  /** Stops listening; a pass in flight finishes. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.halted = true;
    for (const u of this.unsubscribe.splice(0)) u();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Steps refused by a site (they need a person: e.g. the destination lacks the SKU). */
  refusals(): RefusedStep[] {
    return [...this.refused.values()];
  }

  /** Runs passes until one finds nothing new to do; resolves when the relay is idle. */
  async settle(): Promise<void> {
    this.kick();
    while (this.running !== null) await this.running;
  }

  /** Asks for a pass; passes never overlap (one asked for during a pass runs right after it). */
  private kick(): void {
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.pass();
        } catch (error) {
          this.options.log?.('transfer relay: pass failed', error);
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
  }

  /** One pass: read every site's committed state, then submit each missing step once. */
  async pass(): Promise<void> {
    this.stats.passes++;
    const steps: Step[] = [];
    for (const source of this.sites.values()) {
      const despatched = await source.read((twin) => [...twin.transfers.values()].filter((t) => t.status === 'despatched').map((t) => ({ id: t.id, to: t.toSiteId })));
      for (const { id, to } of despatched) {
        const dest = this.sites.get(to);
        if (dest === undefined) continue; // served by another process: its relay does it
        const inbound = await dest.read((twin) => {
          const t = twin.inboundTransfers.get(id);
          return t === undefined ? null : { status: t.status, report: t.lines.map((l) => ({ lineNo: l.lineNo, receivedQty: l.receivedQty, damagedQty: l.damagedQty })), reason: t.closeReason };
        });
        if (inbound === null) {
          const command = await source.read((twin) => expectCommand(twin, id));
          if (command !== null) steps.push({ site: dest, transferId: id, command });
        } else if (inbound.status === 'closed') {
          steps.push({ site: source, transferId: id, command: { type: 'confirmTransferReceipt', transferId: id, lines: inbound.report, reason: inbound.reason } });
        }
      }
    }
    for (const step of steps) {
      const key = `${step.site.siteId}|${step.transferId}|${step.command.type}`;
      if (this.refused.has(key) || this.halted) continue;
      this.stats.submitted++;
      const result = await step.site.submit(step.command);
      if (result.ok) {
        this.stats.acknowledged++;
      } else if (result.error.code === 'UNAVAILABLE') {
        this.stats.unavailable++; // the timer tries again
      } else {
        this.stats.refused++;
        const refusal: RefusedStep = { siteId: step.site.siteId, transferId: step.transferId, command: step.command.type, code: result.error.code, message: result.error.message };
        this.refused.set(key, refusal);
        this.options.log?.(`transfer relay: ${step.site.siteId} refused ${step.command.type} of ${step.transferId}: ${result.error.code} ${result.error.message}`);
      }
    }
  }
}
