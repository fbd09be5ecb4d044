// Limits shared with the runtime: ids travel as XML-RPC i4 values, and a sleep longer than
// ten minutes is almost certainly a typo in a lab script.
export const MAX_ID = 2147483647;
export const MAX_SLEEP_MS = 600000;

export type ParsedNumber = { ok: true; value: number } | { ok: false; message: string };

const DIGITS = /^[0-9]+$/;

export function parseId(text: string): ParsedNumber {
  const fast = smallNumber(text);
  if (fast >= 0) return { ok: true, value: fast };
  if (!DIGITS.test(text)) {
    if (/^-[0-9]+$/.test(text)) return { ok: false, message: `'${text}' is not a valid id: ids cannot be negative` };
    return { ok: false, message: `'${shorten(text)}' is not a valid id: an id is a whole number like 0, 7 or 29` };
  }
  const value = Number(text);
  if (value > MAX_ID) return { ok: false, message: `id ${shorten(text)} is too large: the largest id is ${MAX_ID}` };
  return { ok: true, value };
}

export function parseMs(text: string): ParsedNumber {
  if (!DIGITS.test(text)) {
    return { ok: false, message: `'${shorten(text)}' is not a valid duration: sleep takes a whole number of milliseconds, like 100` };
  }
  const value = Number(text);
  if (value > MAX_SLEEP_MS) {
    return { ok: false, message: `sleep ${shorten(text)} is too long: the limit is ${MAX_SLEEP_MS} ms (ten minutes)` };
  }
  return { ok: true, value };
}

/**
 * The value of a short all-digit token, or -1. Ids are parsed on nearly every line, and this
 * avoids a regular expression and a string-to-number conversion for the common case.
 */
function smallNumber(text: string): number {
  const n = text.length;
  if (n === 0 || n > 9) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Keeps messages readable when someone pastes a huge token. */
export function shorten(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
