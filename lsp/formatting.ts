// Formatting: the library's canonical form (one space between tokens, comments kept), for the
// whole document or the lines of a range.
import { Range, TextEdit } from 'vscode-languageserver/node';
import { formatScript } from '../language/index';
import type { DocAnalysis } from './docAnalysis';

export function formatDocument(a: DocAnalysis): TextEdit[] {
  return formatScript(a.script);
}

export function formatRange(a: DocAnalysis, range: Range): TextEdit[] {
  // A range ending at column 0 of a line does not include that line.
  const last = range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
  return formatScript(a.script).filter((e) => e.range.start.line >= range.start.line && e.range.start.line <= last);
}
