/** Who is signed in and a sign-out button, as a panel of the 3D floor's top-left stack (see `session-guard.ts`). */
import { useState, useSyncExternalStore } from 'react';
import { onSession, sessionPrincipal, signOutAndLeave } from './session-guard.ts';
import { roleLabel } from './signin-logic.ts';

export function SessionBadge() {
  const principal = useSyncExternalStore(onSession, sessionPrincipal);
  const [leaving, setLeaving] = useState(false);
  if (principal === null) return null;
  const who = `Signed in as ${principal.name} (${roleLabel(principal.role)})`;
  return (
    <div className="session-bar session-bar--panel" role="region" aria-label="Account">
      <span className="session-bar__who" title={who}>
        {who}
      </span>
      <button
        type="button"
        className="session-bar__sign-out"
        disabled={leaving}
        onClick={() => {
          setLeaving(true);
          signOutAndLeave();
        }}
      >
        {leaving ? 'Signing out…' : 'Sign out'}
      </button>
    </div>
  );
}
