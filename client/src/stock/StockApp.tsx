/**
 * The stock handheld at `/stock`: one phone-sized app for the stock flows — Receive, Put away, Replenish, Count,
 * Returns, transfers between sites (out and in) and the serial lookup — in the picker's style (large targets, a keyboard-wedge scan field that keeps focus, messages read out).
 * Who is working comes from `?operative=` or the last badge signed in on this device; the mode from `?mode=`, so a
 * bookmark opens the same screen.
 */
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useChosenSite } from '../views/use-chosen-site.ts';
import { CountMode } from './CountMode.tsx';
import { MoveMode } from './MoveMode.tsx';
import { ReceiveMode } from './ReceiveMode.tsx';
import { ReturnsMode } from './ReturnsMode.tsx';
import { SerialMode } from './SerialMode.tsx';
import { TransferInMode } from './TransferInMode.tsx';
import { TransferOutMode } from './TransferOutMode.tsx';
import { newRequestId } from './stock-api.ts';
import { StateCard } from './ui.tsx';

/** The modes, in menu order. */
export const STOCK_MODES = [
  { id: 'receive', label: 'Receive', hint: 'Goods in at the dock: ASN or blind' },
  { id: 'putaway', label: 'Put away', hint: 'Dock to bin, two scans' },
  { id: 'replenish', label: 'Replenish', hint: 'Reserve to pick face, two scans' },
  { id: 'count', label: 'Count', hint: 'Blind cycle counts' },
  { id: 'returns', label: 'Returns', hint: 'Receive and inspect RMAs' },
  { id: 'transfer-out', label: 'Transfer out', hint: 'Pick a transfer to another site, despatch it' },
  { id: 'transfer-in', label: 'Transfer in', hint: 'Receive a transfer from another site' },
  { id: 'serial', label: 'Serial lookup', hint: 'Where a serial is, where it has been' },
] as const;
export type StockMode = (typeof STOCK_MODES)[number]['id'];

const STORAGE = { operative: 'floortwin.stock.operative', device: 'floortwin.stock.device' } as const;

/** localStorage, or null where it is disabled (private mode). */
function storage(): Storage | null {
  try {
    window.localStorage.getItem(STORAGE.operative);
    return window.localStorage;
  } catch {
    return null;
  }
}

const modeOf = (value: string | null): StockMode | null => STOCK_MODES.find((m) => m.id === value)?.id ?? null;

/** Keeps `?operative=` and `?mode=` in the address (reload and bookmarks open the same screen). */
function writeUrl(operativeId: string | null, mode: StockMode | null): void {
  const url = new URL(window.location.href);
  if (operativeId === null) url.searchParams.delete('operative');
  else url.searchParams.set('operative', operativeId);
  if (mode === null) url.searchParams.delete('mode');
  else url.searchParams.set('mode', mode);
  window.history.replaceState(null, '', url);
}

export function StockApp() {
  const params = useMemo(() => new URLSearchParams(window.location.search), []);
  const { siteId, error, retry } = useChosenSite(params);
  const store = useMemo(storage, []);
  const deviceId = useMemo(() => {
    const known = store?.getItem(STORAGE.device) ?? null;
    const id = known ?? newRequestId('DEV').slice(0, 40);
    store?.setItem(STORAGE.device, id);
    return id;
  }, [store]);
  const [operativeId, setOperativeId] = useState<string | null>(() => params.get('operative') ?? store?.getItem(STORAGE.operative) ?? null);
  const [mode, setMode] = useState<StockMode | null>(() => modeOf(params.get('mode')));

  useEffect(() => {
    if (operativeId === null) store?.removeItem(STORAGE.operative);
    else store?.setItem(STORAGE.operative, operativeId);
    writeUrl(operativeId, mode);
  }, [operativeId, mode, store]);

  const current = STOCK_MODES.find((m) => m.id === mode);
  const bar = (
    <header className="bar">
      {mode !== null && (
        <button type="button" className="bar__change" data-testid="stock-menu" onClick={() => setMode(null)} aria-label="Back to the menu">
          ‹ Menu
        </button>
      )}
      <div className="bar__who">
        <h1 className="bar__name stock-title">{current?.label ?? 'Stock'}</h1>
        {operativeId !== null && <span className="bar__id" data-testid="stock-operative">{operativeId}</span>}
      </div>
      {operativeId !== null && mode === null && (
        <button type="button" className="bar__change" data-testid="stock-sign-out" onClick={() => setOperativeId(null)}>
          Sign out
        </button>
      )}
    </header>
  );

  let content: ReactNode;
  if (error !== null) {
    content = (
      <StateCard tone="bad" title="Cannot reach the server" body={error}>
        <button type="button" className="big-button" onClick={retry}>Try again</button>
      </StateCard>
    );
  } else if (siteId === null) {
    content = <StateCard tone="muted" title="Connecting…" />;
  } else if (operativeId === null) {
    content = <SignIn onSignIn={setOperativeId} />;
  } else if (mode === null) {
    content = (
      <nav aria-label="Stock tasks">
        <ul className="chooser stock-menu" data-testid="stock-modes">
          {STOCK_MODES.map((m) => (
            <li key={m.id}>
              <button type="button" className="chooser__item" data-testid={`mode-${m.id}`} onClick={() => setMode(m.id)}>
                <span className="chooser__name">{m.label}</span>
                <span className="chooser__meta">{m.hint}</span>
              </button>
            </li>
          ))}
        </ul>
      </nav>
    );
  } else {
    switch (mode) {
      case 'receive':
        content = <ReceiveMode siteId={siteId} />;
        break;
      case 'putaway':
      case 'replenish':
        content = <MoveMode key={mode} siteId={siteId} operativeId={operativeId} deviceId={deviceId} kind={mode} />;
        break;
      case 'count':
        content = <CountMode siteId={siteId} operativeId={operativeId} />;
        break;
      case 'returns':
        content = <ReturnsMode siteId={siteId} />;
        break;
      case 'transfer-out':
        content = <TransferOutMode siteId={siteId} />;
        break;
      case 'transfer-in':
        content = <TransferInMode siteId={siteId} />;
        break;
      case 'serial':
        content = <SerialMode siteId={siteId} />;
        break;
    }
  }

  return (
    <div className="picker stock" data-testid="stock-app" data-mode={mode ?? 'menu'}>
      {bar}
      <main className="picker__body">{content}</main>
    </div>
  );
}

/** Badge sign-in: who does the work (counter id, operative of move tasks). */
function SignIn({ onSignIn }: { onSignIn: (operativeId: string) => void }) {
  const [id, setId] = useState('');
  const valid = /^[A-Za-z0-9][A-Za-z0-9._:#-]{0,63}$/.test(id.trim());
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (valid) onSignIn(id.trim());
  };
  return (
    <form className="signon" onSubmit={submit} autoComplete="off">
      <label className="field__label" htmlFor="stock-badge">Badge / operative id</label>
      <p className="scan__hint" id="stock-badge-hint">Scan your badge or type your id (letters, digits, . _ : # -).</p>
      <input
        id="stock-badge"
        className="field__input"
        data-testid="stock-badge"
        value={id}
        onChange={(e) => setId(e.target.value)}
        aria-describedby="stock-badge-hint"
        aria-invalid={id !== '' && !valid ? true : undefined}
        autoFocus
        autoCapitalize="characters"
        autoCorrect="off"
        spellCheck={false}
        maxLength={64}
      />
      <button type="submit" className="big-button" data-testid="stock-sign-in" disabled={!valid}>Sign in</button>
    </form>
  );
}
