/**
 * Run by the entry (`main.tsx`) on every page but the sign-in page, alongside the page itself: asks who is signed in;
 * nobody → the sign-in page (coming back here after); a client role on a staff page → the portal (and staff on the
 * portal → the floor); otherwise shows who is signed in and a sign-out button: a small bar of plain DOM above the page
 * (the entry chunk carries no React), or — on the 3D floor, whose corners are all taken — the floor's own
 * `SessionBadge`, fed by {@link onSession}.
 */
import { fetchMe, signOut, type SessionPrincipal } from './auth-api.ts';
import { redirectToSignIn } from './session.ts';
import { SIGN_IN_PATH, redirectFor, roleLabel } from './signin-logic.ts';

/** What the guard decided (for tests and the e2e hooks). */
export type GuardOutcome = { readonly kind: 'signed-in'; readonly principal: SessionPrincipal } | { readonly kind: 'redirected'; readonly to: string } | { readonly kind: 'unknown' };

let current: SessionPrincipal | null = null;
const listeners = new Set<() => void>();

/** Who the guard found signed in (null until it knows). */
export const sessionPrincipal = (): SessionPrincipal | null => current;

/** Calls `listener` when the signed-in principal becomes known; returns the unsubscribe. */
export function onSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Ends the session and opens the sign-in page (also when the server could not be told: the cookie is then stale). */
export function signOutAndLeave(): void {
  signOut()
    .catch(() => undefined)
    .finally(() => window.location.assign(SIGN_IN_PATH));
}

/** Builds the bar: "Signed in as <name> (<role>)" and a Sign out button. */
export function renderSessionBar(doc: Document, principal: SessionPrincipal, options: { readonly onSignOut: () => void }): HTMLElement {
  const bar = doc.createElement('div');
  bar.className = 'session-bar';
  bar.setAttribute('role', 'region');
  bar.setAttribute('aria-label', 'Account');
  const who = doc.createElement('span');
  who.className = 'session-bar__who';
  who.textContent = `Signed in as ${principal.name} (${roleLabel(principal.role)})`;
  who.title = who.textContent;
  const button = doc.createElement('button');
  button.type = 'button';
  button.className = 'session-bar__sign-out';
  button.textContent = 'Sign out';
  button.addEventListener('click', () => {
    button.disabled = true;
    button.textContent = 'Signing out…';
    options.onSignOut();
  });
  bar.append(who, button);
  return bar;
}

const STYLE_ID = 'session-bar-style';

/** The bar's few rules, injected once (the entry has no CSS of its own; each view brings its own sheet). */
const SESSION_BAR_CSS = `
.session-bar{display:flex;align-items:center;justify-content:flex-end;gap:10px;padding:6px 12px;font:14px/1.3 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#e8edf4;background:#0b0f16;border-bottom:1px solid rgba(148,163,184,.25)}
.session-bar--panel{justify-content:space-between;margin-top:8px;padding:3px 4px 3px 10px;font-size:12px;border:1px solid rgba(148,163,184,.18);border-radius:8px;background:rgba(17,23,33,.86);max-width:300px}
.session-bar--panel .session-bar__sign-out{min-height:26px;padding:2px 10px}
.session-bar__who{min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.session-bar__sign-out{flex:none;min-height:32px;padding:4px 12px;font:inherit;color:inherit;background:transparent;border:1px solid rgba(148,163,184,.6);border-radius:6px;cursor:pointer}
.session-bar__sign-out:hover{background:rgba(148,163,184,.15)}
.session-bar__sign-out:focus-visible{outline:3px solid #fbbf24;outline-offset:2px}
`;

function ensureStyle(doc: Document): void {
  if (doc.getElementById(STYLE_ID) !== null) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = SESSION_BAR_CSS;
  doc.head.append(style);
}

/**
 * Checks the session for the page at `window.location` and acts on it (see the file comment). `bar`: 'above' puts
 * the bar above the page; 'page' leaves it to the page (the floor's `SessionBadge`). Never throws: a server that
 * cannot be reached leaves the page as it is (its own calls show the error).
 */
export async function guardPage(options: { readonly bar: 'above' | 'page' }): Promise<GuardOutcome> {
  let principal: SessionPrincipal | null;
  try {
    principal = await fetchMe();
  } catch {
    return { kind: 'unknown' };
  }
  if (principal === null) {
    redirectToSignIn();
    return { kind: 'redirected', to: SIGN_IN_PATH };
  }
  const elsewhere = redirectFor(principal.role, window.location.pathname);
  if (elsewhere !== null) {
    window.location.replace(elsewhere);
    return { kind: 'redirected', to: elsewhere };
  }
  ensureStyle(document);
  current = principal;
  for (const listener of [...listeners]) listener();
  if (options.bar === 'above') document.body.prepend(renderSessionBar(document, principal, { onSignOut: signOutAndLeave }));
  return { kind: 'signed-in', principal };
}
