/** Text for the PDFs we write by hand (labels, invoices): Helvetica's WinAnsiEncoding, one literal string. */

// WinAnsiEncoding codes of the non-Latin-1 characters a label or an invoice may plausibly hold.
const WIN_ANSI_EXTRA: Record<string, number> = {
  '€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97,
  'Š': 0x8a, 'š': 0x9a, 'Œ': 0x8c, 'œ': 0x9c, 'Ž': 0x8e, 'ž': 0x9e, 'Ÿ': 0x9f,
};

/** A PDF literal string in WinAnsiEncoding; characters Helvetica cannot show become "?". */
export function pdfString(text: string): string {
  let out = '(';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 63;
    if (ch === '\\' || ch === '(' || ch === ')') out += `\\${ch}`;
    else if (code >= 32 && code <= 126) out += ch;
    else {
      const win = code >= 0xa0 && code <= 0xff ? code : (WIN_ANSI_EXTRA[ch] ?? 63);
      out += win === 63 ? '?' : `\\${win.toString(8).padStart(3, '0')}`;
    }
  }
  return `${out})`;
}
