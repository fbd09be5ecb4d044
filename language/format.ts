import { TextEdit } from './diagnostics';
import { ParsedLine, ParsedScript, lineText } from './parser';
import { range } from './ranges';

/** The canonical text of a line: single spaces between tokens, comment kept after one space. */
export function formatLine(line: ParsedLine): string {
  const parts = line.command ? [line.command.text, ...line.args.map((a) => a.text)] : [];
  if (line.comment) parts.push(line.comment.text);
  return parts.join(' ');
}

/**
 * One edit per line that changes, replacing only that line's content (never its line ending),
 * so untouched lines keep their cursor positions and line endings in the editor.
 */
export function formatScript(script: ParsedScript): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const line of script.lines) {
    const want = formatLine(line);
    if (want !== lineText(script, line.line)) edits.push({ range: range(line.line, 0, line.length), newText: want });
  }
  return edits;
}
