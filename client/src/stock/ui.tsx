/**
 * Small pieces the stock handheld's modes share, in the picker's style (`picker/picker.css`): state cards, the
 * message line (errors are alerts, the rest polite status), labelled number / text / select fields with 56 px
 * targets, and how a server refusal reads.
 */
import { useCallback, useId, useRef, useState, type ReactNode } from 'react';
import { StockApiError } from './stock-api.ts';

/** A line for the operative: `bad` needs attention (nothing was recorded), `good` confirms, `info` informs. */
export interface Notice {
  readonly tone: 'bad' | 'good' | 'info';
  readonly text: string;
  readonly code: string | null;
  /** Bumped on every notice, so the same text twice is announced twice. */
  readonly n: number;
}

/** The mode's message line and its setter. */
export function useNotice(): { notice: Notice | null; say: (tone: Notice['tone'], text: string, code?: string | null) => void; clear: () => void } {
  const [notice, setNotice] = useState<Notice | null>(null);
  const counter = useRef(0);
  const say = useCallback((tone: Notice['tone'], text: string, code: string | null = null) => setNotice({ tone, text, code, n: ++counter.current }), []);
  const clear = useCallback(() => setNotice(null), []);
  return { notice, say, clear };
}

/**
 * A mode's busy flag and `run(work)`: busy while the work runs, and a failure shown on the message line with the
 * server's words (`onError` first sees it, for a mode that also reacts to a particular refusal).
 */
export function useBusyRun(
  say: (tone: Notice['tone'], text: string, code?: string | null) => void,
  onError?: (error: unknown) => void,
): { busy: boolean; setBusy: (busy: boolean) => void; run: (work: () => Promise<void>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<void>): Promise<void> => {
    setBusy(true);
    try {
      await work();
    } catch (error) {
      onError?.(error);
      const { text, code } = explain(error);
      say('bad', text, code);
    } finally {
      setBusy(false);
    }
  };
  return { busy, setBusy, run };
}

/** What a failed call means, with the server's message as it is and its code. */
export function explain(error: unknown): { text: string; code: string | null } {
  if (error instanceof StockApiError) return { text: `${error.message} (${error.code}). Nothing recorded.`, code: error.code };
  return { text: error instanceof Error ? error.message : String(error), code: null };
}

export function MessageLine({ notice, onDismiss }: { notice: Notice | null; onDismiss: () => void }) {
  return (
    <div className="message-slot" aria-live={notice?.tone === 'bad' ? 'assertive' : 'polite'}>
      {notice !== null && (
        <div key={notice.n} className={`message message--${notice.tone}`} role={notice.tone === 'bad' ? 'alert' : 'status'} data-testid="stock-message" data-tone={notice.tone} data-code={notice.code ?? ''}>
          <span className="message__text">{notice.text}</span>
          <button type="button" className="message__close" aria-label="Dismiss message" onClick={onDismiss}>
            ×
          </button>
        </div>
      )}
    </div>
  );
}

export function StateCard({ tone, title, body, children, testId }: { tone: 'bad' | 'warn' | 'muted' | 'good'; title: string; body?: string; children?: ReactNode; testId?: string }) {
  return (
    <section className={`state state--${tone}`} role={tone === 'bad' || tone === 'warn' ? 'alert' : 'status'} data-testid={testId}>
      <h2 className="state__title">{title}</h2>
      {body !== undefined && <p className="state__body">{body}</p>}
      {children}
    </section>
  );
}

/** A labelled input with an optional hint; `invalid` marks it for assistive tech when the last submit failed on it. */
export function Field({
  label, value, onChange, hint, type = 'text', inputMode, testId, invalid = false, autoFocus = false, placeholder,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
  type?: 'text' | 'number' | 'date';
  inputMode?: 'numeric' | 'text';
  testId?: string;
  invalid?: boolean;
  autoFocus?: boolean;
  placeholder?: string;
}) {
  const id = useId();
  return (
    <div className="stock-field">
      <label className="field__label" htmlFor={id}>{label}</label>
      {hint !== undefined && <p className="scan__hint" id={`${id}-hint`}>{hint}</p>}
      <input
        id={id}
        className="field__input"
        data-testid={testId}
        type={type}
        inputMode={inputMode ?? (type === 'number' ? 'numeric' : 'text')}
        min={type === 'number' ? 0 : undefined}
        step={type === 'number' ? 1 : undefined}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={invalid || undefined}
        aria-describedby={hint === undefined ? undefined : `${id}-hint`}
        autoFocus={autoFocus}
        autoComplete="off"
        autoCorrect="off"
        spellCheck={false}
        placeholder={placeholder}
      />
    </div>
  );
}

/** A labelled select; `options` are [value, label]. */
export function SelectField({ label, value, onChange, options, testId, invalid = false }: { label: string; value: string; onChange: (value: string) => void; options: readonly (readonly [string, string])[]; testId?: string; invalid?: boolean }) {
  const id = useId();
  return (
    <div className="stock-field">
      <label className="field__label" htmlFor={id}>{label}</label>
      <select id={id} className="field__input stock-select" data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={invalid || undefined}>
        {options.map(([v, l]) => (
          <option key={v} value={v}>{l}</option>
        ))}
      </select>
    </div>
  );
}

/** A reason from a list, or "Other" with a typed one. */
export function ReasonField({ label, reasons, value, onChange, testId, invalid = false }: { label: string; reasons: readonly string[]; value: string; onChange: (value: string) => void; testId: string; invalid?: boolean }) {
  const listed = value === '' || reasons.includes(value);
  const [other, setOther] = useState(!listed);
  return (
    <>
      <SelectField
        label={label}
        value={other ? '__other' : value}
        testId={testId}
        invalid={invalid}
        onChange={(v) => {
          setOther(v === '__other');
          onChange(v === '__other' ? '' : v);
        }}
        options={[['', 'Choose a reason…'], ...reasons.map((r) => [r, r] as const), ['__other', 'Other (type it)']]}
      />
      {other && <Field label={`${label} (other)`} value={value} onChange={onChange} testId={`${testId}-other`} invalid={invalid} />}
    </>
  );
}
