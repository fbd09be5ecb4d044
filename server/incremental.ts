// Re-checks a single line instead of the whole script, when that provably gives the same result
// as `analyze` on the new text. The analyzer walks the cluster model line by line, so an edit can
// change every line below it; but if the edited line neither was nor is a command that changes the
// cluster (join, kill, break, create), every other line sees exactly the same topology as before
// and keeps its diagnostics, references and command. That is the common case while typing (keys,
// values, comments, gets and puts), and it turns an O(n) re-analysis into O(line).
// test/server/incremental.test.ts checks this against `analyze` on thousands of random edits.
import { Analysis, Command, Diagnostic, IdReference, ParsedLine, ParsedScript, Topology, parse } from '../language/index';
import { checkSemantics } from '../language/semantics';
import { ShapedLine, checkSyntax } from '../language/syntax';
import { DocAnalysis } from './analysisCache';
import type { LineChange } from './documents';
import { TopologyIndex } from './topologyIndex';

const TOPOLOGY_COMMANDS = new Set(['joinServer', 'killServer', 'joinClient', 'breakConnection', 'createConnection']);

function neutral(line: ParsedLine): boolean {
  return !line.command || !TOPOLOGY_COMMANDS.has(line.command.text);
}

export function reanalyzeLine(prev: DocAnalysis, version: number, text: string, changes: readonly LineChange[]): DocAnalysis | undefined {
  const old = prev.script;
  if (changes.length === 0) {
    return text === old.text ? new DocAnalysis(prev.uri, version, prev.analysis, prev.topology) : undefined;
  }
  const L = changes[0].start;
  for (const c of changes) if (c.start !== L || c.oldEnd !== L || c.newEnd !== L) return undefined;
  if (L >= old.lineCount || text.charCodeAt(0) === 0xfeff) return undefined;
  // deleteLineEdit on the last line reads the line above it, so a fix there depends on line L.
  if (L === old.lineCount - 2) return undefined;

  const prevLine = old.lines[L];
  const offset = prevLine.offset;
  const nl = text.indexOf('\n', offset);
  const rawEnd = nl === -1 ? text.length : nl;
  const end = rawEnd > offset && text.charCodeAt(rawEnd - 1) === 0x0d ? rawEnd - 1 : rawEnd;
  const delta = end - offset - prevLine.length;
  // The rest of the text must be the old text shifted by delta (same line endings, same lines).
  if (text.length - old.text.length !== delta || (nl === -1) !== (L === old.lineCount - 1)) return undefined;
  const lineText = text.slice(offset, end);
  if (lineText.charCodeAt(0) === 0xfeff) return undefined;

  const line = relabel(parse(lineText).lines[0], L, offset);
  if (!neutral(prevLine) || !neutral(line)) return undefined;

  // Build the new script. Lines below L only move by delta in the text; their objects are
  // updated in place (the previous analysis is being replaced and is not used again).
  const lines = old.lines.slice();
  lines[L] = line;
  if (delta !== 0) for (let i = L + 1; i < lines.length; i++) lines[i].offset += delta;
  const script: ParsedScript = { lines, lineCount: old.lineCount, text, eol: old.eol };

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
