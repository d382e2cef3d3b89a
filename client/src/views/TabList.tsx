/**
 * A WAI-ARIA tab list (the billing page and the client portal): one tab stop, arrows move and wrap, Home and End jump,
 * and only the selected tab names its panel (only that panel is rendered). The panel itself is the page's: it takes
 * its ids from `tabIds(idPrefix, selected)`.
 */
import { useRef, type KeyboardEvent } from 'react';
import { tabAfterKey, tabIds } from './tab-list.ts';

export interface TabListProps<Id extends string> {
  readonly tabs: readonly { readonly id: Id; readonly label: string }[];
  readonly selected: Id;
  readonly onSelect: (id: Id) => void;
  /** The accessible name of the list, e.g. "Portal sections". */
  readonly label: string;
  /** Prefix of the tab and panel ids (see `tabIds`). */
  readonly idPrefix: string;
  /** The page's CSS block: the list gets `${block}__tabs`, each tab `${block}__tab`. */
  readonly block: string;
}

export function TabList<Id extends string>({ tabs, selected, onSelect, label, idPrefix, block }: TabListProps<Id>) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const choose = (index: number): void => {
    const next = tabs[index];
    if (next === undefined) return;
    onSelect(next.id);
    refs.current[index]?.focus();
  };
  const onKey = (e: KeyboardEvent<HTMLButtonElement>, index: number): void => {
    const next = tabAfterKey(index, e.key, tabs.length);
    if (next === null) return;
    e.preventDefault();
    choose(next);
  };
  return (
    <div role="tablist" aria-label={label} className={`${block}__tabs`}>
      {tabs.map((t, i) => {
        const ids = tabIds(idPrefix, t.id);
        return (
          <button
            key={t.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={ids.tab}
            aria-selected={selected === t.id}
            aria-controls={selected === t.id ? ids.panel : undefined}
            tabIndex={selected === t.id ? 0 : -1}
            className={`${block}__tab`}
            onClick={() => choose(i)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {t.label}
          </button>
        );
      })}
    </div>
  );
}
