// Folding: blocks of two or more whole-line comments (a script's section headers and notes).
import { FoldingRange, FoldingRangeKind } from 'vscode-languageserver/node';
import type { DocAnalysis } from './docAnalysis';

export function foldingRanges(a: DocAnalysis): FoldingRange[] {
  const out: FoldingRange[] = [];
  let start = -1;
  const lines = a.script.lines;
  for (let i = 0; i <= lines.length; i++) {
    const isComment = i < lines.length && !lines[i].command && lines[i].comment !== undefined;
    if (isComment) {
      if (start === -1) start = i;
    } else {
      if (start !== -1 && i - 1 > start) out.push({ startLine: start, endLine: i - 1, kind: FoldingRangeKind.Comment });
      start = -1;
    }
  }
  return out;
}
