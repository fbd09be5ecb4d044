// Positions follow the Language Server Protocol (0-based line, UTF-16 code units) so the
// editor can use them untouched; the CLI adds 1 to each when it prints.
export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

export function pos(line: number, character: number): Position {
  return { line, character };
}

export function range(line: number, start: number, end: number): Range {
  return { start: pos(line, start), end: pos(line, end) };
}

/** Smallest range covering both (a must not start after b). */
export function spanRanges(a: Range, b: Range): Range {
  return { start: a.start, end: b.end };
}
