/** Invoice documents: the CSV's rows and escaping, and a PDF whose cross-reference table points at its objects. */
import { describe, expect, it } from 'vitest';
import type { Invoice } from './invoice.ts';
import { invoiceCsv, invoicePdf } from './invoice-format.ts';

const invoice = (lines: number): Invoice => ({
  tenantId: 'acme',
  currency: 'GBP',
  period: { from: '2026-11-01', to: '2026-11-30' },
  lines: Array.from({ length: lines }, (_, i) => ({
    code: i === 0 ? 'LABEL:floortwin-post:standard' : `VAS:X${i}`,
    description: i === 0 ? 'Carrier label, "express" (cost 310 + 10 %)' : i === 1 ? '=HYPERLINK("x")' : `Service ${i} m³ – per day`,
    family: 'services' as const,
    quantity: i + 0.5,
    unit: 'unit',
    unitPrice: 337.5,
    amount: 100 * i + 5,
    eventSeqs: [i + 1, i + 7],
    basis: [],
  })),
  total: Array.from({ length: lines }, (_, i) => 100 * i + 5).reduce((s, a) => s + a, 0),
  throughSeq: 99,
  cardVersion: 3,
  simulated: false,
});

describe('invoice CSV', () => {
  it('has a header, one row per line with major-unit money and the event seqs, and a TOTAL row', () => {
    const csv = invoiceCsv(invoice(3));
    const rows = csv.trimEnd().split('\r\n');
    expect(rows).toHaveLength(5);
    expect(rows[0]).toBe('tenant,period_from,period_to,currency,code,description,quantity,unit,unit_price,amount,events,event_seqs');
    expect(rows[1]).toBe('acme,2026-11-01,2026-11-30,GBP,LABEL:floortwin-post:standard,"Carrier label, ""express"" (cost 310 + 10 %)",0.5,unit,3.375,0.05,2,1 7');
    // A formula-looking description is defused.
    expect(rows[2]).toContain(`"'=HYPERLINK(""x"")"`);
    expect(rows[4]).toBe('acme,2026-11-01,2026-11-30,GBP,TOTAL,Total,,,,3.15,,');
  });
});

describe('invoice PDF', () => {
  it('is a PDF whose xref offsets each point at "n 0 obj", paginating long invoices', () => {
    for (const [lines, pages] of [[3, 1], [200, 4]] as const) {
      const pdf = invoicePdf(invoice(lines));
      const text = pdf.toString('latin1');
      expect(text.startsWith('%PDF-1.4')).toBe(true);
      expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
      const xrefAt = Number(/startxref\n(\d+)\n/.exec(text)?.[1]);
      expect(text.slice(xrefAt, xrefAt + 4)).toBe('xref');
      const offsets = [...text.slice(xrefAt).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
      offsets.forEach((off, i) => expect(text.slice(off, off + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
      expect(Number(/\/Count (\d+)/.exec(text)?.[1])).toBe(pages);
      expect(text).toContain(`(Page ${pages} of ${pages})`);
      expect(text).toContain('(3.15 GBP)'.replace('3.15', (invoice(lines).total / 100).toFixed(2)));
      // m³ and the en dash travel as WinAnsi octal escapes.
      if (lines > 2) expect(text).toContain('m\\263 \\226 per day');
    }
  });
});
