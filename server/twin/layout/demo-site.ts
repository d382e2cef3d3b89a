/**
 * The demo site's parameters and seed. `data/generate-demo.ts` writes its files from these; a simulator or test can
 * generate the same site in memory with `generateSite(DEMO_SITE_PARAMS, DEMO_SITE_SEED)`.
 */
import type { SiteParams } from './generator.ts';

/** 2 blocks × 16 aisles × 25 bays × 5 levels × 2 sides = 8,000 pick locations; ~2,000 SKUs; 3 tenants. */
export const DEMO_SITE_PARAMS: SiteParams = {
  id: 'demo',
  name: 'Floortwin demo DC',
  aisles: 16,
  blocks: 2,
  baysPerBlock: 25,
  levels: 5,
  bayLength: 1,
  aisleSpacing: 3,
  crossAisleWidth: 2,
  // Mid-front, between aisles 8 and 9, where a despatch dock usually is.
  depotX: 22.5,
  levelHeight: 1.2,
  binDepth: 0.75,
  capacityUnits: 100,
  skuCount: 2000,
  tenants: 3,
  stockFillRatio: 0.85,
  baseDate: '2026-11-01',
};

/** Seed of the demo site (changing it changes the committed data files). */
export const DEMO_SITE_SEED = 20261101;
