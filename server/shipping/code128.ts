/**
 * Code 128 / GS1-128 encoder: data → symbol values (shortest mix of subsets B and C) → bar/space module widths.
 * Used to draw barcodes in PDF labels and to size them on ZPL labels.
 */

/** Module widths of symbol values 0–105 (bar, space, bar, space, bar, space). */
const PATTERNS = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212', '221213',
  '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221', '223211', '221132',
  '221231', '213212', '223112', '312131', '311222', '321122', '321221', '312212', '322112', '322211',
  '212123', '212321', '232121', '111323', '131123', '131321', '112313', '132113', '132311', '211313',
  '231113', '231311', '112133', '112331', '132131', '113123', '113321', '133121', '313121', '211331',
  '231131', '213113', '213311', '213131', '311123', '311321', '331121', '312113', '312311', '332111',
  '314111', '221411', '431111', '111224', '111422', '121124', '121421', '141122', '141221', '112214',
  '112412', '122114', '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111',
  '111242', '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311', '113141',
  '114131', '311141', '411131', '211412', '211214', '211232',
] as const;
/** Stop symbol plus the final 2-module bar. */
const STOP_PATTERN = '2331112';

/** Symbol values with a meaning of their own. */
export const CODE128 = { codeC: 99, codeB: 100, fnc1: 102, startB: 104, startC: 105 } as const;

/** Code 128 subsets used here; A (control characters) is not needed for labels. */
export type Code128Subset = 'B' | 'C';

/** Options of the encoder. */
export interface Code128Options {
  /** GS1-128: FNC1 right after the start symbol, and each ASCII 29 (GS) in the data is encoded as FNC1. */
  readonly gs1?: boolean;
}

type Token = { kind: 'char'; code: number } | { kind: 'fnc1' };

/** One encoded step: a subset switch, FNC1, a data character (B) or a digit pair (C). */
export type Code128Step =
  | { kind: 'switch'; to: Code128Subset; value: number }
  | { kind: 'fnc1'; value: number }
  | { kind: 'char'; subset: Code128Subset; text: string; value: number };

/** The encoding plan of a string: the start subset, the steps after the start symbol and the check symbol value. */
export interface Code128Plan {
  readonly start: Code128Subset;
  readonly steps: readonly Code128Step[];
  readonly check: number;
}

function tokenize(data: string, gs1: boolean): Token[] {
  const tokens: Token[] = gs1 ? [{ kind: 'fnc1' }] : [];
  for (const ch of data) {
    const code = ch.codePointAt(0) ?? 0;
    if (gs1 && code === 29) {
      tokens.push({ kind: 'fnc1' });
      continue;
    }
    if (code < 32 || code > 127) throw new RangeError(`Code 128 subset B cannot encode U+${code.toString(16).padStart(4, '0')}`);
    tokens.push({ kind: 'char', code });
  }
  return tokens;
}

const isDigit = (t: Token | undefined): boolean => t?.kind === 'char' && t.code >= 48 && t.code <= 57;

/**
 * The shortest encoding over subsets B and C (dynamic programming over position × subset); ties prefer staying in
 * the current subset, and C at the start, so the result is deterministic.
 */
export function planCode128(data: string, options: Code128Options = {}): Code128Plan {
  const tokens = tokenize(data, options.gs1 === true);
  if (tokens.length === 0) throw new RangeError('Code 128 needs at least one character');
  const n = tokens.length;
  // cost[i][s]: fewest symbols to encode tokens[i..] when the current subset is s (0 = B, 1 = C).
  const cost: [number, number][] = Array.from({ length: n + 1 }, () => [0, 0]);
  for (let i = n - 1; i >= 0; i--) {
    const t = tokens[i];
    const stayB = 1 + (cost[i + 1]?.[0] ?? 0);
    let stayC = Infinity;
    if (t?.kind === 'fnc1') stayC = 1 + (cost[i + 1]?.[1] ?? 0);
    else if (isDigit(t) && isDigit(tokens[i + 1])) stayC = 1 + (cost[i + 2]?.[1] ?? 0);
    cost[i] = [Math.min(stayB, 1 + stayC), Math.min(stayC, 1 + stayB)];
  }

  const first = cost[0] ?? [0, 0];
  const start: Code128Subset = first[1] <= first[0] ? 'C' : 'B';
  const steps: Code128Step[] = [];
  let subset: Code128Subset = start;
  let i = 0;
  while (i < n) {
    const t = tokens[i];
    if (t === undefined) break;
    const here = cost[i] ?? [0, 0];
    const s = subset === 'B' ? 0 : 1;
    // Is staying optimal? Otherwise switch (the DP guarantees the other subset then is).
    let stay: number;
    if (subset === 'B') stay = 1 + (cost[i + 1]?.[0] ?? 0);
    else if (t.kind === 'fnc1') stay = 1 + (cost[i + 1]?.[1] ?? 0);
    else if (isDigit(t) && isDigit(tokens[i + 1])) stay = 1 + (cost[i + 2]?.[1] ?? 0);
    else stay = Infinity;
    if (stay > here[s]) {
      subset = subset === 'B' ? 'C' : 'B';
      steps.push({ kind: 'switch', to: subset, value: subset === 'C' ? CODE128.codeC : CODE128.codeB });
      continue;
    }
    if (t.kind === 'fnc1') {
      steps.push({ kind: 'fnc1', value: CODE128.fnc1 });
      i++;
    } else if (subset === 'C') {
      const next = tokens[i + 1];
      const pair = String.fromCharCode(t.code) + (next?.kind === 'char' ? String.fromCharCode(next.code) : '');
      steps.push({ kind: 'char', subset, text: pair, value: Number(pair) });
      i += 2;
    } else {
      steps.push({ kind: 'char', subset, text: String.fromCharCode(t.code), value: t.code - 32 });
      i++;
    }
  }
  const startValue = start === 'C' ? CODE128.startC : CODE128.startB;
  const check = steps.reduce<number>((sum, step, k) => sum + step.value * (k + 1), startValue) % 103;
  return { start, steps, check };
}

/** All symbol values in order: start, data (with switches and FNC1), check. The stop symbol is not included. */
export function code128Values(data: string, options: Code128Options = {}): number[] {
  const plan = planCode128(data, options);
  return [plan.start === 'C' ? CODE128.startC : CODE128.startB, ...plan.steps.map((s) => s.value), plan.check];
}

/**
 * Bar/space module widths of the whole symbol, starting with a bar: start, data, check symbol, stop and the final bar.
 * For n symbols before the stop the widths sum to 11·n + 13. Quiet zones (≥ 10 modules each side) are the caller's.
 */
export function encodeCode128(data: string, options: Code128Options = {}): number[] {
  const widths: number[] = [];
  for (const value of code128Values(data, options)) {
    for (const w of PATTERNS[value] ?? '') widths.push(Number(w));
  }
  for (const w of STOP_PATTERN) widths.push(Number(w));
  return widths;
}

/**
 * The same plan as ZPL `^BC…,N` field data, so the printer draws exactly the symbol we sized: ">;"/">:" start C/B,
 * ">5"/">6" switch to C/B, ">8" FNC1, ">0" for a literal ">".
 */
export function zplCode128Data(data: string, options: Code128Options = {}): string {
  const plan = planCode128(data, options);
  let out = plan.start === 'C' ? '>;' : '>:';
  for (const step of plan.steps) {
    if (step.kind === 'switch') out += step.to === 'C' ? '>5' : '>6';
    else if (step.kind === 'fnc1') out += '>8';
    else out += step.text === '>' ? '>0' : step.text;
  }
  return out;
}
