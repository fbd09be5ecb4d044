// Shared by the language tests (not a test file itself).
import { Analysis, analyze } from '../../language/analyzer';
import { Diagnostic } from '../../language/diagnostics';
import { Range } from '../../language/ranges';

/** "L:C-L:C" with 0-based numbers, compact enough to compare whole lists of ranges. */
export function r(x: Range): string {
  return `${x.start.line}:${x.start.character}-${x.end.line}:${x.end.character}`;
}

/** Each diagnostic as "severity code L:C-L:C". */
export function summary(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => `${d.severity} ${d.code} ${r(d.range)}`);
}

export function lines(...ls: string[]): string {
  return ls.join('\n') + '\n';
}

export function only(a: Analysis, code: Diagnostic['code']): Diagnostic {
  const ds = a.diagnostics.filter((d) => d.code === code);
  if (ds.length !== 1) throw new Error(`expected exactly one ${code}, got ${JSON.stringify(a.diagnostics.map((d) => d.code))}`);
  return ds[0];
}

export { analyze };
