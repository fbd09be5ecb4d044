// Re-checks a single line instead of the whole script, when that provably gives the same result
// as `analyze` on the new text. The analyzer walks the cluster model line by line, so an edit can
// change every line below it; but if the edited line neither was nor is a command that changes the
// cluster (join, kill, break, create), every other line sees exactly the same topology as before
// and keeps its diagnostics, references and command. That is the common case while typing (keys,
// values, comments, gets and puts), and it turns an O(n) re-analysis into O(line).
// test/server/incremental.test.ts checks this against `analyze` on thousands of random edits.
import { Analysis, Command, Diagnostic, IdReference, ParsedLine, ParsedScript, Token, Topology, parse, range } from '../language/index';
import { checkSemantics } from '../language/semantics';
import { ShapedLine, checkSyntax } from '../language/syntax';
import { DocAnalysis } from './analysisCache';
import type { LineChange } from './documents';
import { TopologyIndex } from './topologyIndex';

const TOPOLOGY_COMMANDS = new Set(['joinServer', 'killServer', 'joinClient', 'breakConnection', 'createConnection']);

function neutral(line: ParsedLine): boolean {
  return !line.command || !TOPOLOGY_COMMANDS.has(line.command.text);
}

export function reanalyzeLine(prev: DocAnalysis, version: number, script: ParsedScript, change: LineChange): DocAnalysis | undefined {
  const old = prev.script;
  const L = change.start;
  if (change.oldEnd !== L || change.newEnd !== L) return undefined;
  // deleteLineEdit on the last line reads the line above it, so a fix there depends on line L.
  if (L === old.lineCount - 2) return undefined;
  const line = script.lines[L];
  if (!neutral(old.lines[L]) || !neutral(line)) return undefined;

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
  };
  analysis.hasErrors = analysis.diagnostics.some((d) => d.severity === 'error');
  return new DocAnalysis(prev.uri, version, analysis, TopologyIndex.sameTopology(analysis.commands, prev.topology));
}

/**
 * The parse of `text`, which is `old.text` with lines change.start..change.oldEnd replaced by
 * lines change.start..change.newEnd: only those lines are parsed again (parsing 20,000 lines
 * costs as much as checking them). Lines above are shared with the old parse; lines below get
 * new line numbers when lines were added or removed. Undefined when the texts do not fit.
 */
export function reparse(old: ParsedScript, text: string, change: LineChange): ParsedScript | undefined {
  const { start, oldEnd, newEnd } = change;
  if (oldEnd >= old.lineCount || text.charCodeAt(0) === 0xfeff || old.text.charCodeAt(0) === 0xfeff) return undefined;
  const offset = old.lines[start].offset;
  // The end of new line newEnd, and the end of old line oldEnd, without their line endings.
  let nl = offset - 1;
  for (let i = start; i <= newEnd; i++) {
    nl = text.indexOf('\n', nl + 1);
    if (nl === -1 && i < newEnd) return undefined;
    if (nl === -1) break;
  }
  const regionEnd = nl === -1 ? text.length : nl;
  const lastOld = old.lines[oldEnd];
  const oldRegionEnd = lastOld.offset + lastOld.length;
  const isLast = oldEnd === old.lineCount - 1;
  // The text after the region must be the old text after it (same endings, same lines).
  const oldNext = isLast ? old.text.length : old.text.indexOf('\n', oldRegionEnd);
  const newNext = nl === -1 ? text.length : nl;
  if ((nl === -1) !== isLast || text.length - newNext !== old.text.length - oldNext) return undefined;
  if (text.charCodeAt(offset) === 0xfeff) return undefined;
  // Parsed as a little script of its own: a CR before the LF that follows is a line ending in both.
  const region = parse(text.slice(offset, regionEnd));
  if (region.lineCount !== newEnd - start + 1) return undefined;
  const lines: ParsedLine[] = old.lines.slice(0, start);
  for (const l of region.lines) lines.push(relabel(l, start + l.line, offset + l.offset));
  const lineDelta = newEnd - oldEnd;
  const offsetDelta = text.length - old.text.length;
  for (let i = oldEnd + 1; i < old.lineCount; i++) {
    const l = old.lines[i];
    if (lineDelta === 0) {
      // Offsets only: ParsedLine objects are not referenced by diagnostics, so update in place.
      if (offsetDelta !== 0) l.offset += offsetDelta;
      lines.push(l);
    } else {
      lines.push(moved(l, i + lineDelta, l.offset + offsetDelta));
    }
  }
  const firstNl = text.indexOf('\n');
  const eol = firstNl > 0 && text.charCodeAt(firstNl - 1) === 0x0d ? '\r\n' : '\n';
  return { lines, lineCount: lines.length, text, eol };
}

/** A copy of a line at another line number (tokens are new: old ranges may be held by old diagnostics). */
function moved(l: ParsedLine, line: number, offset: number): ParsedLine {
  const tok = (t: Token): Token => ({ text: t.text, range: range(line, t.range.start.character, t.range.end.character) });
  const out: ParsedLine = { line, args: l.args.map(tok), offset, length: l.length };
  if (l.command) out.command = tok(l.command);
  if (l.comment) out.comment = tok(l.comment);
  return out;
}

function relabel(parsed: ParsedLine, L: number, offset: number): ParsedLine {
  const fix = (t: { range: { start: { line: number }; end: { line: number } } } | undefined): void => {
    if (t) t.range.start.line = t.range.end.line = L;
  };
  fix(parsed.command);
  parsed.args.forEach(fix);
  fix(parsed.comment);
  parsed.line = L;
  parsed.offset = offset;
  return parsed;
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

interface CheckedLine { diagnostics: Diagnostic[]; references: IdReference[]; command?: Command; key?: Analysis['keys'][number] }

/** What `analyze` does for one line that does not change the cluster (see analyzer.ts). */
function checkLine(line: ParsedLine, topo: Topology, script: ParsedScript): CheckedLine {
  if (!line.command) return { diagnostics: [], references: [] };
  const syntax = checkSyntax(line);
  const diagnostics = syntax.diagnostics;
  const shaped = syntax.shaped;
  const references: IdReference[] = [];
  if (shaped) {
    collectReferences(shaped, line, topo, references);
    diagnostics.push(...checkSemantics(shaped, line, topo, script));
  }
  if (diagnostics.length > 1) diagnostics.sort((x, y) => x.range.start.character - y.range.start.character);
  if (!shaped || diagnostics.some((d) => d.severity === 'error')) return { diagnostics, references };
  const command = buildNeutralCommand(shaped, line.line + 1);
  const key = command.name === 'put' ? { key: command.key, range: line.args[1].range } : undefined;
  return { diagnostics, references, command, key };
}

function collectReferences(shaped: ShapedLine, line: ParsedLine, topo: Topology, out: IdReference[]): void {
  shaped.spec.args.forEach((arg, i) => {
    const id = shaped.values[i];
    if ((arg.role !== 'server' && arg.role !== 'client') || typeof id !== 'number') return;
    const kind = topo.clients.has(id) ? 'client' : topo.servers.has(id) ? 'server' : 'unknown';
    out.push({ id, kind, range: line.args[i].range, isJoin: false, line: line.line });
  });
}

function buildNeutralCommand(shaped: ShapedLine, line: number): Command {
  const v = shaped.values;
  switch (shaped.spec.name) {
    case 'printStore': return { name: 'printStore', line, server: v[0] as number };
    case 'put': return { name: 'put', line, client: v[0] as number, key: v[1] as string, value: v[2] as string };
    case 'get': return { name: 'get', line, client: v[0] as number, key: v[1] as string };
    case 'sleep': return { name: 'sleep', line, ms: v[0] as number };
    case 'stabilize': return { name: 'stabilize', line };
    default: throw new Error(`not a neutral command: ${shaped.spec.name}`);
  }
}
