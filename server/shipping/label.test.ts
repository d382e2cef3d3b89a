import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LabelData } from './label.ts';
import { LABEL_HEIGHT_DOTS, LABEL_MARGIN_DOTS, LABEL_WIDTH_DOTS, pdfLabel, zplLabel } from './label.ts';
import { encodeCode128 } from './code128.ts';
import { textWidth } from './text-metrics.ts';

const data: LabelData = {
  sscc: '106141411234567897',
  from: { name: 'Floortwin DC', company: 'Acme Ltd', line1: 'Unit 4 Park Way', city: 'Leeds', postcode: 'LS1 1AA', country: 'GB' },
  to: { name: 'Jane Smith', line1: '1 High Street', line2: 'Flat 2', city: 'London', postcode: 'SW1A 1AA', country: 'GB' },
  orderId: 'ORD-1',
  externalRef: '#1001',
  carrier: 'Floortwin Post',
  service: 'standard',
  trackingNumber: 'AA473124829GB',
  weightG: 1234,
  cartonCode: 'M1',
  shippedOn: '2026-11-27',
};

interface ZplText { x: number; y: number; size: number; text: string }

/** The text fields of a label (^FOx,y^A0N,h,w^FD…^FS), with ^FH escapes decoded. */
function zplTexts(zpl: string): ZplText[] {
  const re = /\^FO(\d+),(\d+)\^A0N,(\d+),\d+(\^FH)?\^FD(.*?)\^FS/g;
  return [...zpl.matchAll(re)].map((m) => ({
    x: Number(m[1]), y: Number(m[2]), size: Number(m[3]),
    text: m[4] === undefined ? (m[5] ?? '') : (m[5] ?? '').replace(/_([0-9A-F]{2})/g, (_s, h: string) => String.fromCharCode(parseInt(h, 16))),
  }));
}

/** Barcode fields: ^BYm,r,h^FOx,y^BCN,h,N,N^FD…^FS. */
function zplBarcodes(zpl: string): { module: number; x: number; y: number; height: number; data: string }[] {
  const re = /\^BY(\d+),\d+,\d+\^FO(\d+),(\d+)\^BCN,(\d+),N,N\^FD(.*?)\^FS/g;
  return [...zpl.matchAll(re)].map((m) => ({ module: Number(m[1]), x: Number(m[2]), y: Number(m[3]), height: Number(m[4]), data: m[5] ?? '' }));
}

function expectWithinLabel(zpl: string): void {
  for (const t of zplTexts(zpl)) {
    expect(t.x, t.text).toBeGreaterThanOrEqual(LABEL_MARGIN_DOTS);
    expect(t.x + textWidth(t.text, t.size), t.text).toBeLessThanOrEqual(LABEL_WIDTH_DOTS - LABEL_MARGIN_DOTS);
    expect(t.y + t.size, t.text).toBeLessThanOrEqual(LABEL_HEIGHT_DOTS);
  }
}

describe('zplLabel', () => {
  const zpl = zplLabel(data);

  it('sets up a 4×6 in label at 203 dpi in UTF-8', () => {
    expect(zpl.startsWith('^XA\n^CI28\n^PW812\n^LL1218\n')).toBe(true);
    expect(zpl.trimEnd().endsWith('^XZ')).toBe(true);
  });

  it('draws the SSCC as GS1-128, the lowest and last barcode, with its HRI as a separate text field', () => {
    const barcodes = zplBarcodes(zpl);
    expect(barcodes).toHaveLength(2);
    const last = barcodes.at(-1)!;
    expect(last.data).toBe('>;>800106141411234567897');
    expect(zpl.lastIndexOf('^BC')).toBe(zpl.indexOf('^BCN,' + String(last.height) + ',N,N^FD>;>800106141411234567897^FS'));
    expect(Math.max(...barcodes.map((b) => b.y))).toBe(last.y);
    const hri = zplTexts(zpl).find((t) => t.text === '(00) 106141411234567897');
    expect(hri).toBeDefined();
    expect(hri!.y).toBeGreaterThan(last.y + last.height);
  });

  it('puts the tracking number as Code 128 above the SSCC, both within the label with quiet zones', () => {
    const [tracking, sscc] = zplBarcodes(zpl);
    expect(tracking!.data).toBe('>:AA4>573124829>6GB');
    expect(tracking!.y + tracking!.height).toBeLessThan(sscc!.y);
    for (const [b, modules] of [[tracking!, encodeCode128('AA473124829GB')], [sscc!, encodeCode128('00106141411234567897', { gs1: true })]] as const) {
      const width = modules.reduce((a, w) => a + w, 0) * b.module;
      expect(b.x).toBeGreaterThanOrEqual(10 * b.module);
      expect(b.x + width + 10 * b.module).toBeLessThanOrEqual(LABEL_WIDTH_DOTS);
      expect(b.y + b.height).toBeLessThanOrEqual(LABEL_HEIGHT_DOTS);
    }
  });

  it('shows the data with English titles in the middle section', () => {
    const texts = zplTexts(zpl).map((t) => t.text);
    for (const t of ['FROM', 'SHIP TO', 'SHIP DATE', '2026-11-27', 'ORDER', 'ORD-1', 'CARRIER', 'Floortwin Post', 'SERVICE', 'standard',
      'WEIGHT', '1.23 kg', 'CARTON', 'M1', 'CUSTOMER REF', '#1001', 'SW1A 1AA GB']) {
      expect(texts).toContain(t);
    }
    expectWithinLabel(zpl);
  });

  it('wraps or shrinks a 60-character name so no text runs past the label width (Odoo 55-char pitfall)', () => {
    const name = 'Bartholomew Montgomery-Featherstonehaugh of Little Snoring X'; // 60 characters
    expect(name).toHaveLength(60);
    const long = zplLabel({ ...data, to: { ...data.to, name } });
    expectWithinLabel(long);
    const shown = zplTexts(long).filter((t) => t.y > 140 && t.y < 300).map((t) => t.text).join(' ');
    expect(shown).toContain('Bartholomew Montgomery-Featherstonehaugh');
    expect(shown).toContain('Little Snoring X');
    const unbroken = zplLabel({ ...data, to: { ...data.to, name: 'W'.repeat(60), line1: 'M'.repeat(120) }, orderId: 'O'.repeat(80) });
    expectWithinLabel(unbroken);
  });

  it('hex-escapes ^ and ~ so data cannot end a field or inject commands', () => {
    const z = zplLabel({ ...data, to: { ...data.to, name: 'A^B~C_D' }, externalRef: '^XZ' });
    expect(z).toContain('^FH^FDA_5EB_7EC_5FD^FS');
    expect(z).toContain('^FH^FD_5EXZ^FS');
    expect(z.match(/\^XZ/g)).toHaveLength(1);
  });

  it('refuses a malformed SSCC or date', () => {
    expect(() => zplLabel({ ...data, sscc: '12345' })).toThrow(RangeError);
    expect(() => zplLabel({ ...data, shippedOn: '27/11/2026' })).toThrow(RangeError);
  });
});

describe('pdfLabel', () => {
  const pdf = pdfLabel(data);
  const text = pdf.toString('latin1');

  it('is a PDF 1.4 with one 288×432 pt page and Helvetica', () => {
    expect(text.startsWith('%PDF-1.4\n')).toBe(true);
    expect(text.endsWith('%%EOF\n')).toBe(true);
    expect(text).toContain('/MediaBox [0 0 288 432]');
    expect(text).toContain('/BaseFont /Helvetica');
    expect(text).toContain('/Count 1');
  });

  it('has a cross-reference table whose offsets point at each object, and a correct stream length', () => {
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
    expect(text.slice(startxref, startxref + 5)).toBe('xref\n');
    const xref = text.slice(startxref).split('\n');
    const count = Number(xref[1]?.split(' ')[1]);
    expect(count).toBe(6);
    for (let i = 1; i < count; i++) {
      const offset = Number(xref[2 + i]?.slice(0, 10));
      expect(text.slice(offset, offset + `${i} 0 obj`.length)).toBe(`${i} 0 obj`);
    }
    const m = /<< \/Length (\d+) >>\nstream\n/.exec(text)!;
    const start = m.index + m[0].length;
    expect(text.slice(start + Number(m[1]), start + Number(m[1]) + 'endstream'.length)).toBe('endstream');
  });

  it('draws the same texts and one filled rectangle per bar', () => {
    expect(text).toContain('(\\(00\\) 106141411234567897) Tj');
    expect(text).toContain('(Jane Smith) Tj');
    const bars = (widths: number[]): number => Math.ceil(widths.length / 2);
    const rules = 3 + 1; // three section rules plus the one between the barcodes
    const expected = bars(encodeCode128('AA473124829GB')) + bars(encodeCode128('00106141411234567897', { gs1: true })) + rules;
    expect(text.match(/ re f/g)).toHaveLength(expected);
  });

  it('escapes PDF string delimiters and encodes Latin-1 in WinAnsi', () => {
    const t = pdfLabel({ ...data, to: { ...data.to, name: 'Zoë (Café) \\ 東' } }).toString('latin1');
    expect(t).toContain('(Zo\\353 \\(Caf\\351\\) \\\\ ?) Tj');
  });

  const has = (cmd: string): boolean => spawnSync('which', [cmd]).status === 0;

  it.skipIf(!has('pdftotext'))('reads back with pdftotext (poppler)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'label-'));
    try {
      writeFileSync(join(dir, 'l.pdf'), pdf);
      const out = execFileSync('pdftotext', ['-layout', join(dir, 'l.pdf'), '-'], { encoding: 'utf8' });
      for (const s of ['SHIP TO', 'Jane Smith', 'SW1A 1AA', 'ORD-1', '(00) 106141411234567897', 'AA473124829GB']) expect(out).toContain(s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!has('pdftoppm') || !has('zbarimg'))('has barcodes an independent decoder reads (zbar)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'label-'));
    try {
      writeFileSync(join(dir, 'l.pdf'), pdf);
      execFileSync('pdftoppm', ['-r', '300', '-png', join(dir, 'l.pdf'), join(dir, 'l')]);
      const out = execFileSync('zbarimg', ['-q', join(dir, 'l-1.png')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      // zbar drops the leading FNC1 of GS1-128.
      expect(out).toContain('CODE-128:00106141411234567897');
      expect(out).toContain('CODE-128:AA473124829GB');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
