/** Helpers shared by the socket gateways: error values, validation details, safe acks and handler wrapping. */
import type { z } from 'zod';
import type { WireError } from '../protocol/socket.ts';
import type { RealtimeLog } from './socket-server.ts';

export function wireError(code: string, message: string, details?: unknown): WireError {
  return details === undefined ? { code, message } : { code, message, details };
}

/** Zod issues as `{ path, message }` pairs, for `BAD_REQUEST` details. */
export function validationDetails(error: z.ZodError): unknown {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** A client may emit without an ack (or with a non-function last argument): answer into the void then, never twice. */
export function ackOf<T>(ack: unknown): (result: T) => void {
  if (typeof ack !== 'function') return () => undefined;
  let sent = false;
  return (result) => {
    if (sent) return;
    sent = true;
    (ack as (result: T) => void)(result);
  };
}

/**
 * Runs a handler and acks its result, synchronously when it is synchronous (so no broadcast slips between an answer
 * and its ack); a throw or rejection is logged and acked with `failure`.
 */
export function serve<T>(log: RealtimeLog, what: string, work: () => T | Promise<T>, reply: (result: T) => void, failure: T): void {
  const fail = (error: unknown): void => {
    log(`${what} failed`, error);
    reply(failure);
  };
  try {
    const result = work();
    if (result instanceof Promise) result.then(reply, fail);
    else reply(result);
  } catch (error) {
    fail(error);
  }
}
