// Inlay hints: after a run, each `get` line ends with what it returned (`→ color:blue (2,3) from
// server 0`, `→ k:ERR_DEP from server 1`, `→ failed: …`) and each `printStore` line with a summary
// of the store (`→ color:blue size:big`, or `→ 5 keys`). The text comes from record/explain.ts via
// the run results (runResults.ts); the tooltip holds the explanation.
//
// Live prediction (prediction.ts) gives the same hints marked `≈` (`≈ color:blue (2,3) from server
// 0`, tooltip "predicted by the model (seed N, gossip M)"). Per line: a real run's result for the
// document's current version wins; otherwise the prediction's; otherwise, once the document is
// edited, the stale real result.
//
// Once the document is edited the results are stale: hints stay on the lines they belong to (we
// follow lines through the edits, as the hover does) but read `(stale) → …`; a line edited since
// the run shows none (its text no longer matches what ran), and nor does any line when the edits
// cannot be followed (a whole-text replacement).
import { InlayHint, MarkupKind, Range } from 'vscode-languageserver/node';
import type { DocAnalysis } from './docAnalysis';
import type { RunResultsStore } from './runResults';
import { predictedHint, type Predictor } from './prediction';

/** Hints for the lines of `range` (the whole document when absent). */
export function inlayHints(a: DocAnalysis, results: RunResultsStore, range?: Range, predictor?: Predictor): InlayHint[] {
  const locate = results.locator(a.uri, a.version);
  const x = locate ? results.explanation(a.uri) : undefined;
  const predicting = predictor?.enabled === true && predictor.statusOf(a.uri) !== undefined;
  if (!x && !predicting) return [];
  const first = Math.max(0, range?.start.line ?? 0);
  const last = Math.min(a.script.lineCount - 1, range?.end.line ?? Number.MAX_SAFE_INTEGER);
  const hints: InlayHint[] = [];
  for (let line0 = first; line0 <= last; line0++) {
    const parsed = a.line(line0);
    const name = parsed?.command?.text;
    if (!parsed || (name !== 'get' && name !== 'printStore')) continue;
    const at = locate?.(line0);
    const real = at && x && !at.unmapped && at.line !== undefined && !at.lineEdited
      ? (name === 'get' ? x.gets.get(at.line) : x.stores.get(at.line))
      : undefined;
    if (real && !at!.stale) {
      hints.push({
        position: { line: line0, character: parsed.length },
        label: real.hint,
        paddingLeft: true,
        tooltip: { kind: MarkupKind.PlainText, value: real.text.join('\n') },
      });
      continue;
    }
    const p = predicting ? predictor!.forLine(a.uri, line0, a.version) : undefined;
    const predicted = p && predictedHint(p, p.notReached ? {} : predictor!.explain(a.uri, p.line, false), line0, parsed.length);
    if (predicted) {
      hints.push(predicted);
      continue;
    }
    if (!real) continue;
    const stale = `(stale: the file changed since the run at ${at!.params.finishedAt}; this was line ${at!.line})\n\n`;
    hints.push({
      position: { line: line0, character: parsed.length },
      label: `(stale) ${real.hint}`,
      paddingLeft: true,
      tooltip: { kind: MarkupKind.PlainText, value: stale + real.text.join('\n') },
    });
  }
  return hints;
}
