/**
 * Site ownership by lease in Redis: one key per site, holding who decides it (instance, boot, URL) with a TTL. Taken
 * with SET-if-absent, renewed by compare-and-expire, released by compare-and-delete, so a process can only extend or
 * drop its own lease. A restarted process with the same INSTANCE_ID takes back the lease of its previous life at once
 * (that life is dead: nothing else runs under its name), instead of leaving the site unowned for a TTL.
 *
 * A lease is a hint, not the safety: a paused owner may still write after its lease passed to another process. The
 * event log's `(site, seq)` fence refuses that write and the stale owner steps down (site-ownership.ts).
 * Every call is bounded (a hung Redis never stalls the caller): `unknown` means Redis did not answer.
 */
import { createClient } from 'redis';
import { boundedWait } from '../ops/bounded-wait.ts';

/** Who holds a site's lease. */
export interface LeaseHolder {
  readonly instance: string;
  /** Random per process start: tells this life from an earlier one of the same instance. */
  readonly boot: string;
  /** Where other processes forward the site's requests. */
  readonly url: string;
}

export type AcquireResult =
  | { readonly state: 'held'; readonly holder: LeaseHolder }
  | { readonly state: 'other'; readonly holder: LeaseHolder | null }
  | { readonly state: 'unknown' };

export type RenewResult = 'held' | 'lost' | 'unknown';

export interface SiteLeases {
  /** Takes the site if nobody holds it (or an earlier life of this instance did); says who holds it otherwise. */
  acquire(siteId: string): Promise<AcquireResult>;
  /** Extends this process's lease; retakes it when the key vanished (Redis flushed or restarted empty). */
  renew(siteId: string): Promise<RenewResult>;
  /** Drops this process's lease, if it still holds it. */
  release(siteId: string): Promise<void>;
  close(): Promise<void>;
}

export interface RedisSiteLeasesOptions {
  readonly url: string;
  /** Key namespace: the database and schema, so unrelated deployments (or tests) sharing a Redis never contend. */
  readonly namespace: string;
  readonly me: LeaseHolder;
  readonly ttlMs: number;
  /** Bound on one Redis round trip, ms. */
  readonly callTimeoutMs?: number;
  readonly log?: (message: string, error?: unknown) => void;
}

// KEYS[1] lease key; ARGV: my value, ttl ms, my instance. 1 = held by me now, 0 = someone else's (value returned).
const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if not current then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return {1, ARGV[1]} end
if current == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return {1, current} end
local ok, holder = pcall(cjson.decode, current)
if ok and type(holder) == 'table' and holder.instance == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1, ARGV[1]}
end
return {0, current}`;

const RENEW = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not current then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export function parseHolder(value: unknown): LeaseHolder | null {
  if (typeof value !== 'string') return null;
  try {
    const parsed = JSON.parse(value) as Partial<LeaseHolder>;
    if (typeof parsed.instance === 'string' && typeof parsed.boot === 'string' && typeof parsed.url === 'string') {
      return { instance: parsed.instance, boot: parsed.boot, url: parsed.url };
    }
  } catch {
    // not ours: treated as held by an unknown process
  }
  return null;
}

export class RedisSiteLeases implements SiteLeases {
  private readonly client: ReturnType<typeof createClient>;
  private readonly value: string;
  private readonly callTimeoutMs: number;
  private readonly log: (message: string, error?: unknown) => void;
  private lastWarnMs = -Infinity;

  constructor(private readonly options: RedisSiteLeasesOptions) {
    this.value = JSON.stringify({ instance: options.me.instance, boot: options.me.boot, url: options.me.url });
    this.callTimeoutMs = options.callTimeoutMs ?? 500;
    this.log = options.log ?? ((message, error) => console.error(message, error ?? ''));
    // No offline queue: while Redis is away a call fails at once (the owner keeps serving; see site-ownership.ts).
    this.client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) },
    });
    this.client.on('error', (error: unknown) => this.warn('site leases: redis error', error));
    this.client.connect().catch((error: unknown) => this.warn('site leases: redis connect failed', error));
  }

  /** Resolves true once connected, false after `timeoutMs`. */
  async ready(timeoutMs = 3_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.client.isReady && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return this.client.isReady;
  }

  private key(siteId: string): string {
    return `floortwin:lease:${this.options.namespace}:${siteId}`;
  }

  private async run(script: string, siteId: string, args: readonly string[]): Promise<unknown> {
    if (!this.client.isReady) throw new Error('redis is not connected');
    return boundedWait(this.client.eval(script, { keys: [this.key(siteId)], arguments: [...args] }), this.callTimeoutMs);
  }

  async acquire(siteId: string): Promise<AcquireResult> {
    try {
      const [mine, value] = (await this.run(ACQUIRE, siteId, [this.value, String(this.options.ttlMs), this.options.me.instance])) as [number, string];
      return Number(mine) === 1 ? { state: 'held', holder: this.options.me } : { state: 'other', holder: parseHolder(value) };
    } catch (error) {
      this.warn(`site leases: could not ask for site ${siteId}`, error);
      return { state: 'unknown' };
    }
  }

  async renew(siteId: string): Promise<RenewResult> {
    try {
      return Number(await this.run(RENEW, siteId, [this.value, String(this.options.ttlMs)])) === 1 ? 'held' : 'lost';
    } catch (error) {
      this.warn(`site leases: could not renew site ${siteId}`, error);
      return 'unknown';
    }
  }

  async release(siteId: string): Promise<void> {
    try {
      await this.run(RELEASE, siteId, [this.value]);
    } catch (error) {
      this.warn(`site leases: could not release site ${siteId} (it expires by itself)`, error);
    }
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await boundedWait(this.client.close(), this.callTimeoutMs).catch(() => this.client.destroy());
    else this.client.destroy();
  }

  private warn(message: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnMs < 5_000) return;
    this.lastWarnMs = now;
    this.log(message, error);
  }
}
