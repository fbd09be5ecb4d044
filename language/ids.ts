// Limits shared with the runtime: ids travel as XML-RPC i4 values, and a sleep longer than
// ten minutes is almost certainly a typo in a lab script.
export const MAX_ID = 2147483647;
export const MAX_SLEEP_MS = 600000;

export type ParsedNumber = { ok: true; value: number } | { ok: false; message: string };

const DIGITS = /^[0-9]+$/;

export function parseId(text: string): ParsedNumber {
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

/** Keeps messages readable when someone pastes a huge token. */
export function shorten(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
