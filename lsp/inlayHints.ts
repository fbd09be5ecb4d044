// Inlay hints: after a run, each `get` line ends with what it returned (`→ color:blue (2,3) from
// server 0`, `→ k:ERR_DEP from server 1`, `→ failed: …`) and each `printStore` line with a summary
// of the store (`→ color:blue size:big`, or `→ 5 keys`). The text comes from record/explain.ts via
// the run results (runResults.ts); the tooltip holds the explanation.
//
// Once the document is edited the results are stale: hints stay on the lines they belong to (we
// follow lines through the edits, as the hover does) but read `(stale) → …`; a line edited since
// the run shows none (its text no longer matches what ran), and nor does any line when the edits
// cannot be followed (a whole-text replacement).
import { InlayHint, MarkupKind, Range } from 'vscode-languageserver/node';
import type { DocAnalysis } from './docAnalysis';
import type { RunResultsStore } from './runResults';

/** Hints for the lines of `range` (the whole document when absent). */
export function inlayHints(a: DocAnalysis, results: RunResultsStore, range?: Range): InlayHint[] {
  const x = results.explanation(a.uri);
  const locate = results.locator(a.uri, a.version);
  if (!x || !locate) return [];
  const first = Math.max(0, range?.start.line ?? 0);
  const last = Math.min(a.script.lineCount - 1, range?.end.line ?? Number.MAX_SAFE_INTEGER);
  const hints: InlayHint[] = [];
  for (let line0 = first; line0 <= last; line0++) {
    const parsed = a.line(line0);
    const name = parsed?.command?.text;
    if (!parsed || (name !== 'get' && name !== 'printStore')) continue;
    const at = locate(line0);
    if (at.unmapped) return hints;
    if (at.line === undefined || at.lineEdited) continue;
    const why = name === 'get' ? x.gets.get(at.line) : x.stores.get(at.line);
    if (!why) continue;
    const stale = at.stale ? `(stale: the file changed since the run at ${at.params.finishedAt}; this was line ${at.line})\n\n` : '';
    hints.push({
      position: { line: line0, character: parsed.length },
      label: at.stale ? `(stale) ${why.hint}` : why.hint,
      paddingLeft: true,
      tooltip: { kind: MarkupKind.PlainText, value: stale + why.text.join('\n') },
    });
  }
  return hints;
}
