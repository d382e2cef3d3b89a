/** One error shape for every HTTP failure: `{ error: { code, message, details } }`, 4xx for the caller's mistakes. */
import { STATUS_CODES, type Server } from 'node:http';
import type { ErrorRequestHandler, Response } from 'express';
import type { ZodError } from 'zod';
import type { DomainError, DomainErrorCode } from '../twin/errors.ts';
import type { UnavailableError } from '../site/site-runner.ts';
import { isStoreUnavailable } from '../ops/store-unavailable.ts';

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details: unknown };
}

export function sendError(res: Response, status: number, code: string, message: string, details: unknown = null): void {
  const body: ErrorBody = { error: { code, message, details } };
  res.status(status).json(body);
}

/** Names each failing field, e.g. `lines.0.qty: Too small: expected number to be >0`. */
export function sendValidationError(res: Response, error: ZodError, where: 'body' | 'query' | 'path'): void {
  const issues = error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || `(${where})`,
    message: issue.message,
    code: issue.code,
  }));
  const message = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
  sendError(res, 400, 'VALIDATION_FAILED', `invalid ${where}: ${message}`, { issues });
}

const STATUS_BY_CODE: Record<DomainErrorCode | UnavailableError['code'], number> = {
  UNKNOWN_LOCATION: 422,
  UNKNOWN_SKU: 422,
  UNKNOWN_TENANT: 422,
  UNKNOWN_ORDER: 404,
  UNKNOWN_TASK: 404,
  UNKNOWN_OPERATIVE: 404,
  TENANT_MISMATCH: 422,
  INVALID_QUANTITY: 422,
  INSUFFICIENT_STOCK: 409,
  OUT_OF_STOCK: 409,
  CAPACITY_EXCEEDED: 409,
  DUPLICATE_ORDER: 409,
  INVALID_STATE: 409,
  WRONG_LOCATION_SCANNED: 422,
  WRONG_ITEM_SCANNED: 422,
  TASK_NOT_ASSIGNED: 409,
  OPERATIVE_NOT_SIGNED_ON: 409,
  ALREADY_SIGNED_ON: 409,
  LOT_REQUIRED: 422,
  UNKNOWN_SEGMENT: 422,
  ORDER_IN_PROGRESS: 409,
  TASK_DONE: 409,
  PACK_MISMATCH: 422,
  UNKNOWN_COUNT: 404,
  DUPLICATE_COUNT: 409,
  COUNT_ALREADY_OPEN: 409,
  COUNT_IN_PROGRESS: 409,
  COUNT_NOT_STARTED: 409,
  COUNT_FINISHED: 409,
  COUNT_NOT_ASSIGNED: 409,
  COUNT_NOT_PENDING: 409,
  COUNT_SELF_APPROVAL: 409,
  COUNT_MIXED_BIN: 422,
  UNKNOWN_HOLD: 404,
  DUPLICATE_HOLD: 409,
  NOTHING_TO_HOLD: 409,
  UNKNOWN_ASN: 404,
  DUPLICATE_ASN: 409,
  ASN_CLOSED: 409,
  REASON_REQUIRED: 422,
  INVALID_SCAN: 422,
  UNKNOWN_RMA: 404,
  DUPLICATE_RMA: 409,
  RMA_CLOSED: 409,
  ORDER_NOT_DESPATCHED: 409,
  RETURN_EXCEEDS_SHIPPED: 422,
  RETURN_EXCEEDS_AUTHORISED: 422,
  RETURN_NOT_RECEIVED: 409,
  RETURN_NOT_INSPECTED: 409,
  TASK_ALREADY_ASSIGNED: 409,
  ZONE_NOT_ALLOWED: 422,
  SKILL_REQUIRED: 422,
  DUPLICATE_TASK: 409,
  OVERRIDE_REASON_REQUIRED: 422,
  CLIENT_MISMATCH: 409,
  UNKNOWN_TRANSFER: 404,
  DUPLICATE_TRANSFER: 409,
  TRANSFER_CLOSED: 409,
  TRANSFER_NOT_REFUSED: 409,
  SERIAL_REQUIRED: 422,
  UNKNOWN_SERIAL: 422,
  DUPLICATE_SERIAL: 409,
  SERIAL_NOT_SHIPPED: 422,
  UNAVAILABLE: 503,
};

/** The HTTP status a domain (or availability) error maps to; unknown codes are the caller's problem (422). */
export function statusOfDomainError(code: string): number {
  return (STATUS_BY_CODE as Record<string, number | undefined>)[code] ?? 422;
}

/** Maps a domain (or availability) error to its HTTP status; unknown codes are the caller's problem (422). */
export function sendDomainError(res: Response, error: DomainError | UnavailableError): void {
  const status = statusOfDomainError(error.code);
  if (status === 503) res.setHeader('Retry-After', '1');
  // The log could not be written (Postgres down): its own code, so clients and dashboards tell it from a closing site.
  const code = 'cause' in error && error.cause === 'store' ? 'STORE_UNAVAILABLE' : error.code;
  sendError(res, status, code, error.message, 'details' in error ? (error.details ?? null) : null);
}

/** Last middleware: body-parser failures become 4xx with our shape; anything else is a 500 that is logged. */
export const errorHandler: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  const e = error as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.parse.failed') return sendError(res, 400, 'MALFORMED_JSON', 'request body is not valid JSON');
  if (e.type === 'entity.too.large') return sendError(res, 413, 'PAYLOAD_TOO_LARGE', 'request body exceeds 256 KB');
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported')
    return sendError(res, 415, 'UNSUPPORTED_ENCODING', e.message ?? 'unsupported encoding');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
    return sendError(res, e.status, 'BAD_REQUEST', e.message ?? 'bad request');
  // Postgres unreachable (a route's own query, the idempotency store): retry shortly, not a 500.
  if (isStoreUnavailable(error)) {
    res.setHeader('Retry-After', '1');
    return sendError(res, 503, 'STORE_UNAVAILABLE', e.message ?? 'storage is unavailable; retry');
  }
  console.error('unhandled request error', error);
  sendError(res, 500, 'INTERNAL', 'internal error');
};

/**
 * Requests Node's HTTP parser refuses before express sees them (a head over 16 KB, a malformed request line) get our
 * error body too, instead of Node's empty 400/431.
 */
export function answerMalformedRequests(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body: ErrorBody = {
      error: tooLarge
        ? { code: 'HEADERS_TOO_LARGE', message: 'request head exceeds 16 KB', details: null }
        : { code: 'BAD_REQUEST', message: 'malformed HTTP request', details: null },
    };
    const text = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  });
}
