/**
 * Parametric sites of any size, seeded: a rack-aisle layout, a catalogue with a skewed (Zipf) demand profile, GTIN-13
 * barcodes and ~10% lot-tracked SKUs, and initial stock that respects capacity. Pure and deterministic: the same
 * params and seed give the same site; dates are computed from `baseDate`, never from a clock.
 */
import type { ReceiveStock } from '../commands.ts';
import type { SiteDefinition, Sku, Tenant } from '../site.ts';
import { asLocationId, asSiteId, asSkuId, asTenantId } from '../ids.ts';
import type { Rng } from '../rng.ts';
import { createRng, randomInt, shuffle } from '../rng.ts';
import { gtinCheckDigit } from '../catalogue/catalogue.ts';
import type { Location } from './types.ts';
import type { FloortwinLayoutDocument, ZoneRule } from './floortwin-layout.ts';
import { FLOORTWIN_LAYOUT_FORMAT, layoutFromFloortwin } from './floortwin-layout.ts';
import { RACK_AISLE_FORMAT, parseRackAisle } from './rack-aisle.ts';

/** What to generate. Lengths in metres; counts whole. */
export interface SiteParams {
  readonly id: string;
  readonly name: string;
  readonly aisles: number;
  readonly blocks: number;
  readonly baysPerBlock: number;
  readonly levels: number;
  /** Default 1.0 m. */
  readonly bayLength?: number;
  /** Default 3.0 m. */
  readonly aisleSpacing?: number;
  /** Default 2.0 m. */
  readonly crossAisleWidth?: number;
  /** Depot x on the front cross-aisle; default 0. */
  readonly depotX?: number;
  /** Default 1.2 m. */
  readonly levelHeight?: number;
  /** Default 0.75 m (must stay below aisleSpacing / 2). */
  readonly binDepth?: number;
  /** Default 100. */
  readonly capacityUnits?: number;
  readonly zones?: readonly ZoneRule[];
  readonly skuCount: number;
  /** How many tenants (named from a built-in list), or the tenants themselves. */
  readonly tenants: number | readonly Tenant[];
  /** Share of locations that hold stock, 0..1. */
  readonly stockFillRatio: number;
  /** `YYYY-MM-DD`; lot expiries are 30..540 days after it. */
  readonly baseDate: string;
  /** Default 0.1. */
  readonly lotTrackedShare?: number;
  /** Zipf exponent of demand by rank; default 1 (about 80% of demand on 20% of SKUs for ~2,000 SKUs). */
  readonly zipfExponent?: number;
  /** Most locations one SKU is stocked in; default 8. */
  readonly maxLocationsPerSku?: number;
}

const TENANT_NAMES: readonly Tenant[] = [
  { id: asTenantId('acme'), name: 'Acme Outdoor' },
  { id: asTenantId('bloom'), name: 'Bloom Beauty' },
  { id: asTenantId('cobalt'), name: 'Cobalt Electronics' },
  { id: asTenantId('delta'), name: 'Delta Homeware' },
  { id: asTenantId('ember'), name: 'Ember Foods' },
];

/** The tenants a params object asks for. */
export function siteTenants(params: SiteParams): Tenant[] {
  if (typeof params.tenants !== 'number') return [...params.tenants];
  return Array.from({ length: params.tenants }, (_, i) =>
    TENANT_NAMES[i] ?? { id: asTenantId(`tenant-${i + 1}`), name: `Tenant ${i + 1}` });
}

/** The `floortwin-layout/1` document of a params object (what `data/layouts/*.json` holds). */
export function siteLayoutDocument(params: SiteParams): FloortwinLayoutDocument {
  const doc: { -readonly [K in keyof FloortwinLayoutDocument]: FloortwinLayoutDocument[K] } = {
    format: FLOORTWIN_LAYOUT_FORMAT,
    id: params.id,
    name: params.name,
    rackAisle: {
      format: RACK_AISLE_FORMAT,
      id: params.id,
      aisles: params.aisles,
      blocks: params.blocks,
      baysPerBlock: params.baysPerBlock,
      levels: params.levels,
      bayLength: params.bayLength ?? 1,
      aisleSpacing: params.aisleSpacing ?? 3,
      crossAisleWidth: params.crossAisleWidth ?? 2,
      depot: { x: params.depotX ?? 0 },
    },
    levelHeight: params.levelHeight ?? 1.2,
    binDepth: params.binDepth ?? 0.75,
    capacityUnits: params.capacityUnits ?? 100,
  };
  if (params.zones !== undefined) doc.zones = params.zones;
  return doc;
}

interface Kind {
  readonly nouns: readonly string[];
  /** Ranges of unit length, width, height (m) and density (kg/m³). */
  readonly l: readonly [number, number];
  readonly w: readonly [number, number];
  readonly h: readonly [number, number];
  readonly density: readonly [number, number];
}

const KINDS: readonly Kind[] = [
  { nouns: ['T-shirt', 'Hoodie', 'Fleece', 'Beanie', 'Rain jacket'], l: [0.25, 0.4], w: [0.2, 0.3], h: [0.03, 0.1], density: [150, 300] },
  { nouns: ['Phone case', 'USB cable', 'Charger', 'Earbuds', 'Power bank'], l: [0.08, 0.2], w: [0.05, 0.12], h: [0.02, 0.05], density: [300, 700] },
  { nouns: ['Water bottle', 'Mug', 'Lunch box', 'Candle', 'Vase'], l: [0.08, 0.25], w: [0.08, 0.2], h: [0.1, 0.3], density: [200, 500] },
  { nouns: ['Notebook', 'Puzzle', 'Board game', 'Picture frame'], l: [0.15, 0.4], w: [0.1, 0.3], h: [0.02, 0.08], density: [300, 600] },
  { nouns: ['Headphones', 'Desk lamp', 'Speaker', 'Kettle'], l: [0.15, 0.35], w: [0.12, 0.3], h: [0.1, 0.3], density: [150, 350] },
];
const PERISHABLE: Kind = {
  nouns: ['Vitamin C tablets', 'Face serum', 'Protein bar box', 'Coffee beans', 'Sun cream', 'Herbal tea'],
  l: [0.05, 0.2], w: [0.04, 0.15], h: [0.05, 0.2], density: [400, 900],
};
const ADJECTIVES = ['Classic', 'Sport', 'Eco', 'Mini', 'Pro', 'Travel', 'Deluxe', 'Urban', 'Nordic', 'Essential', 'Bold', 'Soft'];
const COLOURS = ['black', 'white', 'navy', 'sage', 'coral', 'sand', 'slate', 'ochre', 'teal', 'plum'];

const uniform = (rng: Rng, [lo, hi]: readonly [number, number]): number => lo + rng.next() * (hi - lo);
const roundTo = (x: number, step: number): number => Math.round(x / step) * step;
const cm = (x: number): number => Number(roundTo(x, 0.01).toFixed(2));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[randomInt(rng, 0, items.length - 1)]!;

/** A 13-digit GTIN: GS1 UK prefix 50, a 5-digit company number per tenant, a 5-digit item number, check digit. */
export function makeGtin13(tenantIndex: number, itemNumber: number): string {
  if (itemNumber < 0 || itemNumber > 99_999) throw new Error('makeGtin13: item number out of range');
  const body = `50${String(10_000 + tenantIndex * 731).padStart(5, '0').slice(-5)}${String(itemNumber).padStart(5, '0')}`;
  return `${body}${gtinCheckDigit(body)}`;
}

/** `YYYY-MM-DD` plus a number of days. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function generateSkus(params: SiteParams, tenants: readonly Tenant[], rng: Rng, binFit: { l: number; w: number; h: number }): Sku[] {
  const n = params.skuCount;
  const s = params.zipfExponent ?? 1;
  const lotShare = params.lotTrackedShare ?? 0.1;
  // Tenants get shares ∝ 1/(k + 1): a big client, a middle one, a small one.
  const tenantCum: number[] = [];
  let total = 0;
  for (let k = 0; k < tenants.length; k++) tenantCum.push((total += 1 / (k + 1)));
  const ranks = shuffle(rng, Array.from({ length: n }, (_, i) => i + 1));
  const itemNumbers = new Array<number>(tenants.length).fill(0);
  const skus: Sku[] = [];
  for (let i = 0; i < n; i++) {
    const target = rng.next() * total;
    const t = Math.max(0, tenantCum.findIndex((c) => c > target));
    const tenant = tenants[t]!;
    const lotTracked = rng.next() < lotShare;
    const kind = lotTracked ? PERISHABLE : pick(rng, KINDS);
    const l = Math.min(cm(uniform(rng, kind.l)), binFit.l);
    const w = Math.min(cm(uniform(rng, kind.w)), binFit.w);
    const h = Math.min(cm(uniform(rng, kind.h)), binFit.h);
    const weight = Math.max(0.02, Number((l * w * h * uniform(rng, kind.density)).toFixed(3)));
    const item = (itemNumbers[t] = (itemNumbers[t] ?? 0) + 1);
    skus.push({
      id: asSkuId(`SKU-${String(i + 1).padStart(5, '0')}`),
      tenantId: tenant.id,
      description: `${pick(rng, ADJECTIVES)} ${pick(rng, kind.nouns).toLowerCase()}, ${pick(rng, COLOURS)}`.replace(/^./, (c) => c.toUpperCase()),
      barcode: makeGtin13(t, item),
      lengthM: l,
      widthM: w,
      heightM: h,
      weightKg: weight,
      demandWeight: Number((1 / ranks[i]! ** s).toPrecision(6)),
      lotTracked,
    });
  }
  return skus;
}

/** How many locations each SKU gets: one each (while locations last), the rest ∝ demand, capped per SKU. */
function locationCounts(skus: readonly Sku[], slots: number, cap: number): number[] {
  const order = skus.map((_, i) => i).sort((a, b) => skus[b]!.demandWeight - skus[a]!.demandWeight || a - b);
  const counts = new Array<number>(skus.length).fill(0);
  const base = Math.min(slots, skus.length);
  for (let k = 0; k < base; k++) counts[order[k]!] = 1;
  let extra = slots - base;
  if (extra <= 0) return counts;
  const totalWeight = skus.reduce((a, s) => a + s.demandWeight, 0);
  // Scale the proportional share until the capped extras use up the slots (monotone in the scale: bisect).
  const extrasAt = (scale: number): number =>
    skus.reduce((a, s) => a + Math.min(cap - 1, Math.floor((s.demandWeight / totalWeight) * scale)), 0);
  let lo = 0;
  let hi = extra;
  while (extrasAt(hi) < extra && hi < 1e12) hi *= 2;
  for (let it = 0; it < 100; it++) {
    const mid = (lo + hi) / 2;
    if (extrasAt(mid) <= extra) lo = mid;
    else hi = mid;
  }
  for (const [i, s] of skus.entries()) {
    const add = Math.min(cap - 1, Math.floor((s.demandWeight / totalWeight) * lo));
    counts[i]! += add;
    extra -= add;
  }
  // Hand out what rounding left over to the fastest movers still under the cap.
  for (let k = 0; extra > 0 && k < order.length; k++) {
    const i = order[k]!;
    if (counts[i]! < cap) {
      counts[i]! += 1;
      extra -= 1;
    }
  }
  return counts;
}

/**
 * Generates a site and its initial stock. Each stocked location holds one SKU (and one lot for lot-tracked SKUs) and
 * never more units than its capacity or than fit by volume; fast movers are stocked in several locations.
 */
export function generateSite(params: SiteParams, seed: number): { site: SiteDefinition; initialStock: ReceiveStock[] } {
  const doc = siteLayoutDocument(params);
  const check = parseRackAisle(doc.rackAisle);
  if (!check.ok) throw new Error(`generateSite: ${check.error}`);
  if (!Number.isInteger(params.skuCount) || params.skuCount < 1) throw new Error('generateSite: skuCount must be a positive integer');
  if (!(params.stockFillRatio >= 0 && params.stockFillRatio <= 1)) throw new Error('generateSite: stockFillRatio must be within 0..1');
  const layout = layoutFromFloortwin(doc);
  const tenants = siteTenants(params);
  if (tenants.length === 0) throw new Error('generateSite: at least one tenant');
  const rng = createRng(seed);
  const bin = layout.locations[0]!;
  const skus = generateSkus(params, tenants, rng, { l: bin.width * 0.9, w: bin.depth * 0.9, h: bin.height * 0.9 });

  const slots = Math.floor(params.stockFillRatio * layout.locations.length);
  const counts = locationCounts(skus, slots, Math.max(1, params.maxLocationsPerSku ?? 8));
  const free: Location[] = shuffle(rng, [...layout.locations]);
  const stock: { loc: Location; cmd: ReceiveStock }[] = [];
  let next = 0;
  for (const [i, sku] of skus.entries()) {
    for (let c = 0; c < counts[i]!; c++) {
      const loc = free[next++];
      if (loc === undefined) break;
      const fit = Math.floor((loc.width * loc.depth * loc.height * 0.8) / (sku.lengthM * sku.widthM * sku.heightM));
      const max = Math.max(1, Math.min(loc.capacityUnits, fit));
      const qty = randomInt(rng, Math.max(1, Math.ceil(max * 0.3)), max);
      const cmd: { -readonly [K in keyof ReceiveStock]: ReceiveStock[K] } = {
        type: 'receiveStock',
        tenantId: sku.tenantId,
        locationId: asLocationId(loc.id),
        skuId: sku.id,
        qty,
      };
      if (sku.lotTracked) {
        const expiry = addDays(params.baseDate, randomInt(rng, 30, 540));
        cmd.lot = `L${expiry.replace(/-/g, '').slice(2)}-${String(randomInt(rng, 1, 99)).padStart(2, '0')}`;
        cmd.expiry = expiry;
      }
      stock.push({ loc, cmd });
    }
  }
  stock.sort((a, b) => a.loc.index - b.loc.index);
  return {
    site: { id: asSiteId(params.id), name: params.name, layout, skus, tenants },
    initialStock: stock.map((s) => s.cmd),
  };
}
