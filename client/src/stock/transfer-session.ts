/**
 * Transfers between sites on the handheld, without React (twin SPEC R71–R78). Out: each line is picked by scanning its
 * bin and, for a serial-tracked SKU, one serial per unit; once every line is picked the transfer can be despatched
 * (the units move into transit). In: a scanned item names the line it belongs to; units, damaged units and a reason
 * (needed for damaged units or units beyond the line, as the twin asks) make a dock receipt; a short transfer needs a
 * reason to close. A despatched transfer the other site refused (R76a) is listed with the refusal and can be returned
 * into stock here with a reason. The checks here only name the field to fix — the twin decides.
 */
import { addSerial, type SerialScanOutcome } from '../views/serial-scan.ts';
import { sameLocation } from './move-session.ts';
import type { InboundLineView, InboundTransferView, OutboundLineView, OutboundTransferView } from './stock-api.ts';

/** The serial scanning the transfer modes share with the other handheld flows. */
export { addSerial, removeSerial, type SerialScanOutcome } from '../views/serial-scan.ts';

// ---- out ---------------------------------------------------------------------------------------------------------

/** The first line still to pick, in line order; null when every line is picked. */
export const nextLineToPick = (t: OutboundTransferView): OutboundLineView | null => t.lines.find((l) => !l.picked) ?? null;

/** A despatched transfer the destination refused, waiting for the desk to bring its units back (R76a). */
export const awaitsReturn = (t: OutboundTransferView): boolean => t.status === 'despatched' && t.refusal !== null;

/** What the Transfer out list offers: transfers to pick (`created`) and refused ones to return, each oldest first as listed. */
export function outboundWork(all: readonly OutboundTransferView[]): { toPick: OutboundTransferView[]; refused: OutboundTransferView[] } {
  return { toPick: all.filter((t) => t.status === 'created'), refused: all.filter(awaitsReturn) };
}

/** Most characters a return reason may have (the twin's limit, R76a). */
export const MAX_REASON = 200;

/** The reason a return sends, trimmed; the field to fix when it is empty or too long. */
export function returnReasonOf(raw: string): { ok: true; reason: string } | { ok: false; problem: string } {
  const reason = raw.trim();
  if (reason === '') return { ok: false, problem: 'Give a reason to return the units.' };
  if (reason.length > MAX_REASON) return { ok: false, problem: `A reason has at most ${MAX_REASON} characters.` };
  return { ok: true, reason };
}

/** A `created` transfer whose every line is picked may be despatched (R73). */
export const readyToDespatch = (t: OutboundTransferView): boolean => t.status === 'created' && t.lines.every((l) => l.picked);

/** Where the operative is on one line: the bin first, then (serial-tracked) the serials. */
export interface LinePick {
  readonly lineNo: number;
  readonly sourceScan: string | null;
  readonly serials: readonly string[];
}

export const startLinePick = (line: OutboundLineView): LinePick => ({ lineNo: line.lineNo, sourceScan: null, serials: [] });

/** What a scan on a line did. */
export type LinePickOutcome =
  | { readonly kind: 'bin-ok' }
  | { readonly kind: 'wrong-bin'; readonly scanned: string; readonly expected: string }
  | { readonly kind: 'serial'; readonly outcome: SerialScanOutcome }
  /** Everything the line needs is scanned: send it. */
  | { readonly kind: 'ready' };

/** Applies one scan: the line's bin (a wrong one records nothing), then its serials until there is one per unit. */
export function scanLinePick(state: LinePick, line: OutboundLineView, raw: string): { state: LinePick; outcome: LinePickOutcome } {
  const code = raw.trim();
  if (state.sourceScan === null) {
    if (!sameLocation(code, line.fromLocationId)) return { state, outcome: { kind: 'wrong-bin', scanned: code, expected: line.fromLocationId } };
    const next = { ...state, sourceScan: code };
    return { state: next, outcome: line.serialTracked ? { kind: 'bin-ok' } : { kind: 'ready' } };
  }
  const added = addSerial(state.serials, code, line.qty);
  const next = { ...state, serials: added.serials };
  if (added.outcome.kind === 'added' && next.serials.length === line.qty) return { state: next, outcome: { kind: 'ready' } };
  return { state: next, outcome: { kind: 'serial', outcome: added.outcome } };
}

/** The pick request once the line is fully scanned, else null. */
export function pickRequestOf(state: LinePick, line: OutboundLineView, scanId: string): { lineNo: number; sourceScan: string; scanId: string; serials?: readonly string[] } | null {
  if (state.sourceScan === null) return null;
  if (!line.serialTracked) return { lineNo: line.lineNo, sourceScan: state.sourceScan, scanId };
  if (state.serials.length !== line.qty) return null;
  return { lineNo: line.lineNo, sourceScan: state.sourceScan, scanId, serials: state.serials };
}

// ---- in ----------------------------------------------------------------------------------------------------------

/** Units of the line still to arrive. */
export const stillToCome = (l: InboundLineView): number => Math.max(0, l.expectedQty - l.receivedQty);

/**
 * The line a scanned item belongs to: among the lines of the SKUs the code names (one per client sharing a GTIN) and
 * of its lot when the label carries one, the first with units still to come, else the first (an over-delivery).
 */
export function lineForItem(t: InboundTransferView, skuIds: readonly string[], lot: string | null): InboundLineView | null {
  const candidates = t.lines.filter((l) => skuIds.includes(l.skuId) && (lot === null || l.lot === '' || l.lot === lot));
  return candidates.find((l) => stillToCome(l) > 0) ?? candidates[0] ?? null;
}

/** The operative's entries for one receipt. */
export interface TransferReceiptEntry {
  readonly qty: string;
  readonly damaged: string;
  readonly reason: string;
  readonly serials: readonly string[];
}

export type TransferReceiptPlan =
  | { readonly ok: true; readonly request: { receiptId: string; lineNo: number; qty: number; damagedQty?: number; reason?: string; serials?: readonly string[] } }
  | { readonly ok: false; readonly field: 'qty' | 'damaged' | 'reason' | 'serials'; readonly message: string };

const wholeOrNull = (s: string): number | null => {
  const n = Number(s.trim());
  return s.trim() !== '' && Number.isSafeInteger(n) ? n : null;
};

/**
 * The receipt request, or the field to fix: units a positive whole number (for a serial-tracked SKU, one scanned
 * serial per unit), damaged units from 0 to the units, and a reason when some are damaged or beyond the line (R75).
 */
export function planTransferReceipt(line: InboundLineView, entry: TransferReceiptEntry, receiptId: string): TransferReceiptPlan {
  const qty = line.serialTracked ? entry.serials.length : wholeOrNull(entry.qty);
  if (line.serialTracked && qty === 0) return { ok: false, field: 'serials', message: 'Scan the serial of each unit received.' };
  if (qty === null || qty < 1) return { ok: false, field: 'qty', message: 'Units received must be a whole number of at least 1.' };
  const damaged = entry.damaged.trim() === '' ? 0 : wholeOrNull(entry.damaged);
  if (damaged === null || damaged < 0 || damaged > qty) return { ok: false, field: 'damaged', message: `Damaged units must be a whole number from 0 to ${qty}.` };
  const over = Math.max(0, qty - stillToCome(line));
  const reason = entry.reason.trim();
  if (reason === '' && (over > 0 || damaged > 0)) {
    return { ok: false, field: 'reason', message: over > 0 ? `${over} unit${over === 1 ? '' : 's'} beyond the transfer line: give a reason.` : 'Damaged units: give a reason.' };
  }
  return {
    ok: true,
    request: {
      receiptId,
      lineNo: line.lineNo,
      qty,
      ...(damaged > 0 ? { damagedQty: damaged } : {}),
      ...(reason === '' ? {} : { reason: reason.slice(0, 200) }),
      ...(line.serialTracked ? { serials: entry.serials } : {}),
    },
  };
}

/** Lines that arrived short: closing the transfer with any needs a reason (R75). */
export const shortLines = (t: InboundTransferView): InboundLineView[] => t.lines.filter((l) => l.receivedQty < l.expectedQty);
