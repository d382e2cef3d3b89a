/**
 * Pure helpers of the staff billing page (no React, no fetch): periods, money, the invoice's own arithmetic check, the
 * rate card as a flat list of editable prices (and back), and a prospect's volumes typed into a form.
 * Money is integer minor units (pence); prices are typed in major units with at most 2 decimals ("0.12" = 12 p).
 */
import type { RateCard } from '../../../server/billing/rate-card.ts';
import type { ProspectVolumes } from '../../../server/billing/simulate.ts';
import type { InvoiceLineView, RateCardBody, RerateLine } from './billing-api.ts';

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real `YYYY-MM-DD` date. */
export function isDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

/** The calendar month (UTC) containing `nowMs`, `monthsBack` months earlier: first and last day, both included. */
export function monthOf(nowMs: number, monthsBack = 0): { from: string; to: string } {
  const now = new Date(nowMs);
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsBack, 1);
  const s = new Date(start);
  const end = Date.UTC(s.getUTCFullYear(), s.getUTCMonth() + 1, 0);
  return { from: new Date(start).toISOString().slice(0, 10), to: new Date(end).toISOString().slice(0, 10) };
}

/** What is wrong with a period as typed (null: nothing). Mirrors the server: real dates, from ≤ to, ≤ 366 days. */
export function periodProblem(from: string, to: string): string | null {
  if (!isDate(from)) return 'Enter the first day as a date.';
  if (!isDate(to)) return 'Enter the last day as a date.';
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (days < 1) return 'The first day must not be after the last day.';
  if (days > 366) return `A period may span at most 366 days (this one has ${days}).`;
  return null;
}

/** Minor units as money, e.g. 123456 GBP → "£1,234.56". */
export function formatMoney(minor: number, currency = 'GBP'): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(minor / 100);
}

/** A unit price in minor units (up to 4 decimals) as money with 2 to 6 decimals, e.g. 14.25 → "£0.1425". */
export function formatUnitPrice(minor: number, currency = 'GBP'): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 6 }).format(minor / 100);
}

/** A signed difference: "+£1.20", "−£0.30", "£0.00". */
export function formatDelta(minor: number, currency = 'GBP'): string {
  if (minor === 0) return formatMoney(0, currency);
  return `${minor > 0 ? '+' : '−'}${formatMoney(Math.abs(minor), currency)}`;
}

/** A quantity with up to 3 decimals and thousands separators. */
export function formatQuantity(n: number): string {
  return new Intl.NumberFormat('en-GB', { maximumFractionDigits: 3 }).format(n);
}

/** Σ line amounts, and whether it equals the invoice's total (the page says so, so a person can trust the figure). */
export function checkTotal(invoice: { readonly lines: readonly Pick<InvoiceLineView, 'amount'>[]; readonly total: number }): { sum: number; matches: boolean } {
  const sum = invoice.lines.reduce((n, l) => n + l.amount, 0);
  return { sum, matches: sum === invoice.total };
}

/** Re-rated lines whose amount changed, largest change first. */
export function changedLines(lines: readonly RerateLine[]): RerateLine[] {
  return lines.filter((l) => l.delta !== 0).sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || a.code.localeCompare(b.code));
}

/** Major-unit text for minor units, for an input: 12 → "0.12", 150000 → "1500.00". */
export function minorToText(minor: number): string {
  return (minor / 100).toFixed(2);
}

/** Parses money typed in major units ("1.5", "0.12", "12") to whole minor units, or an error. */
export function parseMoney(text: string): { ok: true; minor: number } | { ok: false; error: string } {
  const t = text.trim();
  if (!/^\d{1,7}(\.\d{1,2})?$/.test(t)) return { ok: false, error: 'a price like 0.12 (at most 2 decimals, not negative)' };
  const [whole, frac = ''] = t.split('.');
  return { ok: true, minor: Number(whole) * 100 + Number(frac.padEnd(2, '0')) };
}

/** One editable number of a rate card. */
export interface CardField {
  /** Path into the card body, e.g. ['outbound', 'perUnit'] or ['peaks', 0, 'upliftPct']. */
  readonly path: readonly (string | number)[];
  readonly label: string;
  readonly group: string;
  readonly kind: 'money' | 'percent' | 'm3';
  readonly value: number;
}

const SERVICE_LABELS: Readonly<Record<string, string>> = {
  QC_HOLD_RECEIPT: 'Quality hold on receipt, per unit',
  DAMAGE_HANDLING: 'Damaged goods handling, per unit',
  RETURN_INSPECTION: 'Return inspection, per unit',
  RETURN_DISPOSAL: 'Return disposal, per unit',
  CYCLE_COUNT: 'Cycle count, per count',
  KITTING: 'Kitting, per kit',
  GIFT_WRAP: 'Gift wrap, per order',
  RELABEL: 'Relabelling, per unit',
};

/** The card's numbers as a flat list of labelled fields, in the order the page shows them. */
export function cardFields(card: RateCardBody): CardField[] {
  const f: CardField[] = [];
  const money = (group: string, path: (string | number)[], label: string, value: number) => f.push({ group, path, label, kind: 'money', value });
  money('Storage', ['storage', 'pricePerDay'], `Storage per ${card.storage.basis === 'm3' ? 'cubic metre' : card.storage.basis} per day`, card.storage.pricePerDay);
  f.push({ group: 'Storage', path: ['palletVolumeM3'], label: 'Pallet volume (m³)', kind: 'm3', value: card.palletVolumeM3 });
  money('Goods in', ['inbound', 'perReceipt'], 'Per receipt', card.inbound.perReceipt);
  money('Goods in', ['inbound', 'perLine'], 'Per receipt line', card.inbound.perLine);
  money('Goods in', ['inbound', 'perUnit'], 'Per unit received', card.inbound.perUnit);
  money('Goods in', ['inbound', 'perPallet'], 'Per pallet received', card.inbound.perPallet);
  money('Despatch', ['outbound', 'perOrder'], 'Per order despatched', card.outbound.perOrder);
  money('Despatch', ['outbound', 'perLine'], 'Per order line picked', card.outbound.perLine);
  money('Despatch', ['outbound', 'perUnit'], 'Per unit picked', card.outbound.perUnit);
  money('Packaging', ['packaging', 'default'], 'Carton (default)', card.packaging.default);
  for (const code of Object.keys(card.packaging.byCarton).sort()) money('Packaging', ['packaging', 'byCarton', code], `Carton ${code}`, card.packaging.byCarton[code] ?? 0);
  money('Labels', ['labels', 'default'], 'Label cost (default)', card.labels.default);
  for (const code of Object.keys(card.labels.byService).sort()) money('Labels', ['labels', 'byService', code], `Label cost ${code}`, card.labels.byService[code] ?? 0);
  f.push({ group: 'Labels', path: ['labels', 'marginPct'], label: 'Margin on label cost (%)', kind: 'percent', value: card.labels.marginPct });
  money('Returns', ['returns', 'perRma'], 'Per RMA received', card.returns.perRma);
  money('Returns', ['returns', 'perUnit'], 'Per unit returned', card.returns.perUnit);
  for (const code of Object.keys(card.services).sort()) money('Services', ['services', code], SERVICE_LABELS[code] ?? code, card.services[code as keyof typeof card.services] ?? 0);
  money('Minimum', ['minimumMonthly'], 'Minimum charge per month', card.minimumMonthly);
  card.peaks.forEach((p, i) => f.push({ group: 'Peaks', path: ['peaks', i, 'upliftPct'], label: `${p.name} (${p.from} … ${p.to}) uplift (%)`, kind: 'percent', value: p.upliftPct }));
  return f;
}

/** A stable id for a field (input ids, form names). */
export const fieldId = (field: Pick<CardField, 'path'>): string => `card-${field.path.join('-').replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** The text an input starts with for a field. */
export const fieldText = (field: CardField): string => (field.kind === 'money' ? minorToText(field.value) : String(field.value));

/** Parses what was typed into a field: money → minor units; percent 0…1000; m³ 0 < v ≤ 100. */
export function parseField(field: Pick<CardField, 'kind'>, text: string): { ok: true; value: number } | { ok: false; error: string } {
  if (field.kind === 'money') {
    const m = parseMoney(text);
    return m.ok ? { ok: true, value: m.minor } : m;
  }
  const t = text.trim();
  const n = /^\d{1,4}(\.\d{1,3})?$/.test(t) ? Number(t) : Number.NaN;
  if (field.kind === 'percent') return Number.isFinite(n) && n <= 1000 ? { ok: true, value: n } : { ok: false, error: 'a percentage from 0 to 1000' };
  return Number.isFinite(n) && n > 0 && n <= 100 ? { ok: true, value: n } : { ok: false, error: 'a volume above 0 and at most 100 m³' };
}

/** A copy of `value` with the number at `path` replaced (objects and arrays along the path are copied, never mutated). */
function setAt(value: unknown, path: readonly (string | number)[], next: number): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) return (value as unknown[]).map((v, i) => (i === head ? setAt(v, rest, next) : v));
  const record = (value ?? {}) as Record<string, unknown>;
  return { ...record, [head]: setAt(record[head], rest, next) };
}

/**
 * The card with every field's typed text applied, or the fields that are wrong (by field id). Texts missing from
 * `texts` keep the card's value.
 */
export function applyFields(card: RateCardBody, texts: Readonly<Record<string, string>>): { ok: true; card: RateCardBody } | { ok: false; errors: Record<string, string> } {
  let out: unknown = card;
  const errors: Record<string, string> = {};
  for (const field of cardFields(card)) {
    const text = texts[fieldId(field)];
    if (text === undefined) continue;
    const parsed = parseField(field, text);
    if (!parsed.ok) errors[fieldId(field)] = `${field.label}: ${parsed.error}`;
    else out = setAt(out, field.path, parsed.value);
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, card: out as RateCardBody };
}

/** The body the routes take: the card without its tenantId (which comes from the path). */
export function cardBody(card: RateCard | RateCardBody): RateCardBody {
  const { tenantId: _tenantId, ...body } = card as RateCard;
  return body;
}

/** The prospect form's fields, with what each means. */
export const VOLUME_FIELDS: readonly { readonly key: Exclude<keyof ProspectVolumes, 'cartonCode' | 'carrierService'>; readonly label: string; readonly optional?: boolean }[] = [
  { key: 'ordersPerDay', label: 'Orders per day' },
  { key: 'linesPerOrder', label: 'Lines per order' },
  { key: 'unitsPerLine', label: 'Units per line' },
  { key: 'palletsStored', label: 'Pallets stored (average day)' },
  { key: 'receipts', label: 'Receipts in the period' },
  { key: 'linesPerReceipt', label: 'Lines per receipt' },
  { key: 'unitsPerReceiptLine', label: 'Units per receipt line' },
  { key: 'palletsPerReceipt', label: 'Pallets per receipt', optional: true },
  { key: 'returns', label: 'Returns (RMAs) in the period' },
  { key: 'unitsPerReturn', label: 'Units per return' },
];

/** A plausible small e-commerce brand, as the form starts. */
export const DEFAULT_VOLUMES: Readonly<Record<string, string>> = {
  ordersPerDay: '120',
  linesPerOrder: '1.8',
  unitsPerLine: '1.3',
  palletsStored: '40',
  receipts: '8',
  linesPerReceipt: '12',
  unitsPerReceiptLine: '150',
  palletsPerReceipt: '2',
  returns: '60',
  unitsPerReturn: '1.1',
};

/** Volumes from the form's texts (each 0 … 1,000,000, up to 3 decimals; an empty optional field is left out). */
export function parseVolumes(texts: Readonly<Record<string, string>>): { ok: true; volumes: ProspectVolumes } | { ok: false; errors: Record<string, string> } {
  const out: Record<string, number> = {};
  const errors: Record<string, string> = {};
  for (const f of VOLUME_FIELDS) {
    const t = (texts[f.key] ?? '').trim();
    if (t === '' && f.optional) continue;
    const n = /^\d{1,7}(\.\d{1,3})?$/.test(t) ? Number(t) : Number.NaN;
    if (!Number.isFinite(n) || n > 1_000_000) errors[f.key] = `${f.label}: a number from 0 to 1,000,000`;
    else out[f.key] = n;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, volumes: out as unknown as ProspectVolumes };
}

/** One drill-down item as a sentence: "2026-11-27 · order X pick T1 · 2 unit · events #6953 PickConfirmed". */
export function drillItemText(item: { readonly day: string; readonly ref: string; readonly quantity: number; readonly seqs: readonly number[]; readonly events: readonly { readonly seq: number; readonly event: { readonly type: string } }[] }, unit: string): string {
  const events = item.events.length > 0 ? item.events.map((e) => `#${e.seq} ${e.event.type}`) : item.seqs.map((s) => `#${s}`);
  return `${item.day} · ${item.ref} · ${formatQuantity(item.quantity)} ${unit}${events.length > 0 ? ` · events ${events.join(', ')}` : ''}`;
}
