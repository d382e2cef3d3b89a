/**
 * The 4×6 in shipping label (GS1 logistic label layout) as ZPL for thermal printers and as a one-page PDF for laser
 * printers. Both render one layout computed in printer dots (203 dpi): from/to on top, titled human-readable data in
 * the middle, barcodes at the bottom with the SSCC (GS1-128) lowest.
 */
import type { Address } from '../twin/commands.ts';
import { Buffer } from 'node:buffer';
import { gs1128Data, ssccHri } from '../twin/barcodes/gs1.ts';
import { encodeCode128, zplCode128Data } from './code128.ts';
import { fitText, textWidth } from './text-metrics.ts';
import { pdfString } from './pdf-text.ts';

/** A postal address as printed on a label. `country` is ISO 3166 alpha-2. */
/** The parts of an address a label prints. */
export type LabelAddress = Omit<Address, 'phone' | 'email'>;

/** Everything a shipping label shows. `weightG` is the gross parcel weight in grams; `shippedOn` is YYYY-MM-DD. */
export interface LabelData {
  sscc: string;
  from: LabelAddress;
  to: LabelAddress;
  orderId: string;
  externalRef: string | null;
  carrier: string;
  service: string;
  trackingNumber: string;
  weightG: number;
  cartonCode: string;
  shippedOn: string;
}

/** Label size in dots at 203 dpi (8 dots/mm): 4 × 6 in. */
export const LABEL_WIDTH_DOTS = 812;
export const LABEL_HEIGHT_DOTS = 1218;
/** Left/right margin in dots; no text is placed closer to the edge. */
export const LABEL_MARGIN_DOTS = 24;
/** 72 pt per inch over 203 dots per inch. */
const PT_PER_DOT = 72 / 203;

type LabelElement =
  | { kind: 'text'; x: number; y: number; size: number; text: string }
  | { kind: 'rule'; x: number; y: number; width: number; height: number }
  | { kind: 'barcode'; x: number; y: number; height: number; moduleDots: number; widths: number[]; zplData: string };

const CONTENT_WIDTH = LABEL_WIDTH_DOTS - 2 * LABEL_MARGIN_DOTS;
// Fit text to 92% of the box: Helvetica metrics are exact for the PDF but only an estimate for ZPL font 0.
const FIT_RESERVE = 0.92;
// GS1: quiet zone of at least 10 modules each side.
const QUIET_MODULES = 10;

function checkData(d: LabelData): void {
  if (!/^\d{18}$/.test(d.sscc)) throw new RangeError(`label SSCC must be 18 digits, got "${d.sscc}"`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d.shippedOn)) throw new RangeError(`label shippedOn must be YYYY-MM-DD, got "${d.shippedOn}"`);
  if (!Number.isFinite(d.weightG) || d.weightG < 0) throw new RangeError(`label weight must be a non-negative number of grams`);
  if (d.trackingNumber.trim() === '') throw new RangeError('label needs a tracking number');
}

// Control characters (newlines, GS, …) would break a ZPL field or a PDF line: print them as spaces.
const clean = (s: string): string =>
  Array.from(s, (ch) => ((ch.codePointAt(0) ?? 32) < 32 || ch === '\u007f' ? ' ' : ch)).join('').replace(/\s+/g, ' ').trim();
const joinParts = (parts: readonly (string | undefined)[], sep: string): string =>
  parts.map((p) => clean(p ?? '')).filter((p) => p !== '').join(sep);

/** Builds the label layout in dots. Every text line is fitted so x + width ≤ label width − margin. */
function layout(d: LabelData): LabelElement[] {
  const out: LabelElement[] = [];
  const left = LABEL_MARGIN_DOTS;
  let y = 16;

  // Places fitted text (wrapped/shrunk to the width, at most maxLines) and advances y.
  const block = (text: string, x: number, width: number, sizes: readonly number[], maxLines: number): void => {
    if (clean(text) === '') return;
    const fitted = fitText(clean(text), width * FIT_RESERVE, sizes, maxLines);
    for (const line of fitted.lines) {
      out.push({ kind: 'text', x, y, size: fitted.size, text: line });
      y += fitted.size + 6;
    }
  };
  const title = (text: string, x = left): void => {
    out.push({ kind: 'text', x, y, size: 18, text });
  };
  const rule = (at: number, thickness: number): void => {
    out.push({ kind: 'rule', x: left, y: at, width: CONTENT_WIDTH, height: thickness });
  };

  // Top: from and to.
  title('FROM');
  y += 22;
  block(joinParts([d.from.name, d.from.company], ', '), left, CONTENT_WIDTH, [24, 20, 18], 1);
  block(joinParts([d.from.line1, d.from.line2], ', '), left, CONTENT_WIDTH, [24, 20, 18], 1);
  block(joinParts([d.from.city, d.from.region, d.from.postcode, d.from.country], ' '), left, CONTENT_WIDTH, [24, 20, 18], 1);
  y = Math.max(y, 124);
  rule(y, 3);
  y += 12;
  title('SHIP TO');
  y += 24;
  block(d.to.name, left, CONTENT_WIDTH, [48, 40, 34, 28], 2);
  block(d.to.company ?? '', left, CONTENT_WIDTH, [36, 30, 26], 1);
  block(d.to.line1, left, CONTENT_WIDTH, [36, 30, 26], 2);
  block(d.to.line2 ?? '', left, CONTENT_WIDTH, [36, 30, 26], 1);
  block(joinParts([d.to.city, d.to.region], ', '), left, CONTENT_WIDTH, [36, 30, 26], 1);
  block(joinParts([d.to.postcode, d.to.country.toUpperCase()], '  '), left, CONTENT_WIDTH, [56, 48, 40], 1);

  // Middle: human-readable data with titles, two columns.
  y = Math.max(y, 540) + 12;
  rule(y, 3);
  y += 12;
  const colWidth = CONTENT_WIDTH / 2 - 12;
  const rows: [string, string, string, string][] = [
    ['SHIP DATE', d.shippedOn, 'ORDER', d.orderId],
    ['CARRIER', d.carrier, 'SERVICE', d.service],
    ['WEIGHT', `${(d.weightG / 1000).toFixed(2)} kg`, 'CARTON', d.cartonCode],
    ['CUSTOMER REF', d.externalRef ?? '-', '', ''],
  ];
  for (const [t1, v1, t2, v2] of rows) {
    const rowY = y;
    const right = left + CONTENT_WIDTH / 2 + 12;
    title(t1);
    if (t2 !== '') title(t2, right);
    y = rowY + 22;
    block(v1 === '' ? '-' : v1, left, t2 === '' ? CONTENT_WIDTH : colWidth, [30, 26, 22, 18], 1);
    if (t2 !== '') {
      y = rowY + 22;
      block(v2 === '' ? '-' : v2, right, colWidth, [30, 26, 22, 18], 1);
    }
    y = rowY + 62;
  }

  // Bottom: barcodes, the SSCC lowest (GS1 logistic label rule).
  y = Math.max(y, 812) + 4;
  rule(y, 3);
  y += 10;
  title('TRACKING NUMBER');
  y += 22;
  const tracking = clean(d.trackingNumber);
  y = barcode(out, encodeCode128(tracking), zplCode128Data(tracking), y, 100);
  centred(out, tracking, y + 6, 26);
  y += 6 + 26 + 10;
  rule(y, 2);
  y += 8;
  title('SSCC');
  y += 22;
  y = barcode(out, encodeCode128(`00${d.sscc}`, { gs1: true }), gs1128Data([{ ai: '00', value: d.sscc }]), y, 140);
  centred(out, ssccHri(d.sscc), y + 8, 34);
  return out;
}

/** Adds a centred barcode with the widest module (≤ 4 dots) that fits with its quiet zones; returns its bottom. */
function barcode(out: LabelElement[], widths: number[], zplData: string, y: number, height: number): number {
  const modules = widths.reduce((a, b) => a + b, 0);
  let moduleDots = 4;
  while (moduleDots > 1 && (modules + 2 * QUIET_MODULES) * moduleDots > LABEL_WIDTH_DOTS) moduleDots--;
  const x = Math.max(0, Math.floor((LABEL_WIDTH_DOTS - modules * moduleDots) / 2));
  out.push({ kind: 'barcode', x, y, height, moduleDots, widths, zplData });
  return y + height;
}

function centred(out: LabelElement[], text: string, y: number, size: number): void {
  const fitted = fitText(text, CONTENT_WIDTH * FIT_RESERVE, [size, size - 4, size - 8, 18], 1);
  const line = fitted.lines[0] ?? '';
  const x = Math.max(LABEL_MARGIN_DOTS, Math.floor((LABEL_WIDTH_DOTS - textWidth(line, fitted.size)) / 2));
  out.push({ kind: 'text', x, y, size: fitted.size, text: line });
}

/** ^FD data: with ^FH (hex escapes, "_" introducer) only when the data holds "^" or "~", which would end the field. */
function zplField(data: string): string {
  if (!/[\^~]/.test(data)) return `^FD${data}^FS`;
  const escaped = data.replace(/[_^~]/g, (c) => `_${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `^FH^FD${escaped}^FS`;
}

/**
 * The label as ZPL II for a 203 dpi printer: ^XA ^CI28 (UTF-8) ^PW812 ^LL1218 … ^XZ. Barcodes are ^BC in mode N
 * with explicit subsets; the SSCC is GS1-128 (">;>800" + SSCC) and is the last, lowest barcode, with its HRI
 * "(00) <sscc>" as a separate text field. Throws RangeError on a malformed SSCC, date, weight or empty tracking number.
 */
export function zplLabel(d: LabelData): string {
  checkData(d);
  const lines = ['^XA', '^CI28', `^PW${LABEL_WIDTH_DOTS}`, `^LL${LABEL_HEIGHT_DOTS}`, '^LH0,0'];
  for (const el of layout(d)) {
    switch (el.kind) {
      case 'text':
        lines.push(`^FO${el.x},${el.y}^A0N,${el.size},${el.size}${zplField(el.text)}`);
        break;
      case 'rule':
        lines.push(`^FO${el.x},${el.y}^GB${el.width},${el.height},${Math.min(el.width, el.height)}^FS`);
        break;
      case 'barcode':
        lines.push(`^BY${el.moduleDots},3,${el.height}^FO${el.x},${el.y}^BCN,${el.height},N,N${zplField(el.zplData)}`);
        break;
    }
  }
  lines.push('^PQ1', '^XZ');
  return `${lines.join('\n')}\n`;
}

const pt = (dots: number): string => (Math.round(dots * PT_PER_DOT * 1000) / 1000).toString();

/** The page content stream: the same layout, in points with the origin at the bottom left. */
function pdfContent(d: LabelData): string {
  const ops: string[] = [];
  const pageH = LABEL_HEIGHT_DOTS;
  for (const el of layout(d)) {
    switch (el.kind) {
      case 'text': {
        // ZPL places the top of the character cell at y; the baseline sits about 0.8 of the size lower.
        const baseline = pageH - (el.y + el.size * 0.8);
        ops.push(`BT /F1 ${pt(el.size)} Tf ${pt(el.x)} ${pt(baseline)} Td ${pdfString(el.text)} Tj ET`);
        break;
      }
      case 'rule':
        ops.push(`${pt(el.x)} ${pt(pageH - el.y - el.height)} ${pt(el.width)} ${pt(el.height)} re f`);
        break;
      case 'barcode': {
        let x = el.x;
        el.widths.forEach((w, i) => {
          const width = w * el.moduleDots;
          if (i % 2 === 0) ops.push(`${pt(x)} ${pt(pageH - el.y - el.height)} ${pt(width)} ${pt(el.height)} re f`);
          x += width;
        });
        break;
      }
    }
  }
  return `0 g\n${ops.join('\n')}\n`;
}

/**
 * The label as a PDF 1.4 document: one 288 × 432 pt (4 × 6 in) page, Helvetica (WinAnsi) text, barcodes drawn as filled
 * rectangles from the Code 128 / GS1-128 encoder. Written by hand with a correct cross-reference table.
 */
export function pdfLabel(d: LabelData): Buffer {
  checkData(d);
  const content = pdfContent(d);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 432] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}endstream`,
  ];
  // All text is ASCII (non-ASCII is octal-escaped) except the binary comment, so latin1 byte counts are exact.
  let pdf = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) pdf += `${String(off).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
