/**
 * GS1 keys and element strings: mod-10 check digits, SSCC-18 construction, parsing of scanned GS1 element strings
 * (parenthesised HRI or raw with GS separators and AIM prefixes) and the ZPL data of a GS1-128 symbol. Pure: the
 * century of YYMMDD dates comes from a reference year the caller passes, never from a clock.
 */

/** ASCII 29, the group separator scanners send for FNC1. */
const GS = '\x1d';

/** AIM symbology identifiers of the GS1 symbologies we accept: GS1-128, GS1 DataMatrix, GS1 QR. */
const AIM_PREFIXES = [']C1', ']d2', ']Q3'] as const;

/** The reference year used for the date century window when the caller passes none. */
export const DEFAULT_GS1_REF_YEAR = 2026;

/** GS1 mod-10 check digit of a key body (all digits but the check digit): weights 3,1,3,… from the rightmost digit. */
export function gs1CheckDigit(body: string): number {
  if (!/^\d+$/.test(body)) throw new RangeError(`GS1 key body must be digits, got "${body}"`);
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** True when `code` is all digits (at least two) and its last digit is the GS1 check digit of the rest. */
export function hasValidCheckDigit(code: string): boolean {
  if (!/^\d{2,}$/.test(code)) return false;
  return gs1CheckDigit(code.slice(0, -1)) === code.charCodeAt(code.length - 1) - 48;
}

function assertCompanyPrefix(companyPrefix: string): void {
  if (!/^\d{7,10}$/.test(companyPrefix)) throw new RangeError(`GS1 company prefix must be 7–10 digits, got "${companyPrefix}"`);
}

/** How many serial references fit in an SSCC under this company prefix: 10^(16 − prefix length). */
export function ssccSerialCapacity(companyPrefix: string): number {
  assertCompanyPrefix(companyPrefix);
  return 10 ** (16 - companyPrefix.length);
}

/**
 * An 18-digit SSCC: extension digit (0–9) + company prefix (7–10 digits) + serial reference zero-padded to
 * 16 − prefix length digits + check digit. Throws RangeError when an argument is out of range or the serial does not fit.
 */
export function buildSscc(extensionDigit: number, companyPrefix: string, serial: number): string {
  if (!Number.isInteger(extensionDigit) || extensionDigit < 0 || extensionDigit > 9) {
    throw new RangeError(`SSCC extension digit must be 0–9, got ${extensionDigit}`);
  }
  const capacity = ssccSerialCapacity(companyPrefix);
  if (!Number.isSafeInteger(serial) || serial < 0 || serial >= capacity) {
    throw new RangeError(`SSCC serial ${serial} does not fit prefix ${companyPrefix} (0…${capacity - 1})`);
  }
  const body = `${extensionDigit}${companyPrefix}${String(serial).padStart(16 - companyPrefix.length, '0')}`;
  return `${body}${gs1CheckDigit(body)}`;
}

/** One application identifier and its value, as encoded (dates stay YYMMDD). */
export interface Gs1Element {
  readonly ai: string;
  readonly value: string;
}

/**
 * The result of parsing a GS1 element string. On success the well-known AIs are also lifted out: gtin (01),
 * sscc (00), lot (10), serial (21), expiry (17) and bestBefore (15) as YYYY-MM-DD, count (37, else 30).
 */
export type Gs1ParseResult =
  | {
      ok: true;
      elements: Gs1Element[];
      gtin?: string;
      sscc?: string;
      lot?: string;
      serial?: string;
      expiry?: string;
      bestBefore?: string;
      count?: number;
    }
  | { ok: false; error: string };

/** Options of {@link parseGs1}. */
export interface Gs1ParseOptions {
  /** The year the GS1 century window (−49…+50 years) is centred on; default {@link DEFAULT_GS1_REF_YEAR}. */
  readonly refYear?: number;
}

type AiFormat =
  | { readonly kind: 'fixed'; readonly length: number; readonly check?: boolean; readonly date?: boolean }
  | { readonly kind: 'variable'; readonly max: number; readonly numeric: boolean };

const DATE_AIS = new Set(['11', '12', '13', '15', '16', '17']);
const VARIABLE_X20 = new Set(['10', '21']);
const VARIABLE_N8 = new Set(['30', '37']);
const VARIABLE_X30 = new Set(['240', '241', '400', '401', '403']);
const GLN_AIS = new Set(['410', '411', '412', '413', '414']);
// First two digits of AIs that are three (or four) digits long, so an unknown AI is named with the right length.
const THREE_DIGIT_FAMILIES = new Set(['24', '40', '41']);

/** The format of a known AI, or undefined. */
function aiFormat(ai: string): AiFormat | undefined {
  if (ai === '00') return { kind: 'fixed', length: 18, check: true };
  if (ai === '01' || ai === '02') return { kind: 'fixed', length: 14, check: true };
  if (DATE_AIS.has(ai)) return { kind: 'fixed', length: 6, date: true };
  if (ai === '20') return { kind: 'fixed', length: 2 };
  if (/^3[1-6]\d\d$/.test(ai)) return { kind: 'fixed', length: 6 };
  if (ai === '402') return { kind: 'fixed', length: 17 };
  if (GLN_AIS.has(ai)) return { kind: 'fixed', length: 13, check: true };
  if (VARIABLE_X20.has(ai)) return { kind: 'variable', max: 20, numeric: false };
  if (VARIABLE_N8.has(ai)) return { kind: 'variable', max: 8, numeric: true };
  if (VARIABLE_X30.has(ai)) return { kind: 'variable', max: 30, numeric: false };
  return undefined;
}

/** True for an AI whose value has no fixed length, so a following AI needs an FNC1 separator. */
function isVariableLength(ai: string): boolean {
  return aiFormat(ai)?.kind === 'variable';
}

/** The AI at the start of a raw element string: the known AI it begins with, else the likely unknown AI. */
function readAi(s: string): { ai: string; known: boolean } {
  for (const len of [2, 3, 4]) {
    const ai = s.slice(0, len);
    if (ai.length === len && /^\d+$/.test(ai) && aiFormat(ai) !== undefined) return { ai, known: true };
  }
  const two = s.slice(0, 2);
  const guess = /^3[1-6]/.test(two) ? s.slice(0, 4) : THREE_DIGIT_FAMILIES.has(two) ? s.slice(0, 3) : two;
  return { ai: guess, known: false };
}

// GS1 AI encodable character set 82.
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** YYMMDD → YYYY-MM-DD, or an error. DD 00 = the last day of the month; century by the GS1 window around refYear. */
function parseGs1Date(ai: string, value: string, refYear: number): { ok: true; iso: string } | { ok: false; error: string } {
  const yy = Number(value.slice(0, 2));
  const mm = Number(value.slice(2, 4));
  const dd = Number(value.slice(4, 6));
  const refCentury = Math.floor(refYear / 100) * 100;
  const diff = yy - (refYear % 100);
  // GS1 GenSpecs: 51…99 years ahead means last century, 50…99 years behind means next century.
  const year = diff >= 51 ? refCentury - 100 + yy : diff <= -50 ? refCentury + 100 + yy : refCentury + yy;
  if (mm < 1 || mm > 12) return { ok: false, error: `bad date in AI ${ai}: month ${value.slice(2, 4)} in ${value}` };
  const last = daysInMonth(year, mm);
  if (dd > last) return { ok: false, error: `bad date in AI ${ai}: day ${value.slice(4, 6)} in ${value}` };
  const day = dd === 0 ? last : dd;
  const iso = `${String(year).padStart(4, '0')}-${String(mm).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return { ok: true, iso };
}

/** Checks one element's value against its AI's format; returns an error line or undefined. */
function validateElement(ai: string, value: string, format: AiFormat): string | undefined {
  if (format.kind === 'fixed') {
    if (value.length !== format.length || !/^\d+$/.test(value)) return `AI ${ai} needs exactly ${format.length} digits, got "${value}"`;
    if (format.check === true && !hasValidCheckDigit(value)) return `bad check digit of AI ${ai}: ${value}`;
    return undefined;
  }
  if (value.length === 0) return `AI ${ai} has no value`;
  if (value.length > format.max) return `AI ${ai} value is longer than ${format.max} characters: "${value}"`;
  if (format.numeric ? !/^\d+$/.test(value) : !CSET82.test(value)) {
    return `AI ${ai} value has characters it does not allow: "${value}"`;
  }
  return undefined;
}

/** Splits parenthesised HRI "(01)…(10)…" into elements. Spaces are dropped: no AI value may contain one. */
function splitHri(input: string): Gs1Element[] | string {
  const s = input.replace(/\s+/g, '');
  const elements: Gs1Element[] = [];
  const re = /\((\d{2,4})\)/g;
  const heads: { ai: string; start: number; end: number }[] = [];
  for (let m = re.exec(s); m !== null; m = re.exec(s)) heads.push({ ai: m[1] ?? '', start: m.index, end: m.index + m[0].length });
  if (heads.length === 0 || heads[0]?.start !== 0) return 'a parenthesised GS1 string must start with "(AI)"';
  for (let i = 0; i < heads.length; i++) {
    const head = heads[i];
    if (head === undefined) continue;
    const next = heads[i + 1];
    elements.push({ ai: head.ai, value: s.slice(head.end, next === undefined ? s.length : next.start) });
  }
  return elements;
}

/** Splits a raw element string (no AIM prefix, no leading FNC1) by AI lengths and GS separators. */
function splitRaw(input: string): Gs1Element[] | string {
  const elements: Gs1Element[] = [];
  let rest = input;
  while (rest.length > 0) {
    if (rest.startsWith(GS)) {
      // Some encoders put FNC1 after fixed-length AIs too; a separator never carries data.
      rest = rest.slice(1);
      continue;
    }
    const { ai, known } = readAi(rest);
    if (!known) return `unknown AI ${ai}`;
    const format = aiFormat(ai);
    if (format === undefined) return `unknown AI ${ai}`;
    rest = rest.slice(ai.length);
    if (format.kind === 'fixed') {
      // A GS inside a fixed-length field means the field is short; validation names it.
      const value = rest.slice(0, format.length).split(GS)[0] ?? '';
      elements.push({ ai, value });
      rest = rest.slice(value.length);
    } else {
      const end = rest.indexOf(GS);
      elements.push({ ai, value: end < 0 ? rest : rest.slice(0, end) });
      rest = end < 0 ? '' : rest.slice(end + 1);
    }
  }
  return elements;
}

/**
 * Parses a scanned or typed GS1 element string: parenthesised HRI "(01)09521234543213(10)ABC", or raw data with ASCII 29
 * (GS) after variable-length AIs, optionally prefixed by an AIM identifier ("]C1", "]d2", "]Q3") and/or a leading GS.
 * Validates formats, check digits of 00/01/02/410–414 and YYMMDD dates (DD 00 = last day of the month). Dates get the
 * century from the GS1 window (49 years back … 50 ahead) around `options.refYear` (default 2026; pass the site's
 * current year for live scans). Unknown or repeated AIs are errors.
 */
export function parseGs1(input: string, options: Gs1ParseOptions = {}): Gs1ParseResult {
  const refYear = options.refYear ?? DEFAULT_GS1_REF_YEAR;
  // Keyboard-wedge scanners often end with CR/LF; GS is not whitespace, so trim keeps it.
  let s = input.trim();
  const aim = AIM_PREFIXES.find((p) => s.startsWith(p));
  if (aim !== undefined) s = s.slice(aim.length);
  if (s.startsWith(GS)) s = s.slice(1);
  if (s.length === 0) return { ok: false, error: 'empty GS1 element string' };

  const split = s.startsWith('(') ? splitHri(s) : splitRaw(s);
  if (typeof split === 'string') return { ok: false, error: split };

  const result: Extract<Gs1ParseResult, { ok: true }> = { ok: true, elements: split };
  const seen = new Set<string>();
  for (const { ai, value } of split) {
    const format = aiFormat(ai);
    if (format === undefined) return { ok: false, error: `unknown AI ${ai}` };
    if (seen.has(ai)) return { ok: false, error: `AI ${ai} appears more than once` };
    seen.add(ai);
    const problem = validateElement(ai, value, format);
    if (problem !== undefined) return { ok: false, error: problem };
    if (format.kind === 'fixed' && format.date === true) {
      const date = parseGs1Date(ai, value, refYear);
      if (!date.ok) return { ok: false, error: date.error };
      if (ai === '17') result.expiry = date.iso;
      if (ai === '15') result.bestBefore = date.iso;
    }
    if (ai === '00') result.sscc = value;
    if (ai === '01') result.gtin = value;
    if (ai === '10') result.lot = value;
    if (ai === '21') result.serial = value;
    if (ai === '37' || (ai === '30' && result.count === undefined)) result.count = Number(value);
  }
  return result;
}

/**
 * Conservative guess that a scan is a GS1 element string rather than a plain barcode: it starts with "(AI)", an AIM
 * prefix ("]C1", "]d2", "]Q3") or GS, or with AI 00/01/02 followed by at least 14 digits. A bare GTIN-8/12/13/14 is not.
 */
export function looksLikeGs1(input: string): boolean {
  const s = input.trim();
  if (/^\(\d{2,4}\)/.test(s)) return true;
  if (AIM_PREFIXES.some((p) => s.startsWith(p))) return true;
  if (s.startsWith(GS)) return true;
  return /^0[012]\d{14}/.test(s);
}

/** True when a scanned GTIN and an item's barcode are the same GTIN once both are left-padded with zeros to 14 digits. */
export function gtinMatches(scannedGtin: string, barcode: string): boolean {
  const valid = (s: string): boolean => /^\d{1,14}$/.test(s);
  if (!valid(scannedGtin) || !valid(barcode)) return false;
  return scannedGtin.padStart(14, '0') === barcode.padStart(14, '0');
}

/** The human-readable interpretation printed under an SSCC barcode: "(00) " + the 18 digits. */
export function ssccHri(sscc: string): string {
  return `(00) ${sscc}`;
}

/** ZPL mode-N escape of one data character: '>' is the invocation character, written ">0". */
function zplChar(c: string): string {
  return c === '>' ? '>0' : c;
}

/**
 * The ^FD data of a GS1-128 symbol for ZPL `^BC…,N` (no automatic mode): start subset C (">;"), FNC1 (">8"), then
 * each AI and value, with FNC1 after every variable-length AI that is not last. Digit runs go in subset C and the rest
 * in subset B (">6" switches to B, ">5" back to C), so the symbol is valid whatever the values contain.
 */
export function gs1128Data(elements: readonly Gs1Element[]): string {
  // Build the logical stream first: data characters, with null for FNC1.
  const stream: (string | null)[] = [];
  elements.forEach((el, i) => {
    for (const c of `${el.ai}${el.value}`) stream.push(c);
    if (i < elements.length - 1 && isVariableLength(el.ai)) stream.push(null);
  });
  const isDigit = (t: string | null | undefined): boolean => typeof t === 'string' && t >= '0' && t <= '9';
  const digitRun = (from: number): number => {
    let n = 0;
    while (isDigit(stream[from + n])) n++;
    return n;
  };

  let out = '>;>8';
  let subset: 'B' | 'C' = 'C';
  let i = 0;
  while (i < stream.length) {
    const t = stream[i];
    if (t === undefined) break;
    if (t === null) {
      out += '>8';
      i++;
      continue;
    }
    const run = digitRun(i);
    if (subset === 'C') {
      if (run >= 2) {
        out += `${t}${stream[i + 1] ?? ''}`;
        i += 2;
        continue;
      }
      out += '>6';
      subset = 'B';
    } else if (run >= 4 && run % 2 === 0) {
      // An even run of 4+ digits is shorter in C; odd runs take one digit in B first.
      out += '>5';
      subset = 'C';
      continue;
    }
    out += zplChar(t);
    i++;
  }
  return out;
}
