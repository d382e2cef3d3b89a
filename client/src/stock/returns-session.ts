/**
 * Returns at the desk, without React (R51–R53): what an RMA still waits for, and the receipt and inspection requests
 * once the operative's entries are valid. `unsellable` units cannot be restocked (the twin refuses it), so the page
 * does not offer it. A serial-tracked item comes back one unit per receipt, named by its serial (R79): the twin checks
 * that serial was shipped to the RMA's order.
 */
import { SERIAL_RE } from '../views/serial-scan.ts';
import type { CatalogueItem, CatalogueLookup, ReturnReceiptRequest, RmaLineView, RmaView } from './stock-api.ts';

export const RETURN_GRADES = ['A', 'B', 'C', 'unsellable'] as const;
export type ReturnGrade = (typeof RETURN_GRADES)[number];
export const RETURN_DISPOSITIONS = ['restock', 'refurbish', 'quarantine', 'dispose'] as const;
export type ReturnDisposition = (typeof RETURN_DISPOSITIONS)[number];

/** What each grade and disposition means on the desk. */
export const GRADE_LABELS: Readonly<Record<ReturnGrade, string>> = { A: 'A — as new', B: 'B — light wear', C: 'C — worn, works', unsellable: 'Unsellable' };
export const DISPOSITION_LABELS: Readonly<Record<ReturnDisposition, string>> = {
  restock: 'Restock (back to sellable stock)',
  refurbish: 'Refurbish (held damaged)',
  quarantine: 'Quarantine (held)',
  dispose: 'Dispose (written off)',
};

/** Dispositions allowed for a grade (R52: unsellable units are never restocked). */
export function dispositionsFor(grade: ReturnGrade): readonly ReturnDisposition[] {
  return grade === 'unsellable' ? RETURN_DISPOSITIONS.filter((d) => d !== 'restock') : RETURN_DISPOSITIONS;
}

/** Units of each line still to arrive (authorised − received). */
export const toReceive = (line: RmaLineView): number => Math.max(0, line.qty - line.receivedQty);

/** Lines with received units still to inspect. */
export const awaitingInspection = (rma: RmaView): RmaLineView[] => rma.lines.filter((l) => l.awaitingInspection > 0);

/** True when nothing more can happen at the desk: every authorised unit received and inspected, or the RMA closed. */
export function isFinished(rma: RmaView): boolean {
  return rma.status === 'closed' || rma.lines.every((l) => toReceive(l) === 0 && l.awaitingInspection === 0);
}

const wholeNumber = (text: string): number | null => (/^\d{1,7}$/.test(text.trim()) ? Number(text.trim()) : null);

/** Checks a return receipt's quantity against what the RMA still authorises. */
export function planReturnReceipt(rma: RmaView, qtyText: string): { ok: true; qty: number } | { ok: false; message: string } {
  if (rma.status === 'closed') return { ok: false, message: `RMA ${rma.rmaId} is closed: nothing more can be received.` };
  const qty = wholeNumber(qtyText);
  if (qty === null || qty < 1) return { ok: false, message: 'Enter how many units came back (a whole number, at least 1).' };
  const left = rma.lines.reduce((n, l) => n + toReceive(l), 0);
  if (qty > left) return { ok: false, message: `Only ${left} unit${left === 1 ? '' : 's'} of RMA ${rma.rmaId} are still expected.` };
  return { ok: true, qty };
}

/** Checks an inspection of one line and builds its request. */
export function planInspection(
  rma: RmaView,
  entry: { skuId: string; qty: string; grade: ReturnGrade | null; disposition: ReturnDisposition | null; note: string; inspectionId: string },
): { ok: true; request: { inspectionId: string; skuId: string; qty: number; grade: ReturnGrade; disposition: ReturnDisposition; note?: string } } | { ok: false; message: string } {
  const line = rma.lines.find((l) => l.skuId === entry.skuId);
  if (line === undefined) return { ok: false, message: `${entry.skuId} is not on RMA ${rma.rmaId}.` };
  const qty = wholeNumber(entry.qty);
  if (qty === null || qty < 1 || qty > line.awaitingInspection) {
    return { ok: false, message: `Inspect 1 to ${line.awaitingInspection} unit${line.awaitingInspection === 1 ? '' : 's'} of ${entry.skuId}.` };
  }
  if (entry.grade === null) return { ok: false, message: 'Choose a grade.' };
  if (entry.disposition === null) return { ok: false, message: 'Choose what happens to the units.' };
  if (!dispositionsFor(entry.grade).includes(entry.disposition)) return { ok: false, message: 'Unsellable units cannot be restocked: refurbish, quarantine or dispose of them.' };
  const note = entry.note.trim().slice(0, 200);
  return { ok: true, request: { inspectionId: entry.inspectionId, skuId: entry.skuId, qty, grade: entry.grade, disposition: entry.disposition, ...(note === '' ? {} : { note }) } };
}

/**
 * The item a scanned code names on this RMA: the match of the RMA's client whose SKU is on one of its lines; null when
 * none is (the server then answers for the scan as it is).
 */
export function returnItemOf(rma: RmaView, lookup: CatalogueLookup): CatalogueItem | null {
  return lookup.matches.find((m) => m.tenantId === rma.tenantId && rma.lines.some((l) => l.skuId === m.skuId)) ?? null;
}

/**
 * [R79] The receipt of one serial-tracked unit: the item scanned, then its serial; qty 1. Refused here (nothing sent)
 * when the RMA is closed, no unit of the SKU is still expected, or the serial is not serial text.
 */
export function planSerialReturn(
  rma: RmaView,
  item: CatalogueItem,
  scan: string,
  serialText: string,
  receiptId: string,
): { ok: true; request: ReturnReceiptRequest & { serial: string } } | { ok: false; message: string; code: string } {
  if (rma.status === 'closed') return { ok: false, message: `RMA ${rma.rmaId} is closed: nothing more can be received.`, code: 'INVALID_STATE' };
  const line = rma.lines.find((l) => l.skuId === item.skuId);
  if (line === undefined || toReceive(line) === 0) return { ok: false, message: `No more units of ${item.description} are expected on RMA ${rma.rmaId}.`, code: 'INVALID_QUANTITY' };
  const serial = serialText.trim();
  if (!SERIAL_RE.test(serial)) return { ok: false, message: `"${serial}" is not a serial (1–64 characters, no spaces).`, code: 'INVALID_SCAN' };
  return { ok: true, request: { receiptId, scan: scan.trim(), skuId: item.skuId, qty: 1, serial } };
}
