/** Keyboard moves of a WAI-ARIA tab list (client/src/views/TabList.tsx), apart so they are tested without a DOM. */

/** The tab a key moves to in a tab list of `count` (arrows wrap, Home/End jump); null for other keys. */
export function tabAfterKey(current: number, key: string, count: number): number | null {
  switch (key) {
    case 'ArrowRight':
      return (current + 1) % count;
    case 'ArrowLeft':
      return (current - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

/** The element ids of tab `id` and of its panel: `${prefix}tab-${id}` and `${prefix}panel-${id}`. */
export function tabIds(prefix: string, id: string): { readonly tab: string; readonly panel: string } {
  return { tab: `${prefix}tab-${id}`, panel: `${prefix}panel-${id}` };
}
