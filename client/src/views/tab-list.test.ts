import { describe, expect, it } from 'vitest';
import { tabAfterKey, tabIds } from './tab-list.ts';

describe('tabAfterKey', () => {
  it('arrows wrap, Home and End jump, other keys do nothing', () => {
    expect(tabAfterKey(0, 'ArrowRight', 7)).toBe(1);
    expect(tabAfterKey(6, 'ArrowRight', 7)).toBe(0);
    expect(tabAfterKey(0, 'ArrowLeft', 7)).toBe(6);
    expect(tabAfterKey(3, 'Home', 7)).toBe(0);
    expect(tabAfterKey(3, 'End', 7)).toBe(6);
    expect(tabAfterKey(3, 'Enter', 7)).toBeNull();
  });
});

describe('tabIds', () => {
  it('names a tab and its panel with the page prefix, so aria-controls and aria-labelledby meet', () => {
    expect(tabIds('bill-', 'card')).toEqual({ tab: 'bill-tab-card', panel: 'bill-panel-card' });
    expect(tabIds('', 'stock')).toEqual({ tab: 'tab-stock', panel: 'panel-stock' });
  });
});
