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

/** A duration in ms for `command` (sleep, delay), named in the messages. */
export function parseMs(text: string, command = 'sleep'): ParsedNumber {
  if (!DIGITS.test(text)) {
    return { ok: false, message: `'${shorten(text)}' is not a valid duration: ${command} takes a whole number of milliseconds, like 100` };
  }
  const value = Number(text);
  if (value > MAX_SLEEP_MS) {
    return { ok: false, message: `${command} ${shorten(text)} is too long: the limit is ${MAX_SLEEP_MS} ms (ten minutes)` };
  }
  return { ok: true, value };
}

// 0, 1, or a decimal between them: `0.25`, `1.0`. No exponent, no sign, no percent.
const PROBABILITY = /^(0|1)(\.[0-9]{1,9})?$/;

/** A probability for `drop` and `duplicate`: a number from 0 to 1. */
export function parseProbability(text: string): ParsedNumber {
  const value = PROBABILITY.test(text) ? Number(text) : NaN;
  if (!(value >= 0 && value <= 1)) {
    return { ok: false, message: `'${shorten(text)}' is not a probability: write a number from 0 to 1, like 0.25 (0 never, 1 always)` };
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
