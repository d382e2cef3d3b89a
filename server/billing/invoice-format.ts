/**
 * Invoice documents: CSV (one row per line, then a TOTAL row) and a plain-text A4 PDF written by hand like the
 * shipping labels' PDF (Helvetica, WinAnsi, a correct cross-reference table). Amounts print in major units.
 */
import { textWidth, wrapText } from '../shipping/text-metrics.ts';
import { formatMinor, formatUnitPrice } from './money.ts';
import type { Invoice } from './invoice.ts';
import { pdfString } from '../shipping/pdf-text.ts';

/** One CSV field: quoted when it holds a comma, quote or line break; a leading = + - @ is prefixed with ' (CSV injection). */
function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const CSV_HEADER = ['tenant', 'period_from', 'period_to', 'currency', 'code', 'description', 'quantity', 'unit', 'unit_price', 'amount', 'events', 'event_seqs'];

/** The invoice as CSV (RFC 4180, CRLF): prices and amounts in major units; `event_seqs` space-separated. */
export function invoiceCsv(inv: Invoice): string {
  const rows: (string | number)[][] = [CSV_HEADER];
  const head = [inv.tenantId, inv.period.from, inv.period.to, inv.currency];
  for (const l of inv.lines) {
    rows.push([...head, l.code, l.description, l.quantity, l.unit, formatUnitPrice(l.unitPrice), formatMinor(l.amount), l.eventSeqs.length, l.eventSeqs.join(' ')]);
  }
  rows.push([...head, 'TOTAL', inv.simulated ? 'Total (simulated)' : 'Total', '', '', '', formatMinor(inv.total), '', '']);
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

const PAGE_W = 595;
const PAGE_H = 842;
const MARGIN = 40;
const SIZE = 8;
const LEADING = 11;

interface TextOp {
  readonly x: number;
  readonly y: number;
  readonly size: number;
  readonly text: string;
  readonly bold?: boolean;
  /** Right-aligned at x. */
  readonly right?: boolean;
}

/** Column x positions (left edge, or right edge for numbers). */
const COL = { code: MARGIN, description: 150, quantity: 395, unit: 400, unitPrice: 495, amount: PAGE_W - MARGIN };

function pages(inv: Invoice, title: string): TextOp[][] {
  const all: TextOp[][] = [];
  let ops: TextOp[] = [];
  let y = PAGE_H - MARGIN;
  const newPage = (): void => {
    if (ops.length > 0) all.push(ops);
    ops = [];
    y = PAGE_H - MARGIN;
    ops.push({ x: MARGIN, y, size: 14, text: title, bold: true });
    y -= 20;
    ops.push({ x: MARGIN, y, size: 9, text: `Client ${inv.tenantId}   Period ${inv.period.from} to ${inv.period.to} (UTC, inclusive)   Currency ${inv.currency}` });
    y -= 12;
    const basis = inv.simulated ? 'Simulated from declared volumes' : `Rated from the event log through seq ${inv.throughSeq}`;
    ops.push({ x: MARGIN, y, size: 9, text: `${basis}${inv.cardVersion === null ? '' : `, rate card version ${inv.cardVersion}`}` });
    y -= 20;
    for (const [x, text, right] of [
      [COL.code, 'Code', false], [COL.description, 'Description', false], [COL.quantity, 'Quantity', true],
      [COL.unit, 'Unit', false], [COL.unitPrice, 'Unit price', true], [COL.amount, 'Amount', true],
    ] as const) ops.push({ x, y, size: SIZE, text, bold: true, right });
    y -= LEADING + 2;
  };
  newPage();
  for (const l of inv.lines) {
    const desc = wrapText(l.description, COL.quantity - 50 - COL.description, SIZE);
    const code = wrapText(l.code, COL.description - COL.code - 6, SIZE);
    const height = Math.max(desc.length, code.length) * LEADING;
    if (y - height < MARGIN + 30) newPage();
    code.forEach((text, i) => ops.push({ x: COL.code, y: y - i * LEADING, size: SIZE, text }));
    desc.forEach((text, i) => ops.push({ x: COL.description, y: y - i * LEADING, size: SIZE, text }));
    ops.push({ x: COL.quantity, y, size: SIZE, text: String(l.quantity), right: true });
    ops.push({ x: COL.unit, y, size: SIZE, text: l.unit });
    ops.push({ x: COL.unitPrice, y, size: SIZE, text: formatUnitPrice(l.unitPrice), right: true });
    ops.push({ x: COL.amount, y, size: SIZE, text: formatMinor(l.amount), right: true });
    y -= height + 2;
  }
  if (y < MARGIN + 30) newPage();
  y -= 6;
  ops.push({ x: COL.unitPrice, y, size: 10, text: 'Total', bold: true, right: true });
  ops.push({ x: COL.amount, y, size: 10, text: `${formatMinor(inv.total)} ${inv.currency}`, bold: true, right: true });
  y -= 20;
  ops.push({ x: MARGIN, y, size: 7, text: 'Every line lists the events it counts: GET .../billing/invoices/<tenant>/lines?code=<code>&from=&to=.' });
  all.push(ops);
  return all;
}

/** The invoice as a PDF 1.4 document: A4 pages, Helvetica text, repeated header per page. */
export function invoicePdf(inv: Invoice): Buffer {
  const title = inv.simulated ? 'Simulated invoice' : 'Invoice';
  const pageOps = pages(inv, title);
  const fontRegular = 3;
  const fontBold = 4;
  const objects: string[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '', // pages, filled below
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
  ];
  const kids: number[] = [];
  pageOps.forEach((ops, i) => {
    const footer: TextOp = { x: PAGE_W - MARGIN, y: MARGIN - 16, size: 7, text: `Page ${i + 1} of ${pageOps.length}`, right: true };
    const content =
      '0 g\n' +
      [...ops, footer]
        .map((op) => {
          const x = op.right === true ? op.x - textWidth(op.text, op.size) * (op.bold === true ? 1.05 : 1) : op.x;
          return `BT /${op.bold === true ? 'F2' : 'F1'} ${op.size} Tf ${x.toFixed(2)} ${op.y.toFixed(2)} Td ${pdfString(op.text)} Tj ET`;
        })
        .join('\n') +
      '\n';
    objects.push(`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}endstream`);
    const contentId = objects.length;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_W} ${PAGE_H}] /Resources << /Font << /F1 ${fontRegular} 0 R /F2 ${fontBold} 0 R >> >> /Contents ${contentId} 0 R >>`,
    );
    kids.push(objects.length);
  });
  objects[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;
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
