/** Configuration from the environment, parsed once at start-up; a bad value stops the server with a clear message. */
import { z } from 'zod';

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** Any Postgres; without it an embedded Postgres runs with its data under DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /** Postgres schema for Floortwin's tables (tests give each server its own). */
  DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('floortwin'),
  REDIS_URL: z.string().url().optional(),
  /** The app role's own login (floortwin_app, migration 017) for the request pools; migrations use DATABASE_URL. */
  APP_DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('.data'),
  /** Site definition file under data/ (kept for compatibility: SITE_FILES's default). */
  SITE_FILE: z.string().default('data/sites/demo.json'),
  /** The deployment's site files, comma-separated (default: SITE_FILE); which of them this process decides is the leases' call. */
  SITE_FILES: z.string().optional(),
  /** How often the transfer relay retries a cross-site step not yet acknowledged (a site moving, Redis away), ms. */
  TRANSFER_RETRY_MS: z.coerce.number().int().min(50).max(600_000).default(5000),
  /** Run the simulated demo shift (orders arriving, pickers walking). */
  DEMO_SHIFT: z.enum(['on', 'off']).default('on'),
  /** Twin time runs this many times faster than the wall clock. */
  SHIFT_SPEED: z.coerce.number().positive().max(1000).default(1),
  SHIFT_PICKERS: z.coerce.number().int().min(0).max(500).default(12),
  SHIFT_ORDERS_PER_HOUR: z.coerce.number().positive().max(100_000).default(600),
  SHIFT_SEED: z.coerce.number().int().default(20261127),
  PATCH_MS: z.coerce.number().int().min(16).max(5000).default(100),
  SNAPSHOT_EVERY: z.coerce.number().int().min(1).default(20_000),
  /** How often allocated orders are released as an automatic wave, ms (0 = manual release only). */
  AUTO_RELEASE_MS: z.coerce.number().int().min(0).default(5000),
  /** Most orders per automatic wave. */
  WAVE_MAX_ORDERS: z.coerce.number().int().min(1).max(1000).default(200),
  /** Automatic release waits while this many orders are queued for pickers. */
  WAVE_QUEUE_TARGET: z.coerce.number().int().min(1).default(100),
  /** How automatic waves are batched: the solver's savings (default), savings + local search, seed, or R31's count grouping. */
  WAVE_BATCHING: z.enum(['savings', 'savings-local-search', 'seed', 'count']).default('savings'),
  WAVE_CART_ITEMS: z.coerce.number().int().min(1).default(45),
  WAVE_CART_ORDERS: z.coerce.number().int().min(2).max(50).default(8),
  WAVE_BATCHING_TIMEOUT_MS: z.coerce.number().int().min(1).default(2000),
  /** Automatic release: count waves (R31, default), waves sized by the solver's planner every WAVE_INTERVAL_MS, or waveless. */
  WAVE_MODE: z.enum(['count', 'planned', 'waveless']).default('count'),
  WAVE_INTERVAL_MS: z.coerce.number().int().min(1000).default(900_000),
  WAVELESS_INTERVAL_MS: z.coerce.number().int().min(1000).default(30_000),
  /** The wave planner's picker rate (lines/hour; the measured rate is used when higher), pack stations and their rate. */
  PICKS_PER_HOUR: z.coerce.number().positive().default(100),
  PACK_STATIONS: z.coerce.number().int().min(0).default(4),
  PACK_ORDERS_PER_HOUR: z.coerce.number().positive().default(60),
  /** Push assignment of released work (server/site/work-assigner.ts) every this many ms; 0 = off (pull only). */
  WORK_ASSIGN_INTERVAL_MS: z.coerce.number().int().min(0).default(0),
  /** Take work back from an operative with no pick for this long while holding tasks, ms; 0 = never. */
  WORK_BEHIND_AFTER_MS: z.coerce.number().int().min(0).default(300_000),
  /** How often lapsed reservations are swept, ms (0 = never). */
  RESERVATION_SWEEP_MS: z.coerce.number().int().min(0).default(5000),
  /** How often pick-face replenishment is planned besides after each wave release, ms (0 = only after releases). */
  REPLENISH_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  /** How often the twin's date is checked to sweep expired lots once per twin day (also at start), ms (0 = never). */
  EXPIRY_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  /** How often channels are polled for orders a webhook missed, ms (0 = never). */
  CHANNEL_POLL_MS: z.coerce.number().int().min(0).default(300_000),
  /** Country the site ships from (ISO alpha-2): domestic vs international services. */
  SITE_COUNTRY: z.string().regex(/^[A-Z]{2}$/).default('GB'),
  /** Password of the demo users seeded from data/users.json into an empty users table; unset: a random one, logged once. */
  DEMO_PASSWORD: z.string().min(8).max(256).optional(),
  /** Users file seeded when the users table is empty. */
  USERS_FILE: z.string().default('data/users.json'),
  /** A sign-in session lasts this long, hours. */
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 90).default(12),
  /** Per API key and per client user: requests/s refill and burst (0 = no limit). */
  RATE_LIMIT_KEY_RPS: z.coerce.number().min(0).default(20),
  RATE_LIMIT_KEY_BURST: z.coerce.number().int().min(1).default(40),
  /** Per tenant, all its keys and users together (0 = no limit). */
  RATE_LIMIT_TENANT_RPS: z.coerce.number().min(0).default(50),
  RATE_LIMIT_TENANT_BURST: z.coerce.number().int().min(1).default(100),
  /** Per signed-in staff user (0 = no limit: the floor's own pages and load runs). */
  RATE_LIMIT_STAFF_RPS: z.coerce.number().min(0).default(0),
  RATE_LIMIT_STAFF_BURST: z.coerce.number().int().min(1).default(200),
  /** Sign-in attempts per e-mail (every attempt counts; guessing is held to this): refill per minute and burst. */
  SIGN_IN_PER_MINUTE: z.coerce.number().positive().default(30),
  SIGN_IN_BURST: z.coerce.number().int().min(1).default(30),
  /** Log lines: `text` (default, the demo) or `json` (production: one object per line; server/ops/log.ts). */
  LOG_FORMAT: z.enum(['text', 'json']).default('text'),
  /** Bearer token that may read /metrics (besides a site manager's credential); unset: site managers only. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** On SIGTERM, how long requests in flight may take to finish before their connections are cut, ms. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  /** With REDIS_URL, sites are decided by whichever process holds their lease (`off`: this process decides all). */
  SITE_LEASES: z.enum(['on', 'off']).default('on'),
  /** This process's name in site leases; a restart under the same name takes its lease back at once. Unique per process. */
  INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/).optional(),
  /** A site lease lapses this long after its owner stopped renewing it, ms: how soon another process takes a dead owner's site. */
  LEASE_TTL_MS: z.coerce.number().int().min(500).max(60_000).default(3000),
  /** Leases are renewed, and free sites tried, this often, ms (well under LEASE_TTL_MS). */
  LEASE_RENEW_MS: z.coerce.number().int().min(100).max(20_000).default(1000),
  /** Where other processes forward this one's sites' requests; default http://<loopback or hostname>:<port>. */
  ADVERTISE_URL: z.string().url().optional(),
});

export type Config = z.infer<typeof Env>;

/** The site files of a configuration: SITE_FILES split at commas, or SITE_FILE alone. */
export function siteFiles(config: Pick<Config, 'SITE_FILE' | 'SITE_FILES'>): string[] {
  return (config.SITE_FILES ?? config.SITE_FILE)
    .split(',')
    .map((file) => file.trim())
    .filter((file) => file.length > 0);
}

export function readConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`bad configuration: ${problems}`);
  }
  if (parsed.data.LEASE_RENEW_MS * 2 > parsed.data.LEASE_TTL_MS) throw new Error('bad configuration: LEASE_RENEW_MS must be at most half of LEASE_TTL_MS');
  const files = siteFiles(parsed.data);
  if (files.length === 0) throw new Error('bad configuration: SITE_FILES names no site file');
  const repeated = files.find((file, i) => files.indexOf(file) !== i);
  if (repeated !== undefined) throw new Error(`bad configuration: SITE_FILES names ${repeated} twice`);
  return parsed.data;
}
