/**
 * The Jepsen-style history of a load run (reliability.md §6.0): every operation is appended when invoked and
 * completed with its outcome — `ok` (definite success), `fail` (definite refusal: nothing may have happened) or
 * `info` (indeterminate: a timeout or a reset; it may or may not have taken effect).
 */

/** What a simulated client did. */
export type OpKind = 'order' | 'wave' | 'signOn' | 'next' | 'scan' | 'signOff' | 'join';

export type OpOutcome = 'ok' | 'fail' | 'info';

/** One operation; times are ms since the run started (monotonic clock). */
export interface OpRecord {
  readonly id: number;
  readonly kind: OpKind;
  /** When it was due (open model: the scheduled send time) — latency is measured from here. */
  readonly start: number;
  end: number | null;
  outcome: OpOutcome | null;
  /** HTTP status, when over HTTP. */
  status: number | null;
  /** Error code from the answer (or TIMEOUT / NETWORK made here); null on success. */
  code: string | null;
  /** Sends, the first included (an `info` is retried with the same idempotency key or scan id). */
  tries: number;
  /** Identifiers: externalRef, idempotency key, orderId, operativeId, taskId, scanId… */
  readonly ids: Record<string, string>;
}

/** An append-only history; not thread-safe, one per run. */
export class History {
  private readonly ops: OpRecord[] = [];

  /** Appends an invoked operation; returns it for completion. */
  invoke(kind: OpKind, start: number, ids: Record<string, string> = {}): OpRecord {
    const op: OpRecord = { id: this.ops.length, kind, start, end: null, outcome: null, status: null, code: null, tries: 0, ids };
    this.ops.push(op);
    return op;
  }

  /** Records how `op` ended. */
  complete(op: OpRecord, end: number, outcome: OpOutcome, detail: { status?: number; code?: string | null } = {}): void {
    op.end = end;
    op.outcome = outcome;
    op.status = detail.status ?? op.status;
    op.code = detail.code ?? null;
  }

  get all(): readonly OpRecord[] {
    return this.ops;
  }

  of(kind: OpKind): OpRecord[] {
    return this.ops.filter((op) => op.kind === kind);
  }
}

/** Failed and indeterminate operations counted by `kind outcome code-or-status`, keys sorted. */
export function errorsByKind(ops: readonly OpRecord[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const op of ops) {
    if (op.outcome === 'ok') continue;
    const what = op.outcome === null ? 'unfinished' : `${op.outcome} ${op.code ?? op.status ?? '?'}`;
    const key = `${op.kind} ${what}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Object.fromEntries([...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
