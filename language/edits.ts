import { Fix, TextEdit } from './diagnostics';
import { ParsedScript } from './parser';
import { Range, pos } from './ranges';

export function replaceEdit(range: Range, newText: string): TextEdit {
  return { range, newText };
}

/**
 * Removes a whole line including one line ending. The last line has no ending of its own,
 * so there we take the previous line's ending instead, leaving no stray blank line.
 */
export function deleteLineEdit(script: ParsedScript, line0: number): TextEdit {
  const line = script.lines[line0];
  if (line0 + 1 < script.lineCount) return { range: { start: pos(line0, 0), end: pos(line0 + 1, 0) }, newText: '' };
  if (line0 === 0) return { range: { start: pos(0, 0), end: pos(0, line.length) }, newText: '' };
  const prev = script.lines[line0 - 1];
  return { range: { start: pos(line0 - 1, prev.length), end: pos(line0, line.length) }, newText: '' };
}

export function insertLineBeforeEdit(script: ParsedScript, line0: number, text: string): TextEdit {
  return { range: { start: pos(line0, 0), end: pos(line0, 0) }, newText: text + script.eol };
}

export function deleteLineFix(script: ParsedScript, line0: number, title = 'Delete this line'): Fix {
  return { title, edits: [deleteLineEdit(script, line0)] };
}

/** Applies non-overlapping edits to text; used by tests and by anyone previewing a fix. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = lineStarts(text);
  const offsetOf = (p: { line: number; character: number }): number =>
    p.line >= starts.length ? text.length : Math.min(starts[p.line] + p.character, text.length);
  const sorted = [...edits].sort((x, y) => offsetOf(y.range.start) - offsetOf(x.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offsetOf(e.range.start)) + e.newText + out.slice(offsetOf(e.range.end));
  return out;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
