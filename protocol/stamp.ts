import { Stamp } from './messages';

// Ordering stamps is the run's scheme's (protocol/schemes); what is here holds in every scheme.

/** The same write's stamp (or both missing). */
export function sameStamp(a: Stamp | null | undefined, b: Stamp | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.counter === b.counter && a.server === b.server && formatVector(a) === formatVector(b);
}

/**
 * The one way a stamp is written anywhere: `(counter,server)` in the Lamport schemes,
 * `{0:2,1:1}` (server:count, ascending) in `vector`; `none` for a missing one.
 */
export function formatStamp(s: Stamp | null | undefined): string {
  if (!s) return 'none';
  return s.vector ? formatVector(s) : `(${s.counter},${s.server})`;
}

function formatVector(s: Stamp): string {
  if (!s.vector) return '';
  return `{${Object.entries(s.vector).map(([id, n]) => `${id}:${n}`).join(',')}}`;
}

/**
 * The write a stamp names, as a map key. A merged vector stamp (two concurrent writes met) names the
 * write whose value it kept: the writer's own entry counts that server's writes, one number each.
 */
export function writeKey(s: Stamp): string {
  return s.vector ? `${s.server}#${s.vector[s.server] ?? 0}` : `${s.counter},${s.server}`;
}
