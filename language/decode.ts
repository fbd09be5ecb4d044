import { Diagnostic, makeDiagnostic } from './diagnostics';
import { range } from './ranges';

/**
 * Turns a script's bytes into text. Invalid UTF-8 is reported at the first bad byte, with the
 * line and column the user would see; the text is still returned (with U+FFFD in place of bad
 * bytes) so the rest of the file can be checked too.
 */
export function decodeScript(bytes: Uint8Array): { text: string; diagnostics: Diagnostic[] } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), diagnostics: [] };
  } catch {
    const bad = firstInvalidByte(bytes);
    const text = new TextDecoder('utf-8').decode(bytes);
    if (bad === -1) return { text, diagnostics: [] };
    // The bytes before the bad one are valid, so decoding them gives exact UTF-16 columns.
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    const lineStart = before.lastIndexOf('\n') + 1;
    let line = 0;
    for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
    const col = before.length - lineStart;
    const hex = bytes[bad].toString(16).toUpperCase().padStart(2, '0');
    return {
      text,
      diagnostics: [makeDiagnostic('bad-encoding', 'error',
        `invalid UTF-8 (byte 0x${hex}); kvcmd scripts must be saved as UTF-8 text`, range(line, col, col + 1))],
    };
  }
}

/** Index of the first byte that starts an ill-formed UTF-8 sequence (Unicode table 3-7), or -1. */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  const cont = (j: number, lo = 0x80, hi = 0xbf): boolean => j < n && bytes[j] >= lo && bytes[j] <= hi;
  while (i < n) {
    const b = bytes[i];
    let len = 0;
    if (b < 0x80) len = 1;
    else if (b >= 0xc2 && b <= 0xdf) len = cont(i + 1) ? 2 : 0;
    else if (b === 0xe0) len = cont(i + 1, 0xa0) && cont(i + 2) ? 3 : 0;
    else if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) len = cont(i + 1) && cont(i + 2) ? 3 : 0;
    else if (b === 0xed) len = cont(i + 1, 0x80, 0x9f) && cont(i + 2) ? 3 : 0;
    else if (b === 0xf0) len = cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    else if (b >= 0xf1 && b <= 0xf3) len = cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    else if (b === 0xf4) len = cont(i + 1, 0x80, 0x8f) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    if (len === 0) return i;
    i += len;
  }
  return -1;
}
