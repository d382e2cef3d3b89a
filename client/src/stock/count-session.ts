/**
 * A blind cycle count on the handheld, without React (R34, R35): which count to do next, the (SKU, lot) lines found
 * so far — each scan adds one unit, or the GS1 count it carries; the counter may set a line's figure — and the
 * submission. There is no expected quantity anywhere here: the server never sends one to a counter, and the page
 * has nothing to show. Immutable: each step returns a new draft. A serial-tracked item (twin R80) is counted by
 * serial: each unit's serial is scanned, distinct across the count, and the line's figure is its serials.
 */
import { addSerial, removeSerial, type SerialScanOutcome } from '../views/serial-scan.ts';
import type { BlindCountView, CatalogueItem, CountLineRequest } from './stock-api.ts';

/** One (SKU, lot) found in the bin. */
export interface CountLine {
  readonly key: string;
  readonly skuId: string;
  readonly description: string;
  readonly lot: string;
  readonly expiry: string | null;
  readonly qty: number;
  /** Serial-tracked items only: the serials found, one per unit (`qty` is their number). */
  readonly serials?: readonly string[];
}

/** The count being done. */
export interface CountDraft {
  readonly countId: string;
  readonly locationId: string;
  readonly attempt: number;
  readonly lines: readonly CountLine[];
}

/** A count this counter can do: open or asked again (recount), or one they started and have not submitted. */
export function nextCount(counts: readonly BlindCountView[], counterId: string): BlindCountView | null {
  const mine = counts.find((c) => (c.status === 'counting' || c.status === 'recounting') && c.counterId === counterId);
  return mine ?? counts.find((c) => c.status === 'recount') ?? counts.find((c) => c.status === 'open') ?? null;
}

/** An empty draft for a count just started. */
export function startDraft(count: Pick<BlindCountView, 'id' | 'locationId' | 'attempt'>): CountDraft {
  return { countId: count.id, locationId: count.locationId, attempt: count.attempt, lines: [] };
}

const keyOf = (skuId: string, lot: string): string => `${skuId}\u0000${lot}`;

/** Adds units of an item (one by default, or the scan's GS1 count) to its (SKU, lot) line. */
export function addFound(draft: CountDraft, item: Pick<CatalogueItem, 'skuId' | 'description'>, lot: string, expiry: string | null, units = 1): { draft: CountDraft; line: CountLine } {
  const key = keyOf(item.skuId, lot);
  const existing = draft.lines.find((l) => l.key === key);
  const line: CountLine = existing === undefined
    ? { key, skuId: item.skuId, description: item.description, lot, expiry, qty: units }
    : { ...existing, qty: existing.qty + units, expiry: existing.expiry ?? expiry };
  const lines = existing === undefined ? [...draft.lines, line] : draft.lines.map((l) => (l.key === key ? line : l));
  return { draft: { ...draft, lines }, line };
}

/**
 * Adds one unit of a serial-tracked item by its serial to its (SKU, lot) line. A serial already counted anywhere in
 * the count, or one that is no serial, is refused (`outcome`) and the draft is unchanged.
 */
export function addFoundSerial(draft: CountDraft, item: Pick<CatalogueItem, 'skuId' | 'description'>, lot: string, expiry: string | null, raw: string): { draft: CountDraft; outcome: SerialScanOutcome } {
  const everywhere = draft.lines.flatMap((l) => l.serials ?? []);
  const checked = addSerial(everywhere, raw, Number.MAX_SAFE_INTEGER);
  if (checked.outcome.kind !== 'added') return { draft, outcome: checked.outcome };
  const serial = checked.outcome.serial;
  const key = keyOf(item.skuId, lot);
  const existing = draft.lines.find((l) => l.key === key);
  const serials = [...(existing?.serials ?? []), serial];
  const line: CountLine = existing === undefined
    ? { key, skuId: item.skuId, description: item.description, lot, expiry, qty: 1, serials }
    : { ...existing, qty: serials.length, serials, expiry: existing.expiry ?? expiry };
  const lines = existing === undefined ? [...draft.lines, line] : draft.lines.map((l) => (l.key === key ? line : l));
  return { draft: { ...draft, lines }, outcome: checked.outcome };
}

/** Takes one serial off its line (scanned by mistake); the line's figure follows. */
export function removeFoundSerial(draft: CountDraft, key: string, serial: string): CountDraft {
  return {
    ...draft,
    lines: draft.lines.map((l) => {
      if (l.key !== key || l.serials === undefined) return l;
      const serials = removeSerial(l.serials, serial);
      return { ...l, serials, qty: serials.length };
    }),
  };
}

/** Sets a line's figure (the counter counted a stack by hand); 0 keeps the line (found none of it). A serial line's figure is its serials. */
export function setFound(draft: CountDraft, key: string, qty: number): CountDraft {
  if (!Number.isSafeInteger(qty) || qty < 0) return draft;
  if (draft.lines.some((l) => l.key === key && l.serials !== undefined)) return draft;
  return { ...draft, lines: draft.lines.map((l) => (l.key === key ? { ...l, qty } : l)) };
}

/** Takes a line off (scanned by mistake). */
export function removeLine(draft: CountDraft, key: string): CountDraft {
  return { ...draft, lines: draft.lines.filter((l) => l.key !== key) };
}

/** Units found in all. */
export const unitsFound = (draft: CountDraft): number => draft.lines.reduce((n, l) => n + l.qty, 0);

/** The submission's lines: every (SKU, lot) found; one not listed was not found (R35). */
export function countLines(draft: CountDraft): CountLineRequest[] {
  return draft.lines.map((l) => ({
    skuId: l.skuId,
    qty: l.qty,
    ...(l.lot === '' ? {} : { lot: l.lot }),
    ...(l.expiry === null ? {} : { expiry: l.expiry }),
    ...(l.serials === undefined || l.serials.length === 0 ? {} : { serials: [...l.serials] }),
  }));
}

/** What to tell the counter after a submission (R36): never a figure, only what happens next. */
export function describeSubmitted(count: Pick<BlindCountView, 'status' | 'locationId'>): { tone: 'good' | 'info'; text: string; recount: boolean } {
  switch (count.status) {
    case 'adjusted':
      return { tone: 'good', text: `Count of ${count.locationId} accepted.`, recount: false };
    case 'recount':
      return { tone: 'info', text: `Recount asked: count ${count.locationId} again from the start.`, recount: true };
    case 'pending-approval':
      return { tone: 'info', text: `Count of ${count.locationId} sent to a supervisor for approval.`, recount: false };
    case 'rejected':
      return { tone: 'info', text: `Count of ${count.locationId} was rejected.`, recount: false };
    case 'open':
    case 'counting':
    case 'recounting':
      return { tone: 'info', text: `Count of ${count.locationId} is ${count.status}.`, recount: false };
  }
}
