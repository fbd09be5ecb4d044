import { Directives, readDirectives } from './directives';
import { CommandName } from './catalogue';
import { Command, NodePattern } from './commands';
import { Diagnostic, makeDiagnostic } from './diagnostics';
import { deleteLineFix } from './edits';
import { parseId } from './ids';
import { ParsedLine, ParsedScript, Token, parse } from './parser';
import { Range } from './ranges';
import { checkSemantics, lineRange } from './semantics';
import { spanRanges } from './ranges';
import { ShapedLine, checkSyntax } from './syntax';
import { Topology } from './topology';

export interface IdInfo { id: number; kind: 'server' | 'client'; joins: Range[]; kills: Range[] }
export interface IdReference { id: number; kind: 'server' | 'client' | 'unknown'; range: Range; isJoin: boolean; line: number }

export interface Analysis {
  script: ParsedScript;
  commands: Command[];
  diagnostics: Diagnostic[];
  hasErrors: boolean;
  ids: IdInfo[];
  references: IdReference[];
  keys: { key: string; range: Range }[];
  /** The topology after the last line, for callers that only need the end state. */
  finalTopology: Topology;
  /** What the script's header comments set (`# kvcmd: protocol=NAME`). */
  directives: Directives;
  /** The 0-based line of a `done` that ended the script early; the lines after it were not checked. */
  doneLine?: number;
  /** 0-based lines of `joinClient`s with an error whose client later lines still use (Topology.brokenJoins); absent if none. */
  brokenJoins?: number[];
}

/** A line holding only `done` (a comment may follow): the script ends there. */
export function isDoneLine(line: ParsedLine): boolean {
  return line.command?.text === 'done' && line.args.length === 0;
}

const ID_ROLES = new Set(['newServer', 'server', 'newClient', 'client', 'peer', 'node']);

/** Checks a whole script, walking the cluster model line by line exactly as the runtime will. */
export function analyze(input: string | ParsedScript): Analysis {
  const script = typeof input === 'string' ? parse(input) : input;
  const topo = new Topology();
  const commands: Command[] = [];
  const diagnostics: Diagnostic[] = [];
  const ids = new Map<number, IdInfo>();
  const references: IdReference[] = [];
  const keys: { key: string; range: Range }[] = [];

  let doneLine: number | undefined;
  const brokenJoins: number[] = [];
  for (const line of script.lines) {
    if (isDoneLine(line)) {
      doneLine = line.line;
      const after = afterDone(script, line.line);
      if (after) diagnostics.push(after);
      break;
    }
    const checked = checkLine(line, topo, script);
    diagnostics.push(...checked.diagnostics);
    references.push(...checked.references);
    const cmd = checked.command;
    if (!cmd) {
      const broken = brokenJoinClient(line, checked.diagnostics);
      if (broken !== undefined) {
        topo.markBrokenJoin(broken, line.line + 1);
        brokenJoins.push(line.line);
      }
      continue;
    }
    commands.push(cmd);
    recordIds(cmd, line.args, topo, ids);
    if (checked.key) keys.push(checked.key);
    topo.apply(cmd);
  }

  const header = readDirectives(script);
  diagnostics.push(...header.diagnostics);
  diagnostics.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return {
    script,
    commands,
    diagnostics,
    directives: header.directives,
    hasErrors: diagnostics.some((d) => d.severity === 'error'),
    ids: [...ids.values()],
    references,
    keys,
    finalTopology: topo,
    ...(doneLine === undefined ? {} : { doneLine }),
    ...(brokenJoins.length === 0 ? {} : { brokenJoins }),
  };
}

/**
 * The client of a `joinClient` line that has an error, when the client id itself is sound (the
 * error is the server's, or the argument count): later lines then use it without errors of their own.
 */
function brokenJoinClient(line: ParsedLine, diagnostics: readonly Diagnostic[]): number | undefined {
  if (line.command?.text !== 'joinClient' || line.args.length === 0) return undefined;
  const tok = line.args[0];
  const id = parseId(tok.text);
  if (!id.ok) return undefined;
  const onClient = diagnostics.some((d) => d.severity === 'error' && d.range.start.character === tok.range.start.character);
  return onClient ? undefined : id.value;
}

/**
 * Scripts written for other masters end with a line `done`. Whatever follows it does not run: one
 * warning on the first line after it that holds a command, spanning to the last such line (an
 * editor fades it all). Comment-only lines after `done` are as harmless as anywhere else.
 */
function afterDone(script: ParsedScript, done0: number): Diagnostic | undefined {
  let first: number | undefined;
  let last = done0;
  let count = 0;
  for (let i = done0 + 1; i < script.lineCount; i++) {
    if (!script.lines[i].command) continue;
    first ??= i;
    last = i;
    count++;
  }
  if (first === undefined) return undefined;
  const what = count === 1 ? 'this line does' : `this line and the ${count - 1} command line${count === 2 ? '' : 's'} after it do`;
  return makeDiagnostic('after-done', 'warning',
    `the script ends at 'done' on line ${done0 + 1}; ${what} not run`,
    spanRanges(lineRange(script, first), lineRange(script, last)),
    [{ message: 'the script ends here', range: lineRange(script, done0) }],
    [deleteLineFix(script, done0, `Delete 'done' so that the lines after it run`)]);
}

export interface CheckedLine {
  diagnostics: Diagnostic[];
  references: IdReference[];
  /** Present when the line has no error. */
  command?: Command;
  key?: { key: string; range: Range };
}

/**
 * One step of the walk: a line checked against the topology just before it (which it does not
 * change). `analyze` is this, line after line; the language server also calls it to re-check the
 * single line being typed.
 */
export function checkLine(line: ParsedLine, topo: Topology, script: ParsedScript): CheckedLine {
  if (!line.command) return { diagnostics: [], references: [] };
  const syntax = checkSyntax(line);
  const diagnostics = syntax.diagnostics;
  const shaped = syntax.shaped;
  const references: IdReference[] = [];
  if (shaped) {
    // References are recorded before the line is applied, so a join's kind comes from the
    // command and any other use's kind from what the id was at that point.
    collectReferences(shaped, line.args, topo, line.line, references);
    diagnostics.push(...checkSemantics(shaped, line, topo, script));
  }
  // Syntax and semantic checks report in different orders; users read a line left to right.
  if (diagnostics.length > 1) diagnostics.sort((x, y) => x.range.start.character - y.range.start.character);
  if (!shaped || diagnostics.some((d) => d.severity === 'error')) return { diagnostics, references };
  const command = buildCommand(shaped, line.line + 1);
  const key = command.name === 'put' ? { key: command.key, range: line.args[1].range } : undefined;
  return { diagnostics, references, command, key };
}

function collectReferences(shaped: ShapedLine, args: Token[], topo: Topology, line0: number, out: IdReference[]): void {
  const specArgs = shaped.spec.args;
  for (let i = 0; i < specArgs.length; i++) {
    const role = specArgs[i].role;
    const id = shaped.values[i];
    if (!ID_ROLES.has(role) || typeof id !== 'number') continue;
    const isJoin = role === 'newServer' || role === 'newClient';
    let kind: IdReference['kind'] = 'unknown';
    if (topo.clients.has(id)) kind = 'client';
    else if (topo.servers.has(id)) kind = 'server';
    else if (isJoin) kind = role === 'newServer' ? 'server' : 'client';
    out.push({ id, kind, range: args[i].range, isJoin, line: line0 });
  }
}

/** Must run before topo.apply, to tell an effective kill from a no-op one. */
function recordIds(cmd: Command, args: Token[], topo: Topology, ids: Map<number, IdInfo>): void {
  const info = (id: number, kind: IdInfo['kind']): IdInfo => {
    let i = ids.get(id);
    if (!i) ids.set(id, (i = { id, kind, joins: [], kills: [] }));
    return i;
  };
  if (cmd.name === 'joinServer') info(cmd.server, 'server').joins.push(args[0].range);
  else if (cmd.name === 'joinClient') info(cmd.client, 'client').joins.push(args[0].range);
  else if (cmd.name === 'killServer' && topo.isLiveServer(cmd.server)) info(cmd.server, 'server').kills.push(args[0].range);
}

function buildCommand(shaped: ShapedLine, line: number): Command {
  const v = shaped.values;
  const name: CommandName = shaped.spec.name;
  switch (name) {
    case 'joinServer': return { name, line, server: v[0] as number };
    case 'killServer': return { name, line, server: v[0] as number };
    case 'joinClient': return { name, line, client: v[0] as number, server: v[1] as number };
    case 'breakConnection': return { name, line, a: v[0] as number, b: v[1] as number };
    case 'createConnection': return { name, line, a: v[0] as number, b: v[1] as number };
    case 'stabilize': return { name, line };
    case 'printStore': return { name, line, server: v[0] as number };
    case 'put': return { name, line, client: v[0] as number, key: v[1] as string, value: v[2] as string };
    case 'get': return { name, line, client: v[0] as number, key: v[1] as string };
    case 'sleep': return { name, line, ms: v[0] as number };
    case 'delay': return { name, line, from: v[0] as NodePattern, to: v[1] as NodePattern, ms: v[2] as number, maxMs: (v[3] ?? v[2]) as number };
    case 'drop': case 'duplicate': return { name, line, from: v[0] as NodePattern, to: v[1] as NodePattern, p: v[2] as number };
    case 'heal': return { name, line, from: v[0] as NodePattern, to: v[1] as NodePattern };
    case 'pauseServer': case 'resumeServer': return { name, line, server: v[0] as number };
  }
}
