/**
 * A prospect's invoice from declared volumes (pure): the volumes become usage contributions day by day, then the same
 * `rateUsage` as a real invoice prices them, so peak periods and the minimum apply exactly as they would.
 */
import { roundQuantity } from './money.ts';
import { daysOf, type BillingPeriod, type RateCard } from './rate-card.ts';
import { rateUsage, type Invoice } from './invoice.ts';
import type { Contribution, MeterKind } from './usage.ts';

/** What a prospect expects. Per-day figures apply to every day of the period; per-period ones are spread evenly. */
export interface ProspectVolumes {
  readonly ordersPerDay: number;
  readonly linesPerOrder: number;
  readonly unitsPerLine: number;
  /** Pallets stored on an average day. */
  readonly palletsStored: number;
  /** Inbound receipts in the period, with their lines and units. */
  readonly receipts: number;
  readonly linesPerReceipt: number;
  readonly unitsPerReceiptLine: number;
  /** Pallets per receipt (default 1). */
  readonly palletsPerReceipt?: number;
  /** RMAs in the period, units per RMA. */
  readonly returns: number;
  readonly unitsPerReturn: number;
  /** Carton code used for every order (default: the card's default carton price). */
  readonly cartonCode?: string;
  /** `carrier:service` labelled for every order (default: the card's default label cost). */
  readonly carrierService?: string;
}

/** The simulated invoice of `volumes` over `period` under `card`. Storage: a pallet takes one location. */
export function simulateInvoice(volumes: ProspectVolumes, card: RateCard, period: BillingPeriod): Invoice {
  const days = daysOf(period);
  const out: Contribution[] = [];
  const add = (kind: MeterKind, variant: string, day: string, quantity: number, ref: string): void => {
    const q = roundQuantity(quantity);
    if (q !== 0) out.push({ kind, variant, day, quantity: q, seqs: [], ref });
  };
  // Per-period figures are spread over the days in whole thousandths that add up exactly to the figure.
  const share = (n: number, i: number): number => {
    const milli = Math.round(n * 1000);
    return (Math.floor(((i + 1) * milli) / days.length) - Math.floor((i * milli) / days.length)) / 1000;
  };
  days.forEach((day, i) => {
    const orders = volumes.ordersPerDay;
    const lines = orders * volumes.linesPerOrder;
    add('outbound-orders', '', day, orders, `simulated ${day}`);
    add('outbound-lines', '', day, lines, `simulated ${day}`);
    add('outbound-units', '', day, lines * volumes.unitsPerLine, `simulated ${day}`);
    add('cartons', volumes.cartonCode ?? '', day, orders, `simulated ${day}`);
    add('labels', volumes.carrierService ?? 'default', day, orders, `simulated ${day}`);
    add('storage-location-days', '', day, volumes.palletsStored, `simulated ${day}`);
    add('storage-pallet-days', '', day, volumes.palletsStored, `simulated ${day}`);
    add('storage-m3-days', '', day, volumes.palletsStored * card.palletVolumeM3, `simulated ${day}`);
    const receipts = share(volumes.receipts, i);
    add('inbound-receipts', '', day, receipts, `simulated ${day}`);
    add('inbound-lines', '', day, receipts * volumes.linesPerReceipt, `simulated ${day}`);
    add('inbound-units', '', day, receipts * volumes.linesPerReceipt * volumes.unitsPerReceiptLine, `simulated ${day}`);
    add('inbound-pallets', '', day, receipts * (volumes.palletsPerReceipt ?? 1), `simulated ${day}`);
    const rmas = share(volumes.returns, i);
    add('return-rmas', '', day, rmas, `simulated ${day}`);
    add('return-units', '', day, rmas * volumes.unitsPerReturn, `simulated ${day}`);
  });
  return rateUsage({ tenantId: card.tenantId, period, contributions: out, snapshots: [], throughSeq: 0 }, card, { simulated: true });
}
