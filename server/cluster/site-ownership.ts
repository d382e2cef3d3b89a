/**
 * Which sites this process decides. Every `renewMs` it renews the leases of the sites it owns and tries to take the
 * others; a site taken is opened (snapshot + log replay, then its loops), a site lost is closed. Answers where a
 * site's requests go: here, to the holder's URL, or nowhere yet (moving: the old owner died and its lease has not
 * expired, or the new one is still opening).
 *
 * Redis down: renewals fail and are counted, and the owner keeps serving (nobody else can take a lease either); when
 * Redis answers again the renewal retakes a vanished lease. A fenced write (another process appended first) asks the
 * lease at once, and the process steps down unless it still holds it.
 */
import type { LeaseHolder, SiteLeases } from './site-lease.ts';

export type SitePlacement =
  | { readonly kind: 'local' }
  | { readonly kind: 'remote'; readonly holder: LeaseHolder }
  /** Nobody serves it right now (the lease is free, held by a dead process, or its new owner is opening it). */
  | { readonly kind: 'moving' };

type SiteState = 'standby' | 'opening' | 'owned' | 'closing';

export interface SiteOwnershipOptions {
  readonly leases: SiteLeases;
  readonly siteIds: readonly string[];
  readonly me: LeaseHolder;
  readonly renewMs: number;
  /** Opens the site and starts what runs for it; resolves once it serves. A throw gives the lease back. */
  open(siteId: string): Promise<void>;
  /** Stops everything of the site: 'lost' when another process decides it now, 'shutdown' when this one stops. */
  close(siteId: string, why: 'lost' | 'shutdown'): Promise<void>;
  readonly log: (message: string, error?: unknown) => void;
  /** Told of each renewal Redis did not answer (metrics). */
  readonly onRenewFailure?: () => void;
}

export class SiteOwnership {
  private readonly states = new Map<string, SiteState>();
  private readonly holders = new Map<string, LeaseHolder | null>();
  private readonly opening = new Map<string, Promise<void>>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly options: SiteOwnershipOptions) {
    for (const siteId of options.siteIds) this.states.set(siteId, 'standby');
  }

  /** Takes what it can now, then keeps renewing and trying every `renewMs`. Resolves once the sites taken are open. */
  async start(): Promise<void> {
    this.running = true;
    await this.round();
    this.loop = this.run();
    await Promise.allSettled(this.opening.values());
  }

  /** Sites whose requests this process serves now. */
  owned(): string[] {
    return [...this.states].filter(([, state]) => state === 'owned').map(([siteId]) => siteId);
  }

  knows(siteId: string): boolean {
    return this.states.has(siteId);
  }

  placement(siteId: string): SitePlacement | undefined {
    const state = this.states.get(siteId);
    if (state === undefined) return undefined;
    if (state === 'owned') return { kind: 'local' };
    const holder = this.holders.get(siteId);
    return state === 'standby' && holder && holder.boot !== this.options.me.boot ? { kind: 'remote', holder } : { kind: 'moving' };
  }

  /** Some other process that serves a site (for routes not scoped to one site, when this process serves none). */
  anyRemote(): LeaseHolder | null {
    for (const siteId of this.states.keys()) {
      const placement = this.placement(siteId);
      if (placement?.kind === 'remote') return placement.holder;
    }
    return null;
  }

  /** Per site: who serves it as far as this process knows (for /readyz). */
  describe(): Record<string, { owner: string | null; local: boolean; state: SiteState }> {
    const out: Record<string, { owner: string | null; local: boolean; state: SiteState }> = {};
    for (const [siteId, state] of this.states) {
      const local = state === 'owned';
      out[siteId] = { owner: local ? this.options.me.instance : (this.holders.get(siteId)?.instance ?? null), local, state };
    }
    return out;
  }

  /** The site's append was refused by the log's fence: keep it only if the lease still says it is ours. */
  async fenced(siteId: string): Promise<void> {
    if (this.states.get(siteId) !== 'owned') return;
    const renewed = await this.options.leases.renew(siteId);
    if (renewed === 'held' || this.states.get(siteId) !== 'owned') return;
    // 'unknown' too: another process wrote to the log, so it believes it owns the site.
    this.options.log(`site ${siteId}: fenced (another process appended to its log); stepping down`);
    await this.stepDown(siteId);
  }

  /** Closes every owned site, then releases its lease so a standby takes it at its next try, without a TTL wait. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled(this.opening.values());
    for (const [siteId, state] of this.states) {
      if (state !== 'owned') continue;
      this.states.set(siteId, 'closing');
      await this.options.close(siteId, 'shutdown').catch((error: unknown) => this.options.log(`site ${siteId}: close failed`, error));
      await this.options.leases.release(siteId);
      this.states.set(siteId, 'standby');
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.renewMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
      if (!this.running) return;
      await this.round().catch((error: unknown) => this.options.log('site ownership: round failed', error));
    }
  }

  private async round(): Promise<void> {
    await Promise.all([...this.states.keys()].map((siteId) => this.visit(siteId)));
  }

  private async visit(siteId: string): Promise<void> {
    const state = this.states.get(siteId);
    if (state === 'owned' || state === 'opening') {
      const renewed = await this.options.leases.renew(siteId);
      if (renewed === 'unknown') this.options.onRenewFailure?.();
      if (renewed === 'lost' && this.states.get(siteId) === 'owned') {
        this.options.log(`site ${siteId}: lease lost to another process; stepping down`);
        await this.stepDown(siteId);
      }
      return;
    }
    if (state !== 'standby') return;
    const taken = await this.options.leases.acquire(siteId);
    if (taken.state === 'unknown') return;
    if (taken.state === 'other') {
      this.holders.set(siteId, taken.holder);
      return;
    }
    this.states.set(siteId, 'opening');
    // Opening replays the log and may outlast a renewal period: the loop keeps renewing meanwhile ('opening').
    const opening = this.options
      .open(siteId)
      .then(() => {
        if (this.states.get(siteId) === 'opening') this.states.set(siteId, 'owned');
      })
      .catch(async (error: unknown) => {
        this.options.log(`site ${siteId}: could not open; giving the lease back`, error);
        this.states.set(siteId, 'standby');
        await this.options.leases.release(siteId);
      })
      .finally(() => this.opening.delete(siteId));
    // Not awaited: the next rounds renew the lease while the site opens.
    this.opening.set(siteId, opening);
  }

  private async stepDown(siteId: string): Promise<void> {
    this.states.set(siteId, 'closing');
    this.holders.delete(siteId);
    await this.options.close(siteId, 'lost').catch((error: unknown) => this.options.log(`site ${siteId}: close failed`, error));
    this.states.set(siteId, 'standby');
  }
}

/** Without Redis there is nobody to share with: this process owns every site it is given. */
export class SoleSiteLeases implements SiteLeases {
  constructor(private readonly me: LeaseHolder) {}
  acquire(): Promise<{ state: 'held'; holder: LeaseHolder }> {
    return Promise.resolve({ state: 'held', holder: this.me });
  }
  renew(): Promise<'held'> {
    return Promise.resolve('held');
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
