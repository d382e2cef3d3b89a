/**
 * Text width estimates from the Helvetica AFM widths (1/1000 em), used to wrap or shrink label text so nothing
 * runs off the label. Exact for the PDF (Helvetica); an upper bound for ZPL font 0, which is a condensed face.
 */

// Helvetica widths of ASCII 32–126 (WinAnsi: 39 is quotesingle, 96 grave).
const ASCII_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space … /
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 … ?
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ … O
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P … _
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` … o
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p … ~
] as const;

// Other characters (accented Latin letters are no wider than W in Helvetica; CJK and the rest get a full em).
const LATIN_FALLBACK = 944;
const OTHER_FALLBACK = 1000;

/** Width of one character in 1/1000 em. */
export function charWidthEm1000(ch: string): number {
  const code = ch.codePointAt(0) ?? 32;
  if (code >= 32 && code <= 126) return ASCII_WIDTHS[code - 32] ?? OTHER_FALLBACK;
  return code < 0x250 ? LATIN_FALLBACK : OTHER_FALLBACK;
}

/** Width of `text` set at `size` (in the caller's unit: dots for ZPL, points for PDF). */
export function textWidth(text: string, size: number): number {
  let em = 0;
  for (const ch of text) em += charWidthEm1000(ch);
  return (em * size) / 1000;
}

/** A text fitted into a box: the size chosen and the lines. */
export interface FittedText {
  readonly size: number;
  readonly lines: readonly string[];
}

function breakWord(word: string, maxWidth: number, size: number): string[] {
  const parts: string[] = [];
  let part = '';
  for (const ch of word) {
    if (part !== '' && textWidth(part + ch, size) > maxWidth) {
      parts.push(part);
      part = '';
    }
    part += ch;
  }
  if (part !== '') parts.push(part);
  return parts;
}

/** Greedy word wrap at one size; words wider than the line are broken between characters. */
export function wrapText(text: string, maxWidth: number, size: number): string[] {
  const words = text.trim().split(/\s+/).filter((w) => w !== '');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (textWidth(candidate, size) <= maxWidth) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    if (textWidth(word, size) <= maxWidth) {
      line = word;
    } else {
      const parts = breakWord(word, maxWidth, size);
      line = parts.pop() ?? '';
      lines.push(...parts);
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * Fits text into at most `maxLines` lines of `maxWidth`: the largest of `sizes` (tried in order) that needs no more
 * lines; at the last size, extra text is cut and the last line ends in "...". Every line is ≤ maxWidth wide.
 */
export function fitText(text: string, maxWidth: number, sizes: readonly number[], maxLines: number): FittedText {
  let size = sizes[0] ?? 20;
  for (const s of sizes) {
    size = s;
    const lines = wrapText(text, maxWidth, s);
    if (lines.length <= maxLines) return { size: s, lines };
  }
  const lines = wrapText(text, maxWidth, size).slice(0, maxLines);
  let last = lines.pop() ?? '';
  while (last !== '' && textWidth(`${last}...`, size) > maxWidth) last = Array.from(last).slice(0, -1).join('');
  lines.push(`${last.trimEnd()}...`);
  return { size, lines };
}
