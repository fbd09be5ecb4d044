import { Stamp } from './messages';

/** Negative when a is older than b: counters first, then server ids break ties. */
export function compareStamps(a: Stamp, b: Stamp): number {
  return a.counter !== b.counter ? a.counter - b.counter : a.server - b.server;
}

export function newerStamp(a: Stamp | null, b: Stamp | null): Stamp | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareStamps(a, b) >= 0 ? a : b;
}

/** `(counter,server)`, the one way a stamp is written anywhere; `none` for a missing one. */
export function formatStamp(s: Stamp | null | undefined): string {
  return s ? `(${s.counter},${s.server})` : 'none';
}
