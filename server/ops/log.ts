/**
 * The server's log: `LOG_FORMAT=text` (default, for the demo: `<ISO time> <message>`) or `json` (production: one JSON
 * object per line, `{ time, level, msg, ...fields }`, errors as `{ name, message, code, stack }`), so a log shipper
 * needs no parsing rules. The signature is the one every part already takes: `(message, error?)`.
 */
export type LogFormat = 'text' | 'json';
export type Level = 'info' | 'warn' | 'error';

export interface Log {
  (message: string, error?: unknown): void;
  /** A line with structured fields (json: top-level keys; text: appended as key=value). */
  fields(level: Level, message: string, fields: Readonly<Record<string, unknown>>): void;
}

export interface LogSink {
  out(line: string): void;
  err(line: string, error?: unknown): void;
}

const consoleSink: LogSink = {
  out: (line) => console.log(line),
  err: (line, error) => (error === undefined ? console.error(line) : console.error(line, error)),
};

/** A plain object for an error (and its cause chain), safe for JSON.stringify. */
export function errorFields(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return typeof error === 'object' && error !== null ? safe(error) : String(error);
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out['code'] = code;
  if (error.stack) out['stack'] = error.stack;
  if (error.cause !== undefined && depth < 3) out['cause'] = errorFields(error.cause, depth + 1);
  if (error instanceof AggregateError && depth < 3) out['errors'] = error.errors.map((inner: unknown) => errorFields(inner, depth + 1));
  return out;
}

function safe(value: object): unknown {
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export function createLog(format: LogFormat, options: { readonly now?: () => Date; readonly sink?: LogSink } = {}): Log {
  const now = options.now ?? (() => new Date());
  const sink = options.sink ?? consoleSink;
  const write = (level: Level, message: string, fields: Readonly<Record<string, unknown>>, error?: unknown): void => {
    if (format === 'json') {
      const line: Record<string, unknown> = { time: now().toISOString(), level, msg: message, ...fields };
      if (error !== undefined) line['error'] = errorFields(error);
      const text = JSON.stringify(line, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
      if (level === 'info') sink.out(text);
      else sink.err(text);
      return;
    }
    const extra = Object.entries(fields)
      .map(([key, value]) => ` ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join('');
    const line = `${now().toISOString()} ${message}${extra}`;
    if (level === 'info' && error === undefined) sink.out(line);
    else sink.err(line, error);
  };
  const log = ((message: string, error?: unknown) => write(error === undefined ? 'info' : 'error', message, {}, error)) as Log;
  log.fields = (level, message, fields) => write(level, message, fields);
  return log;
}
