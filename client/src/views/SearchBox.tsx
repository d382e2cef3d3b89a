/**
 * Search the floor for a location, SKU, order or operative (ARIA combobox): type, ↑/↓ to move through the hits, Enter
 * to inspect one (the camera flies to it when it has a place), Escape to close the list. `/` focuses the box.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { focusOn, InspectApiError, KIND_LABEL, searchFloor, type CameraTarget, type InspectSelection, type SearchHit } from '../net/inspect-api.ts';
import './inspect.css';

/** Props of `SearchBox`. */
export interface SearchBoxProps {
  readonly siteId: string;
  readonly selection: InspectSelection;
  readonly camera: CameraTarget;
  /** Wait this long after the last keystroke before asking the server. */
  readonly debounceMs?: number;
}

type State =
  | { readonly status: 'idle' }
  | { readonly status: 'searching' }
  | { readonly status: 'done'; readonly hits: readonly SearchHit[] }
  | { readonly status: 'error'; readonly message: string };

/** `data-testid="search-box"`; the input is labelled "Search the floor", the list is `role="listbox"`. */
export function SearchBox({ siteId, selection, camera, debounceMs = 150 }: SearchBoxProps) {
  const [text, setText] = useState('');
  const [state, setState] = useState<State>({ status: 'idle' });
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();

  useEffect(() => {
    const query = text.trim();
    if (query === '') {
      setState({ status: 'idle' });
      return;
    }
    const abort = new AbortController();
    setState((s) => (s.status === 'done' ? s : { status: 'searching' }));
    const timer = window.setTimeout(() => {
      searchFloor(siteId, query, abort.signal)
        .then((hits) => {
          setState({ status: 'done', hits });
          setActive(0);
        })
        .catch((e: unknown) => {
          if (abort.signal.aborted) return;
          setState({ status: 'error', message: e instanceof InspectApiError ? e.message : 'Search failed.' });
        });
    }, debounceMs);
    return () => {
      window.clearTimeout(timer);
      abort.abort();
    };
  }, [siteId, text, debounceMs]);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent): void => {
      const target = e.target as HTMLElement | null;
      const typing = target !== null && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable);
      if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const hits = state.status === 'done' ? state.hits : [];
  const expanded = open && text.trim() !== '';

  const pick = (hit: SearchHit): void => {
    focusOn(selection, camera, hit);
    setOpen(false);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      if (hits.length > 0) setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : hits.length - 1)) % hits.length);
    } else if (e.key === 'Enter') {
      const hit = hits[Math.min(active, hits.length - 1)];
      if (hit !== undefined) {
        e.preventDefault();
        pick(hit);
      }
    } else if (e.key === 'Escape') {
      // Escape closes the list first; a second Escape (list closed) is left to the page (it closes the inspector).
      if (expanded) {
        e.preventDefault();
        e.stopPropagation();
        setOpen(false);
      } else {
        input.current?.blur();
      }
    }
  };

  const optionId = (i: number): string => `${listId}-opt-${i}`;
  const activeHit = expanded && hits.length > 0 ? Math.min(active, hits.length - 1) : -1;

  return (
    <div className="panel inspect-search" data-testid="search-box">
      <label className="inspect-search__label" htmlFor={`${listId}-input`}>
        Search the floor
      </label>
      <input
        ref={input}
        id={`${listId}-input`}
        className="inspect-search__input"
        type="search"
        role="combobox"
        autoComplete="off"
        spellCheck={false}
        placeholder="Location, SKU, barcode, order or operative  ( / )"
        aria-expanded={expanded}
        aria-controls={`${listId}-list`}
        aria-autocomplete="list"
        aria-activedescendant={activeHit >= 0 ? optionId(activeHit) : undefined}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      {expanded && (
        <ul id={`${listId}-list`} className="inspect-search__list" role="listbox" aria-label="Search results">
          {state.status === 'searching' && <li className="inspect-search__note" role="presentation">Searching…</li>}
          {state.status === 'error' && <li className="inspect-search__note inspect-search__note--error" role="presentation">{state.message}</li>}
          {state.status === 'done' && hits.length === 0 && <li className="inspect-search__note" role="presentation">Nothing matches “{text.trim()}”.</li>}
          {hits.map((hit, i) => (
            <li
              key={`${hit.kind}:${hit.id}`}
              id={optionId(i)}
              role="option"
              aria-selected={i === activeHit}
              className={`inspect-search__hit${i === activeHit ? ' inspect-search__hit--active' : ''}`}
              // mousedown, not click: the input's blur would close the list before a click lands.
              onMouseDown={(e) => {
                e.preventDefault();
                pick(hit);
              }}
              onMouseEnter={() => setActive(i)}
            >
              <span className={`inspect-kind inspect-kind--${hit.kind}`}>{KIND_LABEL[hit.kind]}</span>
              <span className="inspect-search__text">{hit.label}</span>
              {hit.x === undefined && <span className="inspect-search__noplace">not on the floor</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
