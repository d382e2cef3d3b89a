/**
 * The cross-site steps of a transfer (twin SPEC R74, R76). Each site's log is decided by its own SiteRunner (single
 * writer per site), so no command touches two sites: this adapter reads the committed state of the sites it serves and
 * submits the step one site still lacks — `expectTransfer` to the destination of a despatched transfer, and
 * `confirmTransferReceipt` to the source of an inbound transfer the destination has closed. It keeps no state of its
 * own: the work is derived from the logs, so a crash or restart between steps loses nothing, and since every step is
 * idempotent by transfer id (R74, R76) a duplicate — a retry, two relays at once — applies exactly once. It runs after
 * every commit that can create work, on (re)load, and every `retryMs` until each step is acknowledged.
 *
 * The work is driven from the source: for each transfer a site this process decides has despatched, the relay asks the
 * destination what it knows of it — its own runner when this process decides it too, else the process that does
 * ({@link RemoteTransferSites}, server/cluster/remote-sites.ts) — and submits the expectation there or the confirmation
 * here. Sites come and go as leases move ({@link TransferRelay.add}, {@link TransferRelay.remove}).
 *
 * A step the destination refuses (R76a: it does not know the SKU, does not serve the client…) will not succeed by
 * retrying: the relay submits `noteTransferRefused` to the source (always a site of this relay: the work is driven from
 * the sources it decides), so the refusal is in the source's log, shown to the desk and durable across restarts. A
 * transfer whose refusal is recorded is not offered to the destination again, and one the desk has returned is no
 * longer despatched, so nothing more is asked of the destination.
 */
import type { Command, ConfirmTransferReceipt, ExpectTransfer, InboundTransferLine, NoteTransferRefused, TransferReceiptLine } from '../twin/commands.ts';
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
  /** Destinations no site of this relay is: asked of the process deciding them. Without, such transfers are skipped. */
  readonly remote?: RemoteTransferSites;
}

/** The only commands one process submits to a site another decides (R74, R76); anything else is refused there. */
export type TransferStepCommand = ExpectTransfer | ConfirmTransferReceipt;

/** What a destination knows of one inbound transfer: enough for the source to confirm once it is closed (R76). */
export interface InboundTransferSummary {
  readonly transferId: string;
  readonly status: 'expected' | 'closed';
  readonly report: readonly TransferReceiptLine[];
  readonly reason: string | null;
}

/** The summaries of those of `transferIds` that `twin` knows as inbound transfers (unknown ids are left out). */
export function inboundSummaries(twin: TwinState, transferIds: readonly string[]): InboundTransferSummary[] {
  const out: InboundTransferSummary[] = [];
  for (const transferId of transferIds) {
    const t = twin.inboundTransfers.get(transferId);
    if (t === undefined) continue;
    out.push({ transferId, status: t.status, report: t.lines.map((l) => ({ lineNo: l.lineNo, receivedQty: l.receivedQty, damagedQty: l.damagedQty })), reason: t.closeReason });
  }
  return out;
}

/**
 * Sites decided by other processes. Null answers: nobody decides the site right now (it is moving between processes,
 * or no process of the deployment knows it) — the relay tries again on its timer.
 */
export interface RemoteTransferSites {
  /** What the site knows of `transferIds` as inbound transfers. */
  inbound(siteId: string, transferIds: readonly string[]): Promise<readonly InboundTransferSummary[] | null>;
  /** Submits one transfer step to the site's own runner, in the process that decides it. */
  submit(siteId: string, command: TransferStepCommand): Promise<SubmitResult | null>;
}

/** A step that a site refused: it will not succeed by retrying (e.g. the destination does not know the SKU). */
export interface RefusedStep {
  readonly siteId: string;
  readonly transferId: string;
  readonly command: Command['type'];
  readonly code: string;
  readonly message: string;
}

/** Work one pass found: commands to submit, each to one site (here or in another process). */
interface Step {
  readonly siteId: string;
  readonly transferId: string;
  readonly command: TransferStepCommand;
  /** False once the site left this relay (a local site closed mid-pass): the step is not submitted. */
  readonly live: () => boolean;
  readonly submit: (command: TransferStepCommand) => Promise<SubmitResult>;
  /** For an expectation: whether the source still wants it (despatched, no refusal recorded) right before submitting. */
  readonly wanted?: () => Promise<boolean>;
  /** For an expectation: where a refusal is recorded (the source, R76a). */
  readonly noteRefusal?: (command: NoteTransferRefused) => Promise<SubmitResult>;
}

/** Event types after whose commit there may be a cross-site step to take. */
const TRIGGERS = new Set(['TransferDespatched', 'InboundTransferClosed', 'InboundTransferExpected', 'TransferReceiptConfirmed', 'TransferReturned']);

/** What site `to` is told of a transfer `from` despatched (R74): the lines as sent, with their serials. */
function expectCommand(from: TwinState, transferId: string): ExpectTransfer | null {
  const t = from.transfers.get(transferId);
  if (t === undefined) return null;
  const lines: InboundTransferLine[] = t.lines.map((l) => ({ lineNo: l.lineNo, tenantId: l.tenantId, skuId: l.skuId, lot: l.lot, expiry: l.expiry, qty: l.qty, serials: [...l.serials] }));
  return { type: 'expectTransfer', transferId, fromSiteId: from.site.id, lines };
}

export class TransferRelay {
  private readonly sites = new Map<string, TransferSite>();
  /** How to stop listening to each site, while started. */
  private readonly listening = new Map<string, () => void>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  /** Set by `stop()`: a pass in flight submits nothing more. */
  private halted = false;
  /**
   * Steps refused by a site, by `site|transfer|command`; kept so a refused step is not resubmitted every pass, and so a
   * refusal the source has not recorded yet (it was unavailable) is noted on a later pass.
   */
  private readonly refused = new Map<string, RefusedStep>();
  /** Counters for tests and /healthz detail; `noted`: refusals recorded at the source (R76a). */
  readonly stats = { passes: 0, submitted: 0, acknowledged: 0, unavailable: 0, refused: 0, noted: 0 };

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
    for (const site of this.sites.values()) this.listen(site);
    this.timer = setInterval(() => this.kick('timer'), this.options.retryMs ?? 5_000);
    this.timer.unref();
    this.kick();
  }

  /** Stops listening; a pass in flight finishes. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.halted = true;
    for (const stopListening of this.listening.values()) stopListening();
    this.listening.clear();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Serves one more site (this process took its lease); a site of the same id is replaced. Its pending work runs now. */
  add(site: TransferSite): void {
    if (this.sites.get(site.siteId) === site) return;
    this.remove(site.siteId);
    this.sites.set(site.siteId, site);
    if (this.stopped) return;
    this.listen(site);
    this.kick();
  }

  /** Stops serving a site (closed here; another process may decide it now): from the next step on it is remote. */
  remove(siteId: string): void {
    this.sites.delete(siteId);
    this.listening.get(siteId)?.();
    this.listening.delete(siteId);
  }

  /** The ids of the sites this relay serves locally. */
  siteIds(): string[] {
    return [...this.sites.keys()];
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

  private listen(site: TransferSite): void {
    this.listening.set(
      site.siteId,
      site.subscribe({
        committed: (events: readonly SequencedEvent[]) => {
          if (events.some((e) => TRIGGERS.has(e.event.type))) this.kick();
        },
        volatile: () => undefined,
        reloaded: () => this.kick(),
      }),
    );
  }

  /**
   * Asks for a pass; passes never overlap. A commit during a pass asks for one more right after it; the timer does not
   * (the pass running is the retry): else a pass longer than `retryMs` — a slow site, a remote question waiting for its
   * answer — would be followed by another forever, and the relay would never be idle.
   */
  private kick(why: 'work' | 'timer' = 'work'): void {
    if (this.running !== null) {
      if (why === 'work') this.again = true;
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

  /**
   * What destination `to` knows of `ids` and how to submit to it: its runner when this relay serves it, else the
   * process deciding it. Null when nobody can say now (moving) or nobody is asked (no remote sites).
   */
  private async destination(to: string, ids: readonly string[]): Promise<{ known: Map<string, InboundTransferSummary>; live: () => boolean; submit: Step['submit'] } | null> {
    const local = this.sites.get(to);
    if (local !== undefined) {
      const known = await local.read((twin) => inboundSummaries(twin, ids));
      return { known: new Map(known.map((k) => [k.transferId, k])), live: () => this.sites.get(to) === local, submit: (command) => local.submit(command) };
    }
    const remote = this.options.remote;
    if (remote === undefined) return null;
    const known = await remote.inbound(to, ids);
    if (known === null) return null;
    return {
      known: new Map(known.map((k) => [k.transferId, k])),
      live: () => true,
      submit: async (command) => (await remote.submit(to, command)) ?? { ok: false, error: { code: 'UNAVAILABLE', message: `no server decides site ${to} right now` } },
    };
  }

  /** One pass: read every site's committed state, then submit each missing step once. */
  async pass(): Promise<void> {
    this.stats.passes++;
    const steps: Step[] = [];
    const notes: { source: TransferSite; command: NoteTransferRefused }[] = [];
    for (const source of [...this.sites.values()]) {
      const despatched = await source.read((twin) => [...twin.transfers.values()].filter((t) => t.status === 'despatched').map((t) => ({ id: t.id, to: t.toSiteId, refused: t.refusal !== null })));
      const byDestination = new Map<string, { id: string; refused: boolean }[]>();
      for (const { id, to, refused } of despatched) {
        const ids = byDestination.get(to);
        if (ids === undefined) byDestination.set(to, [{ id, refused }]);
        else ids.push({ id, refused });
      }
      const sourceLive = (): boolean => this.sites.get(source.siteId) === source;
      for (const [to, transfers] of byDestination) {
        const dest = await this.destination(to, transfers.map((t) => t.id));
        if (dest === null) {
          if (this.options.remote !== undefined) this.stats.unavailable++; // moving: the timer tries again
          continue;
        }
        for (const { id, refused } of transfers) {
          const inbound = dest.known.get(id);
          if (inbound === undefined) {
            if (refused) continue; // R76a: recorded at the source; the desk returns it
            const earlier = this.refused.get(`${to}|${id}|expectTransfer`);
            if (earlier !== undefined) {
              notes.push({ source, command: noteCommand(earlier) }); // refused before; the source did not record it yet
              continue;
            }
            const command = await source.read((twin) => expectCommand(twin, id));
            if (command === null) continue;
            const wanted = (): Promise<boolean> => source.read((twin) => twin.transfers.get(id)?.status === 'despatched' && twin.transfers.get(id)?.refusal === null);
            steps.push({ siteId: to, transferId: id, command, live: dest.live, submit: dest.submit, wanted, noteRefusal: (c) => (sourceLive() ? source.submit(c) : Promise.resolve(UNSERVED)) });
          } else if (inbound.status === 'closed') {
            const command: ConfirmTransferReceipt = { type: 'confirmTransferReceipt', transferId: id, lines: inbound.report, reason: inbound.reason };
            steps.push({ siteId: source.siteId, transferId: id, command, live: sourceLive, submit: (c) => source.submit(c) });
          }
        }
      }
    }
    for (const { source, command } of notes) {
      if (this.halted || this.sites.get(source.siteId) !== source) continue;
      await this.note(command, (c) => source.submit(c));
    }
    for (const step of steps) {
      const key = `${step.siteId}|${step.transferId}|${step.command.type}`;
      if (this.refused.has(key) || this.halted || !step.live()) continue;
      // A transfer returned (or refused) since the read is not offered to the destination (R76a).
      if (step.wanted !== undefined && !(await step.wanted())) continue;
      this.stats.submitted++;
      const result = await step.submit(step.command);
      if (result.ok) {
        this.stats.acknowledged++;
      } else if (result.error.code === 'UNAVAILABLE') {
        this.stats.unavailable++; // the timer tries again
      } else {
        this.stats.refused++;
        const refusal: RefusedStep = { siteId: step.siteId, transferId: step.transferId, command: step.command.type, code: result.error.code, message: result.error.message };
        this.refused.set(key, refusal);
        this.options.log?.(`transfer relay: ${step.siteId} refused ${step.command.type} of ${step.transferId}: ${result.error.code} ${result.error.message}`);
        if (step.noteRefusal !== undefined && !this.halted) await this.note(noteCommand(refusal), step.noteRefusal);
      }
    }
  }

  /** Records a destination's refusal at the source (R76a); unavailable → a later pass tries again. */
  private async note(command: NoteTransferRefused, submit: (c: NoteTransferRefused) => Promise<SubmitResult>): Promise<void> {
    const result = await submit(command);
    if (result.ok) this.stats.noted++;
    else if (result.error.code !== 'UNAVAILABLE') this.options.log?.(`transfer relay: could not record ${command.siteId}'s refusal of ${command.transferId}: ${result.error.code} ${result.error.message}`);
  }
}

/** The answer when the source left this relay mid-pass: a later pass (or the process deciding it now) records it. */
const UNSERVED: SubmitResult = { ok: false, error: { code: 'UNAVAILABLE', message: 'the source site is no longer served here' } };

/** The source's record of a destination's refusal of the expectation (R76a). */
const noteCommand = (r: RefusedStep): NoteTransferRefused => ({ type: 'noteTransferRefused', transferId: r.transferId, siteId: r.siteId, code: r.code, message: r.message.slice(0, 500) });
