/**
 * The scan input: a labelled text field that a keyboard-wedge scanner types into (the code, then Enter). It keeps
 * the focus while `active`, so the next scan always lands here: it takes it back when the page is tapped elsewhere,
 * and a key pressed with nothing focused is redirected into it. The on-screen keyboard stays down (`inputMode="none"`)
 * until the picker chooses to type a code by hand.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';

export interface ScanFieldProps {
  readonly label: string;
  /** Shown under the label: what to scan. */
  readonly hint?: string;
  /** Called with each code (Enter or the submit button); the field then clears. */
  readonly onScan: (code: string) => void;
  /** False while another control (e.g. the short dialog) needs the keyboard. */
  readonly active: boolean;
  readonly disabled?: boolean;
  readonly testId?: string;
}

/** True when nothing that takes typing has the focus (so a scanner's keys would be lost). */
const focusIsFree = (): boolean => {
  const active = document.activeElement;
  return active === null || active === document.body || active === document.documentElement;
};

export function ScanField({ label, hint, onScan, active, disabled = false, testId = 'scan-input' }: ScanFieldProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState('');
  const [typing, setTyping] = useState(false);

  useEffect(() => {
    if (!active || disabled) return;
    const field = input.current;
    field?.focus({ preventScroll: true });
    // A scanner types fast: if the focus was lost (a tap on the map), the first key brings it back before it lands.
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (focusIsFree()) field?.focus({ preventScroll: true });
    };
    // A tap on nothing in particular blurs the field: take the focus back once the tap is done.
    const onPointerUp = (): void => {
      setTimeout(() => {
        if (focusIsFree()) field?.focus({ preventScroll: true });
      }, 0);
    };
    window.addEventListener('keydown', onKeyDown, true);
    window.addEventListener('pointerup', onPointerUp, true);
    return () => {
      window.removeEventListener('keydown', onKeyDown, true);
      window.removeEventListener('pointerup', onPointerUp, true);
    };
  }, [active, disabled, label]);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const code = value;
    setValue('');
    if (code.trim() !== '') onScan(code);
    input.current?.focus({ preventScroll: true });
  };

  return (
    <form className="scan" onSubmit={submit} autoComplete="off">
      <label className="scan__label" htmlFor={id}>
        {label}
      </label>
      {hint !== undefined && <p className="scan__hint" id={`${id}-hint`}>{hint}</p>}
      <div className="scan__row">
        <input
          ref={input}
          id={id}
          className="scan__input"
          data-testid={testId}
          type="text"
          value={value}
          onChange={(event) => setValue(event.target.value)}
          inputMode={typing ? 'text' : 'none'}
          enterKeyHint="go"
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          disabled={disabled}
          aria-describedby={hint === undefined ? undefined : `${id}-hint`}
        />
        <button type="submit" className="scan__go" disabled={disabled || value.trim() === ''}>
          Enter
        </button>
      </div>
      <button
        type="button"
        className="scan__type"
        aria-pressed={typing}
        onClick={() => {
          setTyping((t) => !t);
          input.current?.focus({ preventScroll: true });
        }}
      >
        {typing ? 'Hide keyboard' : 'Type a code'}
      </button>
    </form>
  );
}
