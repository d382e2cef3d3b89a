/**
 * CSV order import: `POST /api/sites/:siteId/orders/import` with `Content-Type: text/csv`.
 *
 * Header `order_ref,tenant,sku,qty` plus any of `priority,service,due_at,ship_name,ship_company,ship_line1,ship_line2,
 * ship_city,ship_region,ship_postcode,ship_country,ship_phone,ship_email`, in any order. Rows with the same order_ref
 * are one order (one line per row); order-level columns may be repeated on every row or given once, but must not
 * disagree. Each order is created with channel 'csv', externalRef = order_ref and an order id derived from
 * (site, tenant, order_ref), so importing the same file again creates nothing new (the orders count as duplicates).
 * A row that fails validation fails its whole order (nothing of it is created) and is reported with its line number
 * and column; other orders go ahead. Limits: 5 MB, 10,000 data rows.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { SiteRunner } from '../site/site-runner.ts';
import type { Address } from '../twin/commands.ts';
import { asSkuId, asTenantId, epochMs } from '../twin/ids.ts';
import { sendError } from './http-error.ts';
import { deriveOrderId } from './idempotency.ts';
import { AddressBody, IsoDateTime, ServiceName } from './orders.routes.ts';
import { Id, Quantity, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 10_000;
/** The twin's limit on lines per order. */
const MAX_LINES_PER_ORDER = 1000;
/** Orders submitted at once; the site runner groups them into commits. */
const SUBMIT_CONCURRENCY = 32;

// ---------------------------------------------------------------------------------------------------------------
// CSV (RFC 4180): comma-separated, fields optionally in double quotes, "" inside quotes is a quote, quoted fields may
// hold commas and line breaks; records end with CRLF, LF or CR.

/** One record and the (1-based) line it starts on. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/** A quoting error: the file cannot be read past it. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** Parses CSV text into records. Blank lines are skipped. Throws `CsvSyntaxError` on broken quoting. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new CsvSyntaxError(startLine, 'a quoted field is never closed');
          const ch = text[i]!;
          if (ch === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
          value += ch;
          i++;
        }
        const after = text[i];
        if (after !== undefined && after !== ',' && after !== '\r' && after !== '\n')
          throw new CsvSyntaxError(line, `unexpected ${JSON.stringify(after)} after a closing quote (write a quote inside a field as "")`);
      } else {
        const start = i;
        while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
          if (text[i] === '"') throw new CsvSyntaxError(line, 'a quote inside an unquoted field (quote the whole field and write the quote as "")');
          i++;
        }
        value = text.slice(start, i);
      }
      fields.push(value);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    // End of record: CRLF, LF, CR or the end of the text.
    if (text[i] === '\r') i += text[i + 1] === '\n' ? 2 : 1;
    else if (text[i] === '\n') i++;
    line++;
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: startLine, fields });
  }
  return records;
}

// ---------------------------------------------------------------------------------------------------------------
// Columns and validation

const REQUIRED = ['order_ref', 'tenant', 'sku', 'qty'] as const;
const SHIP_COLUMNS = {
  ship_name: 'name',
  ship_company: 'company',
  ship_line1: 'line1',
  ship_line2: 'line2',
  ship_city: 'city',
  ship_region: 'region',
  ship_postcode: 'postcode',
  ship_country: 'country',
  ship_phone: 'phone',
  ship_email: 'email',
} as const satisfies Record<string, keyof Address>;
const ORDER_COLUMNS = ['priority', 'service', 'due_at', ...Object.keys(SHIP_COLUMNS)] as const;
const KNOWN = new Set<string>([...REQUIRED, ...ORDER_COLUMNS]);

const OrderRef = z.string().min(1, 'is empty').max(128, 'is longer than 128 characters');
const Priority = z.coerce.number().int('must be a whole number').min(0).max(9);
const QtyText = z
  .string()
  .regex(/^\d+$/, 'must be a whole number of units')
  .transform(Number)
  .pipe(Quantity);

/** One failure, as reported to the caller. */
export interface ImportFailure {
  readonly line: number;
  readonly orderRef: string | null;
  readonly column: string | null;
  readonly code: string;
  readonly message: string;
}

interface OrderDraft {
  readonly orderRef: string;
  readonly tenant: string;
  readonly firstLine: number;
  readonly lines: { line: number; sku: string; qty: number }[];
  /** Order-level column → value and the line it came from. */
  readonly fields: Map<string, { value: string; line: number }>;
  failed: boolean;
}

/** The result of an import. */
export interface ImportResult {
  created: number;
  duplicates: number;
  failed: ImportFailure[];
}

function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'is invalid';
}

/** Groups rows into order drafts; row problems go to `failures` and fail their order. */
function draftOrders(header: readonly string[], rows: readonly CsvRecord[], failures: ImportFailure[]): OrderDraft[] {
  const col = new Map(header.map((name, index) => [name, index]));
  const drafts = new Map<string, OrderDraft>();
  const at = (record: CsvRecord, name: string): string => {
    const index = col.get(name);
    return index === undefined ? '' : (record.fields[index] ?? '').trim();
  };
  for (const record of rows) {
    const fail = (orderRef: string | null, column: string | null, code: string, message: string): void => {
      failures.push({ line: record.line, orderRef, column, code, message: `line ${record.line}${column ? `, column ${column}` : ''}: ${message}` });
      const draft = orderRef === null ? undefined : drafts.get(orderRef);
      if (draft) draft.failed = true;
    };
    const refParse = OrderRef.safeParse(at(record, 'order_ref'));
    const orderRef = refParse.success ? refParse.data : null;
    const tenant = at(record, 'tenant');
    if (orderRef !== null && !drafts.has(orderRef))
      drafts.set(orderRef, { orderRef, tenant, firstLine: record.line, lines: [], fields: new Map(), failed: false });
    const draft = orderRef === null ? undefined : drafts.get(orderRef);

    if (record.fields.length !== header.length) {
      fail(orderRef, null, 'MALFORMED_ROW', `expected ${header.length} fields as in the header, found ${record.fields.length}`);
      continue;
    }
    if (!refParse.success || !draft) {
      fail(null, 'order_ref', 'VALIDATION_FAILED', `order_ref ${firstIssue(refParse.error!)}`);
      continue;
    }
    const tenantParse = Id.safeParse(tenant);
    if (!tenantParse.success) {
      fail(orderRef, 'tenant', 'VALIDATION_FAILED', `tenant ${firstIssue(tenantParse.error)}`);
      continue;
    }
    if (tenant !== draft.tenant) {
      fail(orderRef, 'tenant', 'CONFLICTING_VALUE', `order ${orderRef} has tenant '${draft.tenant}' on line ${draft.firstLine}, not '${tenant}'`);
      continue;
    }
    const sku = Id.safeParse(at(record, 'sku'));
    if (!sku.success) {
      fail(orderRef, 'sku', 'VALIDATION_FAILED', `sku ${firstIssue(sku.error)}`);
      continue;
    }
    const qty = QtyText.safeParse(at(record, 'qty'));
    if (!qty.success) {
      fail(orderRef, 'qty', 'VALIDATION_FAILED', `qty ${firstIssue(qty.error)}`);
      continue;
    }
    let rowOk = true;
    for (const name of ORDER_COLUMNS) {
      // Country codes are matched in capitals; a spreadsheet's 'gb' means GB.
      const value = name === 'ship_country' ? at(record, name).toUpperCase() : at(record, name);
      if (value === '') continue;
      const previous = draft.fields.get(name);
      if (previous && previous.value !== value) {
        fail(orderRef, name, 'CONFLICTING_VALUE', `order ${orderRef} has ${name} '${previous.value}' on line ${previous.line}, not '${value}'`);
        rowOk = false;
        break;
      }
      const problem = checkOrderField(name, value);
      if (problem !== null) {
        fail(orderRef, name, 'VALIDATION_FAILED', `${name} ${problem}`);
        rowOk = false;
        break;
      }
      if (!previous) draft.fields.set(name, { value, line: record.line });
    }
    if (!rowOk) continue;
    if (draft.lines.length >= MAX_LINES_PER_ORDER) {
      fail(orderRef, null, 'TOO_MANY_LINES', `order ${orderRef} has more than ${MAX_LINES_PER_ORDER} lines`);
      continue;
    }
    draft.lines.push({ line: record.line, sku: sku.data, qty: qty.data });
  }
  // An order whose address is incomplete fails as a whole, at the line that gave the address.
  for (const draft of drafts.values()) {
    if (draft.failed || draft.lines.length === 0) continue;
    const address = addressOf(draft);
    if (address !== null && !address.success) {
      const issue = address.error.issues[0];
      const field = String(issue?.path[0] ?? 'name');
      const column = Object.entries(SHIP_COLUMNS).find(([, f]) => f === field)?.[0] ?? 'ship_name';
      const line = draft.fields.get(column)?.line ?? [...draft.fields.entries()].find(([name]) => name.startsWith('ship_'))?.[1].line ?? draft.firstLine;
      failures.push({
        line,
        orderRef: draft.orderRef,
        column,
        code: 'VALIDATION_FAILED',
        message: `line ${line}, column ${column}: ${issue?.code === 'invalid_type' ? 'is required when a ship-to address is given' : (issue?.message ?? 'is invalid')}`,
      });
      draft.failed = true;
    }
  }
  return [...drafts.values()].filter((d) => !d.failed && d.lines.length > 0);
}

/** Null when `value` is fine for the order-level column `name`, else what is wrong with it. */
function checkOrderField(name: string, value: string): string | null {
  const check = (schema: z.ZodType, input: unknown): string | null => {
    const parsed = schema.safeParse(input);
    return parsed.success ? null : firstIssue(parsed.error);
  };
  if (name === 'priority') return check(Priority, value);
  if (name === 'service') return check(ServiceName, value);
  if (name === 'due_at') return check(IsoDateTime, value);
  const field: keyof Address = SHIP_COLUMNS[name as keyof typeof SHIP_COLUMNS];
  return check(AddressBody.shape[field], value);
}

function addressOf(draft: OrderDraft) {
  const entries = Object.entries(SHIP_COLUMNS).flatMap(([column, field]) => {
    const value = draft.fields.get(column)?.value;
    return value === undefined ? [] : [[field, value] as const];
  });
  return entries.length === 0 ? null : AddressBody.safeParse(Object.fromEntries(entries));
}

/** Creates the drafted orders; counts created and duplicates, reports refusals. */
async function submitDrafts(site: SiteRunner, drafts: readonly OrderDraft[], result: ImportResult): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < drafts.length) {
      const draft = drafts[next++]!;
      const priority = draft.fields.get('priority')?.value;
      const service = draft.fields.get('service')?.value;
      const dueAt = draft.fields.get('due_at')?.value;
      const address = addressOf(draft);
      const outcome = await site.submit({
        type: 'createOrder',
        orderId: deriveOrderId(site.siteId, draft.tenant, 'csv', draft.orderRef),
        tenantId: asTenantId(draft.tenant),
        channel: 'csv',
        externalRef: draft.orderRef,
        lines: draft.lines.map((line) => ({ skuId: asSkuId(line.sku), qty: line.qty })),
        ...(priority === undefined ? {} : { priority: Number(priority) }),
        ...(service === undefined ? {} : { service }),
        ...(dueAt === undefined ? {} : { dueAt: epochMs(Date.parse(dueAt)) }),
        ...(address?.success ? { shipTo: address.data } : {}),
      });
      if (outcome.ok) result.created++;
      else if (outcome.error.code === 'DUPLICATE_ORDER') result.duplicates++;
      else {
        const details = 'details' in outcome.error ? outcome.error.details : undefined;
        // Point at the row of the SKU the twin refused, when it says which.
        const skuLine = draft.lines.find((line) => line.sku === details?.['skuId']);
        const line = skuLine?.line ?? draft.firstLine;
        result.failed.push({
          line,
          orderRef: draft.orderRef,
          column: skuLine ? 'sku' : null,
          code: outcome.error.code,
          message: `line ${line}: ${outcome.error.message}`,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SUBMIT_CONCURRENCY, drafts.length) }, worker));
}

/** Reads the body as CSV text (5 MB at most), answering 415 / 413 itself. */
function csvBody(): (req: Request, res: Response, next: NextFunction) => void {
  const parse = express.text({ type: 'text/csv', limit: MAX_IMPORT_BYTES });
  return (req, res, next) => {
    if (!req.is('text/csv')) return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the file as text/csv');
    parse(req, res, (err?: unknown) => {
      if ((err as { type?: string } | undefined)?.type === 'entity.too.large')
        return sendError(res, 413, 'PAYLOAD_TOO_LARGE', `an import is at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB`, { limitBytes: MAX_IMPORT_BYTES });
      next(err);
    });
  };
}

/** The CSV import route. */
export function orderImportRouter(sites: SiteRegistry): Router {
  const router = Router();

  router.post('/api/sites/:siteId/orders/import', csvBody(), async (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    const text = (typeof req.body === 'string' ? req.body : '').replace(/^\uFEFF/, '');
    let records: CsvRecord[];
    try {
      records = parseCsv(text);
    } catch (err) {
      if (err instanceof CsvSyntaxError) return sendError(res, 400, 'MALFORMED_CSV', err.message, { line: err.line });
      throw err;
    }
    const [headerRecord, ...rows] = records;
    if (!headerRecord) return sendError(res, 400, 'MISSING_HEADER', `the file is empty; the first line must be the header ${REQUIRED.join(',')}`);
    if (rows.length > MAX_IMPORT_ROWS)
      return sendError(res, 413, 'TOO_MANY_ROWS', `an import has at most ${MAX_IMPORT_ROWS} rows, this one has ${rows.length}`, { rows: rows.length, limit: MAX_IMPORT_ROWS });
    const header = headerRecord.fields.map((name) => name.trim().toLowerCase());
    const unknown = header.filter((name) => !KNOWN.has(name));
    const missing = REQUIRED.filter((name) => !header.includes(name));
    const repeated = header.filter((name, index) => header.indexOf(name) !== index);
    if (unknown.length > 0 || missing.length > 0 || repeated.length > 0) {
      const problems = [
        ...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []),
        ...(unknown.length > 0 ? [`unknown ${unknown.join(', ')}`] : []),
        ...(repeated.length > 0 ? [`repeated ${repeated.join(', ')}`] : []),
      ];
      return sendError(res, 400, 'INVALID_HEADER', `line ${headerRecord.line}: ${problems.join('; ')} (columns: ${[...REQUIRED, ...ORDER_COLUMNS].join(',')})`, {
        line: headerRecord.line,
        missing,
        unknown,
        repeated,
      });
    }
    const result: ImportResult = { created: 0, duplicates: 0, failed: [] };
    const drafts = draftOrders(header, rows, result.failed);
    await submitDrafts(site, drafts, result);
    result.failed.sort((a, b) => a.line - b.line);
    res.json(result);
  });

  return router;
}
