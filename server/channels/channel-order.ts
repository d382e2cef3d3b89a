/** What a sales-channel order maps to before it becomes twin commands: shared by the Shopify and WooCommerce mappers. */
import type { Address } from '../twin/commands.ts';
import { createHash } from 'node:crypto';

/** A delivery address as the twin takes it. */
export type ChannelAddress = Address;

/** One line to ship: the channel's SKU code (our SKU id) and the units still to fulfil. */
export interface ChannelOrderLine {
  readonly skuCode: string;
  readonly qty: number;
}

export interface ChannelOrder {
  /** The channel's order id (`externalId`), stored as the twin order's externalRef. */
  readonly externalRef: string;
  readonly lines: readonly ChannelOrderLine[];
  readonly shipTo: ChannelAddress | null;
  /** 'standard' | 'express' | 'next-day', or null when the order names no shipping line. */
  readonly service: string | null;
  /** 0..9, higher is more urgent. */
  readonly priority: number;
}

/** Outcome of mapping one channel payload. `ignore` names why the order is not (yet) for the warehouse. */
export type OrderMapping =
  | {
      readonly ok: true;
      /** Stable id of the order on the channel (Shopify GID, WooCommerce numeric id as a string). */
      readonly externalId: string;
      /** The channel's last-modified time of this version, ISO 8601 UTC; later versions win. */
      readonly updatedAt: string;
      readonly cancelled: boolean;
      readonly ignore?: string;
      readonly order: ChannelOrder;
    }
  | { readonly ok: false; readonly error: string };

/** What the mappers need of a connection. `skuByItem` maps a channel item id (Woo 'productId' or 'productId/variationId') to a SKU id. */
export interface MappingConnection {
  readonly id: string;
  readonly tenantId: string;
  readonly skuByItem?: ReadonlyMap<string, string>;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:#-]*$/;

/**
 * The twin order id of a channel order: `<connectionId>-<channel id>` (a Shopify GID contributes its numeric tail),
 * or `<connectionId>-h<hash>` when that would not be a valid id (≤ 64 chars of letters, digits, . _ : # -).
 */
export function orderIdFor(connectionId: string, externalId: string): string {
  const tail = externalId.startsWith('gid://') ? (externalId.split('/').pop() ?? externalId) : externalId;
  const plain = `${connectionId}-${tail}`;
  if (plain.length <= 64 && ID.test(plain)) return plain;
  const hash = createHash('sha256').update(`${connectionId}\n${externalId}`).digest('hex').slice(0, 20);
  return `${connectionId.slice(0, 40)}-h${hash}`;
}

/** Canonical service and priority from a shipping method's code or title (words like express, next day, overnight). */
export function serviceFrom(text: string | null): { service: string | null; priority: number } {
  if (text === null) return { service: null, priority: 0 };
  const words = text.toLowerCase();
  if (/next[\s_-]?day|overnight|same[\s_-]?day|\bnd\b|24\s?h/.test(words)) return { service: 'next-day', priority: 7 };
  if (/express|priority|expedited|rush|premium/.test(words)) return { service: 'express', priority: 5 };
  return { service: 'standard', priority: 0 };
}

/** An ISO timestamp normalised to UTC, or null when `value` is not a date. Dates without an offset are read as UTC. */
export function isoUtc(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = /(?:Z|[+-]\d\d:?\d\d)$/i.test(value) ? value : `${value}Z`;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** A channel id (number or exact big-integer string) as a string, or null. */
export function idText(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

/** A trimmed non-empty string, or undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Adds up lines of the same SKU, keeping first-seen order. */
export function mergeLines(lines: readonly ChannelOrderLine[]): ChannelOrderLine[] {
  const bySku = new Map<string, number>();
  for (const line of lines) bySku.set(line.skuCode, (bySku.get(line.skuCode) ?? 0) + line.qty);
  return [...bySku].map(([skuCode, qty]) => ({ skuCode, qty }));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
