/**
 * Catalogue and initial-stock files: `floortwin-catalogue/1` JSON (one SKU per line when written) and the stock CSV
 * `location,tenant,sku,lot,expiry,qty`. Pure parsers and writers; errors are one line and name the SKU or CSV line.
 */
import type { ReceiveStock } from '../commands.ts';
import type { Sku } from '../site.ts';
import { asLocationId, asSkuId, asTenantId } from '../ids.ts';
import type { ParseResult } from '../layout/parse-result.ts';
import { describeValue, isRecord, parseError, parsed } from '../layout/parse-result.ts';
import { gs1CheckDigit, hasValidCheckDigit } from '../barcodes/gs1.ts';

/** The format tag of a catalogue file. */
export const CATALOGUE_FORMAT = 'floortwin-catalogue/1';

/** The header line of a stock CSV. */
export const STOCK_CSV_HEADER = 'location,tenant,sku,lot,expiry,qty';

const SKU_NUMBER_FIELDS = ['lengthM', 'widthM', 'heightM', 'weightKg'] as const;

/** True for a GTIN-8/12/13/14 whose last digit is the GS1 mod-10 check digit of the others. */
export function isValidGtin(code: string): boolean {
  return /^\d{8}$|^\d{12,14}$/.test(code) && hasValidCheckDigit(code);
}

/** GS1 mod-10 check digit of a GTIN body (all digits but the check digit); the maths lives in barcodes/gs1.ts. */
export function gtinCheckDigit(body: string): number {
  return gs1CheckDigit(body);
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/**
 * Validates a `floortwin-catalogue/1` document `{ format, skus: [...] }`: every SKU has a unique id and barcode, a
 * tenant, positive dimensions (m) and weight (kg), a demand weight ≥ 0 and a lotTracked flag.
 */
export function parseCatalogue(json: unknown): ParseResult<Sku[]> {
  const where = 'catalogue';
  if (!isRecord(json)) return parseError(`${where}: expected a JSON object (got ${describeValue(json)})`);
  if (json.format !== CATALOGUE_FORMAT) return parseError(`${where}: "format" must be "${CATALOGUE_FORMAT}" (got ${describeValue(json.format)})`);
  if (!Array.isArray(json.skus)) return parseError(`${where}: "skus" must be an array`);
  const skus: Sku[] = [];
  const ids = new Set<string>();
  const barcodes = new Map<string, string>();
  for (const [i, raw] of json.skus.entries()) {
    if (!isRecord(raw)) return parseError(`${where}: skus[${i}] must be an object`);
    if (typeof raw.id !== 'string' || raw.id.length === 0) return parseError(`${where}: skus[${i}].id must be a non-empty string`);
    const at = `${where}: SKU ${raw.id}`;
    if (ids.has(raw.id)) return parseError(`${at}: duplicate id`);
    ids.add(raw.id);
    if (typeof raw.tenantId !== 'string' || raw.tenantId.length === 0) return parseError(`${at}: "tenantId" must be a non-empty string`);
    if (typeof raw.description !== 'string') return parseError(`${at}: "description" must be a string`);
    if (typeof raw.barcode !== 'string' || raw.barcode.length === 0) return parseError(`${at}: "barcode" must be a non-empty string`);
    const other = barcodes.get(raw.barcode);
    if (other !== undefined) return parseError(`${at}: barcode ${raw.barcode} is also SKU ${other}'s`);
    barcodes.set(raw.barcode, raw.id);
    for (const key of SKU_NUMBER_FIELDS) {
      const v = raw[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return parseError(`${at}: "${key}" must be a positive number (got ${describeValue(v)})`);
    }
    if (typeof raw.demandWeight !== 'number' || !Number.isFinite(raw.demandWeight) || raw.demandWeight < 0) {
      return parseError(`${at}: "demandWeight" must be a number ≥ 0 (got ${describeValue(raw.demandWeight)})`);
    }
    if (typeof raw.lotTracked !== 'boolean') return parseError(`${at}: "lotTracked" must be true or false`);
    if (raw.serialTracked !== undefined && typeof raw.serialTracked !== 'boolean') return parseError(`${at}: "serialTracked" must be true or false when given`);
    skus.push({
      id: asSkuId(raw.id),
      tenantId: asTenantId(raw.tenantId),
      description: raw.description,
      barcode: raw.barcode,
      lengthM: raw.lengthM as number,
      widthM: raw.widthM as number,
      heightM: raw.heightM as number,
      weightKg: raw.weightKg as number,
      demandWeight: raw.demandWeight,
      lotTracked: raw.lotTracked,
      // R77: optional; absent = not serial-tracked (and written only when true).
      ...(raw.serialTracked === true ? { serialTracked: true } : {}),
    });
  }
  return parsed(skus);
}

/** Writes a catalogue document: compact, one SKU per line, fields in a fixed order. */
export function formatCatalogue(skus: readonly Sku[]): string {
  const lines = skus.map((s) =>
    JSON.stringify({
      id: s.id,
      tenantId: s.tenantId,
      description: s.description,
      barcode: s.barcode,
      lengthM: s.lengthM,
      widthM: s.widthM,
      heightM: s.heightM,
      weightKg: s.weightKg,
      demandWeight: s.demandWeight,
      lotTracked: s.lotTracked,
      ...(s.serialTracked === true ? { serialTracked: true } : {}),
    }));
  return `{"format":${JSON.stringify(CATALOGUE_FORMAT)},"skus":[\n${lines.join(',\n')}\n]}\n`;
}

/** Splits one CSV line into fields (RFC 4180 quoting: "a,b" and "" inside quotes); null when a quote is unclosed. */
function splitCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i];
        i++;
      }
      fields.push(value);
      if (i < line.length && line[i] !== ',') return null;
    } else {
      const end = line.indexOf(',', i);
      fields.push(end === -1 ? line.slice(i) : line.slice(i, end));
      i = end === -1 ? line.length : end;
    }
    if (i >= line.length) return fields;
    i++; // the comma
    if (i === line.length) {
      fields.push('');
      return fields;
    }
  }
}

/**
 * Parses the initial-stock CSV (header `location,tenant,sku,lot,expiry,qty`) into receive commands, in file order.
 * `lot` and `expiry` may be empty; an expiry needs a lot and is `YYYY-MM-DD`; qty is a positive integer.
 * Blank lines are skipped; errors name the 1-based line.
 */
export function parseStockCsv(text: string): ParseResult<ReceiveStock[]> {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').trim();
  if (header !== STOCK_CSV_HEADER) return parseError(`stock CSV line 1: header must be "${STOCK_CSV_HEADER}" (got ${describeValue(header)})`);
  const out: ReceiveStock[] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n] ?? '';
    if (line.trim() === '') continue;
    const at = `stock CSV line ${n + 1}`;
    const fields = splitCsvLine(line);
    if (fields === null) return parseError(`${at}: unclosed quote`);
    if (fields.length !== 6) return parseError(`${at}: expected 6 fields (${STOCK_CSV_HEADER}), got ${fields.length}`);
    const [location, tenant, sku, lot, expiry, qty] = fields.map((f) => f.trim()) as [string, string, string, string, string, string];
    if (location === '') return parseError(`${at}: empty location`);
    if (tenant === '') return parseError(`${at}: empty tenant`);
    if (sku === '') return parseError(`${at}: empty sku`);
    if (expiry !== '' && !isIsoDate(expiry)) return parseError(`${at}: expiry must be a date YYYY-MM-DD (got ${describeValue(expiry)})`);
    if (expiry !== '' && lot === '') return parseError(`${at}: an expiry needs a lot`);
    if (!/^\d+$/.test(qty) || Number(qty) < 1 || !Number.isSafeInteger(Number(qty))) {
      return parseError(`${at}: qty must be a positive whole number (got ${describeValue(qty)})`);
    }
    const cmd: { -readonly [K in keyof ReceiveStock]: ReceiveStock[K] } = {
      type: 'receiveStock',
      tenantId: asTenantId(tenant),
      locationId: asLocationId(location),
      skuId: asSkuId(sku),
      qty: Number(qty),
    };
    if (lot !== '') cmd.lot = lot;
    if (expiry !== '') cmd.expiry = expiry;
    out.push(cmd);
  }
  return parsed(out);
}

const csvField = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Writes receive commands as the stock CSV, header first, one row per command. */
export function formatStockCsv(stock: readonly ReceiveStock[]): string {
  const rows = stock.map((r) =>
    [r.locationId, r.tenantId, r.skuId, r.lot ?? '', r.expiry ?? '', String(r.qty)].map(csvField).join(','));
  return `${STOCK_CSV_HEADER}\n${rows.map((r) => `${r}\n`).join('')}`;
}
