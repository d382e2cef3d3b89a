/**
 * The sign-in page (`/signin`): e-mail and password, checked here before sending, the server's refusal in plain
 * words, then back to the page asked for (`?next=`, a path of this site only) — or the portal for a client role.
 * Keyboard: the e-mail field has focus, Enter signs in, a field in error takes focus with its message read out.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { fetchMe, signIn, SignInError } from './auth-api.ts';
import { landingAfterSignIn, signInErrorMessage, validateSignIn, type FieldErrors } from './signin-logic.ts';

/** Props of {@link SignInApp}: where to go (a `location.replace`) and the `?next=` asked for; both from the page. */
export interface SignInAppProps {
  readonly next: string | null;
  readonly go: (path: string) => void;
}

export function SignInApp({ next, go }: SignInAppProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** A field to focus once the form is enabled again (a disabled input cannot take focus). */
  const [focusNext, setFocusNext] = useState<'email' | 'password' | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const id = useId();
  const ids = { email: `${id}-email`, emailError: `${id}-email-error`, password: `${id}-password`, passwordError: `${id}-password-error`, show: `${id}-show` };

  // Already signed in (a bookmark, the back button): go on at once.
  useEffect(() => {
    const abort = new AbortController();
    fetchMe(abort.signal).then(
      (principal) => {
        if (principal !== null) go(landingAfterSignIn(principal.role, next));
      },
      () => undefined,
    );
    return () => abort.abort();
  }, [go, next]);

  useEffect(() => {
    if (busy || focusNext === null) return;
    (focusNext === 'email' ? emailRef : passwordRef).current?.focus();
    setFocusNext(null);
  }, [busy, focusNext]);

  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    if (busy) return;
    const errors = validateSignIn({ email, password });
    setFieldErrors(errors);
    setError(null);
    if (errors.email !== undefined) return emailRef.current?.focus();
    if (errors.password !== undefined) return passwordRef.current?.focus();
    setBusy(true);
    signIn(email, password).then(
      (user) => go(landingAfterSignIn(user.role, next)),
      (failure: unknown) => {
        setBusy(false);
        const message =
          failure instanceof SignInError ? signInErrorMessage(failure) : signInErrorMessage({ status: 0, code: 'NETWORK', message: String(failure) });
        setError(message);
        // A wrong password is the usual case: clear it and let the user type it again.
        if (failure instanceof SignInError && failure.status === 401) {
          setPassword('');
          setFocusNext('password');
        } else {
          setFocusNext('email');
        }
      },
    );
  };

  return (
    <main className="signin">
      <form className="signin__card" onSubmit={submit} noValidate aria-labelledby={`${id}-title`} aria-busy={busy}>
        <h1 id={`${id}-title`} className="signin__title">
          Sign in to Floortwin
        </h1>
        {error !== null && (
          <p className="signin__error" role="alert">
            {error}
          </p>
        )}
        <div className="signin__field">
          <label htmlFor={ids.email}>E-mail</label>
          <input
            ref={emailRef}
            id={ids.email}
            name="email"
            type="email"
            inputMode="email"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={fieldErrors.email !== undefined}
            aria-describedby={fieldErrors.email !== undefined ? ids.emailError : undefined}
            disabled={busy}
          />
          {fieldErrors.email !== undefined && (
            <p id={ids.emailError} className="signin__field-error">
              {fieldErrors.email}
            </p>
          )}
        </div>
        <div className="signin__field">
          <label htmlFor={ids.password}>Password</label>
          <input
            ref={passwordRef}
            id={ids.password}
            name="password"
            type={showPassword ? 'text' : 'password'}
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={fieldErrors.password !== undefined}
            aria-describedby={fieldErrors.password !== undefined ? ids.passwordError : undefined}
            disabled={busy}
          />
          {fieldErrors.password !== undefined && (
            <p id={ids.passwordError} className="signin__field-error">
              {fieldErrors.password}
            </p>
          )}
          <label className="signin__show" htmlFor={ids.show}>
            <input id={ids.show} type="checkbox" checked={showPassword} onChange={(e) => setShowPassword(e.target.checked)} />
            Show password
          </label>
        </div>
        <button className="signin__submit" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
