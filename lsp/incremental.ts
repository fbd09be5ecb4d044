// Re-checks a single line instead of the whole script, when that provably gives the same result
// as `analyze` on the new text. The analyzer walks the cluster model line by line, so an edit can
// change every line below it; but if the edited line neither was nor is a command that changes the
// cluster (join, kill, break, create), every other line sees exactly the same topology as before
// and keeps its diagnostics, references and command. That is the common case while typing (keys,
// values, comments, gets and puts), and it turns an O(n) re-analysis into O(line).
// test/lsp/incremental.test.ts checks this against `analyze` on thousands of random edits.
import { Analysis, ParsedLine, ParsedScript, checkLine, findCommand, isDoneLine } from '../language/index';
import { isDirectiveComment } from '../language/directives';
import { DocAnalysis } from './docAnalysis';
import type { LineChange } from './documents';
import { TopologyIndex } from './topologyIndex';

/** A line that leaves the topology alone: no command, an unknown one, or one the catalogue says keeps it. */
function neutral(line: ParsedLine): boolean {
  return !line.command || findCommand(line.command.text)?.changesTopology !== true;
}

export function reanalyzeLine(prev: DocAnalysis, version: number, script: ParsedScript, change: LineChange): DocAnalysis | undefined {
  const old = prev.script;
  const L = change.start;
  if (change.oldEnd !== L || change.newEnd !== L) return undefined;
  // deleteLineEdit on the last line reads the line above it, so a fix there depends on line L.
  if (L === old.lineCount - 2) return undefined;
  const line = script.lines[L];
  if (!neutral(old.lines[L]) || !neutral(line)) return undefined;
  // A line `done` ends the script: adding, removing or editing below one changes what is checked.
  if (prev.analysis.doneLine !== undefined || isDoneLine(line)) return undefined;
  // A joinClient with an error still names its client for later lines, which topologies built
  // from commands alone do not know.
  if (prev.analysis.brokenJoins !== undefined) return undefined;

  // Directives depend on where the first command is: any script that has one is checked whole.
  if (prev.analysis.directives.lines.length > 0 || isDirectiveComment(line.comment?.text ?? '')) return undefined;

  const checked = checkLine(line, prev.topologyBefore(L), script);
  const a = prev.analysis;
  const analysis: Analysis = {
    script,
    commands: spliceLine(a.commands, (c) => c.line - 1, L, checked.command ? [checked.command] : []),
    diagnostics: spliceLine(a.diagnostics, (d) => d.range.start.line, L, checked.diagnostics),
    hasErrors: false,
    ids: a.ids,
    references: spliceLine(a.references, (r) => r.line, L, checked.references),
    keys: spliceLine(a.keys, (k) => k.range.start.line, L, checked.key ? [checked.key] : []),
    finalTopology: a.finalTopology,
    directives: a.directives,
  };
  analysis.hasErrors = analysis.diagnostics.some((d) => d.severity === 'error');
  return new DocAnalysis(prev.uri, version, analysis, TopologyIndex.sameTopology(analysis.commands, prev.topology));
}

/** Replaces the items of a line-sorted array that belong to line L. */
function spliceLine<T>(items: readonly T[], lineOf: (t: T) => number, L: number, replacement: T[]): T[] {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lineOf(items[mid]) < L) lo = mid + 1;
    else hi = mid;
  }
  let stop = lo;
  while (stop < items.length && lineOf(items[stop]) === L) stop++;
  const out = items.slice(0, lo);
  for (const r of replacement) out.push(r);
  for (let i = stop; i < items.length; i++) out.push(items[i]);
  return out;
}
