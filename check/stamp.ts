import type { Stamp } from '../protocol/messages';

// The checker's own stamp arithmetic: it must not decide with the code it checks (protocol/stamp.ts).

/** Negative when a is older than b: counters first, then server ids. */
export function compare(a: Stamp, b: Stamp): number {
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  return a.server === b.server ? 0 : a.server < b.server ? -1 : 1;
}

export function same(a: Stamp | null | undefined, b: Stamp | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.counter === b.counter && a.server === b.server;
}

/** The greater of two stamps (null is older than any). */
export function newest(a: Stamp | null | undefined, b: Stamp | null | undefined): Stamp | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return compare(a, b) >= 0 ? a : b;
}

/** `(counter,server)`, as the docs write a stamp; `none` for a missing one. */
export function show(s: Stamp | null | undefined): string {
  return s ? `(${s.counter},${s.server})` : 'none';
}
