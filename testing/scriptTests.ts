// Scripts as tests: a `.kvcmd` with a sibling `.expected` is a test whose stdout must equal that
// file byte for byte, and whose record must pass the history checker. Shared by `kvcmd test`
// (cli/test.ts) and the VS Code Testing view (extension/testing.ts); no vscode here.
//
// What decides, per gossip mode (docs/cli.md, "kvcmd test"):
// - every mode: a script with an error diagnostic fails (with its diagnostics, nothing runs); a run
//   that broke (a node died, a run error) fails; a checker violation fails;
// - `settled` and `off`: stdout must equal the `.expected` file byte for byte;
// - `async`: gossip races the commands, so a get may legitimately read an older value; the checker's
//   verdict decides and a stdout difference is a warning on a passing test, not a failure;
// - foreign nodes (docs/nodes.md) are not assumed deterministic: the same as async, unless `exact`.
import * as fs from 'fs';
import * as path from 'path';
import { runCommands, type Backend } from '../cluster/runner';
import { checkRecord, type Violation } from '../check/checker';
import type { Analysis } from '../language/analyzer';
import { checkScript } from '../language/scriptFile';
import type { Diagnostic } from '../language/diagnostics';
import type { ProcessHostOptions } from '../cluster/processHost';
import type { NodeCommands } from '../cluster/nodeCommands';
import { DEFAULT_PROTOCOL, PROTOCOLS, type GossipMode, type ProtocolName } from '../protocol/messages';
import { protocolFor } from '../language/directives';
import type { ClusterEvent } from '../record/events';

export const SCRIPT_EXT = '.kvcmd';
export const EXPECTED_EXT = '.expected';
export const DEFAULT_TEST_SEED = 1;

/** One test: a script and the file holding its expected stdout (which may not exist yet). */
export interface ScriptTest {
  script: string;
  expected: string;
}

export interface TestOptions {
  /** Default `settled`. */
  gossip?: GossipMode;
  /** Overrides the script's `# kvcmd: protocol=` directive. */
  protocol?: ProtocolName;
  /** Default 1 (DEFAULT_TEST_SEED): a test must be repeatable. */
  seed?: number;
  /** Default `processes`. */
  backend?: Backend;
  signal?: AbortSignal;
  /** For real processes: the node entry and Node.js to use (the extension's bundle has its own). */
  process?: Omit<ProcessHostOptions, 'onNodeError'>;
  /** The script's text when it is not the file on disk (an editor's unsaved document). */
  text?: string | Uint8Array;
  /**
   * Nodes the user brings (docs/nodes.md). Their outputs may vary, so by default the checker
   * decides and an output difference is a warning, as in async mode; `exact` (or the commands'
   * own `exact`) holds them to the `.expected` file byte for byte.
   */
  nodes?: NodeCommands;
  exact?: boolean;
}

/** Where stdout first differs from the expected file. */
export interface OutputMismatch {
  /** 1-based line of stdout (and of the expected file). */
  outputLine: number;
  /** 1-based script line of the command that printed the actual line (or should have printed the missing one); undefined if unknown. */
  scriptLine: number | undefined;
  /** The expected and actual text of that line; undefined when that side has no such line. */
  expectedLine: string | undefined;
  actualLine: string | undefined;
  /** What kind of difference, in words (e.g. "output line 3 differs", "2 lines missing at the end"). */
  summary: string;
  /** A unified-diff-like excerpt around the first difference (a few lines of context). */
  excerpt: string;
}

/** A checker violation located in the script. */
export interface LocatedViolation {
  rule: string;
  message: string;
  /** 1-based script line of the main witness (undefined when it has none). */
  line: number | undefined;
  /** All script lines the witnesses belong to. */
  lines: number[];
}

export type TestStatus = 'passed' | 'failed';

export interface ScriptTestResult {
  test: ScriptTest;
  status: TestStatus;
  /** Why it failed, one short sentence per cause (empty when passed). */
  reasons: string[];
  /** Every diagnostic of the script (errors make the test fail; warnings are only reported). */
  diagnostics: Diagnostic[];
  hasErrors: boolean;
  /** The expected file's text, undefined when it does not exist. */
  expected: string | undefined;
  /** What the run printed on stdout (undefined when the script was not run). */
  actual: string | undefined;
  /** Whether stdout equals the expected file byte for byte (false when there is no expected file or no run). */
  outputMatches: boolean;
  mismatch: OutputMismatch | undefined;
  violations: LocatedViolation[];
  /** The checker's notes (what it could not check). */
  notes: string[];
  /** Set when the run broke (or was cancelled). */
  runError: string | undefined;
  cancelled: boolean;
  /** Not failures: an async run's output difference, failed put/get operations. */
  warnings: string[];
  /** What node processes wrote on stderr. */
  nodeErrors: string;
  /** put/get commands that failed (no reachable server); their outcome is in stdout. */
  failedOps: number;
  gossip: GossipMode;
  protocol: ProtocolName;
  seed: number;
  backend: Backend;
  ms: number;
  /** The record of the run (without the snapshot). */
  events: ClusterEvent[];
}

export class TestUsageError extends Error {}

/**
 * The expected output of a script run with `protocol` when that is not the script's own: its
 * `NAME.PROTOCOL.expected` sibling (docs/cli.md, "kvcmd test"); a scenario whose output is the
 * same in every protocol needs none and is held to `NAME.expected`.
 */
export function protocolExpectedFileOf(script: string, protocol: ProtocolName): string {
  return script.slice(0, script.length - SCRIPT_EXT.length) + `.${protocol}` + EXPECTED_EXT;
}

/** The `.expected` sibling of a script, and back. */
export function expectedFileOf(script: string): string {
  return script.slice(0, script.length - SCRIPT_EXT.length) + EXPECTED_EXT;
}
export function scriptFileOf(expected: string): string {
  // NAME.PROTOCOL.expected belongs to NAME.kvcmd.
  const base = expected.slice(0, expected.length - EXPECTED_EXT.length);
  const protocol = PROTOCOLS.find((p) => base.endsWith(`.${p}`));
  return (protocol ? base.slice(0, base.length - protocol.length - 1) : base) + SCRIPT_EXT;
}

const SKIP_DIRS = new Set(['node_modules', 'out', 'dist']);

/**
 * The tests under each path: a directory gives every `.kvcmd` below it with a sibling `.expected`
 * (recursively, skipping node_modules, out, dist and dot folders); a `.kvcmd` file is a test even
 * without its `.expected` (it then fails, or `--update` writes it); a `.expected` file names its
 * script. Sorted, without duplicates. Throws TestUsageError for a path that does not exist or a
 * file of another kind.
 */
export function discoverTests(paths: readonly string[]): ScriptTest[] {
  const found = new Map<string, ScriptTest>();
  const add = (script: string): void => void found.set(path.resolve(script), { script, expected: expectedFileOf(script) });
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new TestUsageError(`cannot read '${p}': no such file or directory`);
    }
    if (stat.isDirectory()) {
      for (const script of scriptsUnder(p)) if (fs.existsSync(expectedFileOf(script))) add(script);
    } else if (p.endsWith(SCRIPT_EXT)) {
      add(p);
    } else if (p.endsWith(EXPECTED_EXT)) {
      const script = scriptFileOf(p);
      if (!fs.existsSync(script)) throw new TestUsageError(`'${p}' has no script beside it (${script} does not exist)`);
      add(script);
    } else {
      throw new TestUsageError(`'${p}' is neither a folder, a ${SCRIPT_EXT} script nor an ${EXPECTED_EXT} file`);
    }
  }
  return [...found.values()].sort((a, b) => (a.script < b.script ? -1 : a.script > b.script ? 1 : 0));
}

function scriptsUnder(dir: string): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!e.name.startsWith('.') && !SKIP_DIRS.has(e.name)) out.push(...scriptsUnder(full));
    } else if (e.isFile() && e.name.endsWith(SCRIPT_EXT)) {
      out.push(full);
    }
  }
  return out;
}

/** Runs one test: check the script, run it traced, check the record, compare stdout. Never throws for a failing script. */
export async function runScriptTest(test: ScriptTest, options: TestOptions = {}): Promise<ScriptTestResult> {
  const t0 = performance.now();
  const gossip = options.gossip ?? 'settled';
  const seed = options.seed ?? DEFAULT_TEST_SEED;
  const backend = options.backend ?? 'processes';
  const result: ScriptTestResult = {
    test, status: 'failed', reasons: [], diagnostics: [], hasErrors: false, expected: undefined, actual: undefined,
    outputMatches: false, mismatch: undefined, violations: [], notes: [], runError: undefined, cancelled: false,
    warnings: [], nodeErrors: '', failedOps: 0, gossip, protocol: options.protocol ?? DEFAULT_PROTOCOL, seed, backend, ms: 0, events: [],
  };
  const finish = (): ScriptTestResult => {
    result.status = result.reasons.length === 0 ? 'passed' : 'failed';
    result.ms = performance.now() - t0;
    return result;
  };

  const text = options.text ?? fs.readFileSync(test.script);
  const checked = checkScript(test.script, typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  result.diagnostics = checked.diagnostics;
  result.hasErrors = checked.hasErrors;
  const protocol = result.protocol = protocolFor(checked.analysis.directives, options.protocol);
  const own = protocolFor(checked.analysis.directives);
  const ownFile = protocol === own ? undefined : protocolExpectedFileOf(test.script, protocol);
  let expectedBytes = ownFile === undefined ? undefined : readIfExists(ownFile);
  if (expectedBytes !== undefined) result.test = test = { ...test, expected: ownFile! };
  else expectedBytes = readIfExists(test.expected);
  result.expected = expectedBytes === undefined ? undefined : Buffer.from(expectedBytes).toString('utf8');
  if (checked.hasErrors) {
    const n = checked.diagnostics.filter((d) => d.severity === 'error').length;
    result.reasons.push(`the script has ${n} error${n === 1 ? '' : 's'}: not run`);
    return finish();
  }

  const events = result.events;
  const stdoutEvents: { text: string; line: number }[] = [];
  const run = await runCommands(checked.analysis.commands, {
    seed, gossip, protocol, backend, trace: true, signal: options.signal,
    process: { ...options.process, onNodeError: (id, t) => (result.nodeErrors += `[node ${id ?? '?'}] ${t}`) },
    ...(options.nodes && backend === 'processes' ? { nodes: options.nodes } : {}),
  }, (e) => {
    events.push(e);
    if (e.type === 'stdout') stdoutEvents.push({ text: e.text, line: e.line });
    else if (e.type === 'failed') result.failedOps++;
  }).catch((err: unknown) => ({ ok: false, error: err instanceof Error ? err.message : String(err), ms: 0 }));
  result.actual = stdoutEvents.map((s) => s.text + '\n').join('');
  if (options.signal?.aborted) {
    result.cancelled = true;
    result.runError = 'run cancelled';
    result.reasons.push('cancelled');
    return finish();
  }
  if (!run.ok) {
    result.runError = run.error ?? 'the run broke';
    result.reasons.push(`the run broke: ${result.runError}`);
  }
  if (result.failedOps > 0) result.warnings.push(`${result.failedOps} put/get operation${result.failedOps === 1 ? '' : 's'} failed (no reachable server)`);

  const report = checkRecord(events);
  result.notes = report.notes;
  result.violations = report.violations.map((v) => locateViolation(v, events));
  if (result.violations.length > 0) result.reasons.push(`the checker found ${result.violations.length} violation${result.violations.length === 1 ? '' : 's'}`);

  if (expectedBytes === undefined) {
    result.reasons.push(`no expected output: ${test.expected} does not exist (kvcmd test --update writes it)`);
  } else {
    result.outputMatches = Buffer.from(result.actual, 'utf8').equals(Buffer.from(expectedBytes));
    // Another protocol's output, differing from the script's own: --update writes it beside, never over, NAME.expected.
    if (!result.outputMatches && ownFile !== undefined && result.test.expected !== ownFile) result.test = test = { ...test, expected: ownFile };
    if (!result.outputMatches) {
      result.mismatch = firstMismatch(result.expected!, result.actual, stdoutEvents.map((s) => s.line), checked.analysis);
      const foreign = options.nodes !== undefined && backend === 'processes' && !(options.exact ?? options.nodes.exact);
      if (gossip === 'async') result.warnings.push(`stdout differs from ${path.basename(test.expected)} (${result.mismatch.summary}); in async mode the checker decides`);
      else if (foreign) result.warnings.push(`stdout differs from ${path.basename(test.expected)} (${result.mismatch.summary}); with foreign nodes the checker decides (--exact compares)`);
      else result.reasons.push(`stdout differs from ${path.basename(test.expected)}: ${result.mismatch.summary}`);
    }
  }
  return finish();
}

function readIfExists(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function locateViolation(v: Violation, events: readonly ClusterEvent[]): LocatedViolation {
  const main = events[v.events[0]];
  const line = main && 'line' in main ? main.line : v.lines[0];
  return { rule: v.rule, message: v.message, line, lines: v.lines };
}

/** Splits output into lines, keeping whether it ended with a newline (a final '' is not a line). */
function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const CONTEXT = 2;
const SHOWN = 4;

/**
 * Where `actual` first differs from `expected`, located at the script line that printed the
 * actual line (`printedBy[i]` is the script line of stdout line i+1). When the run printed fewer
 * lines, the place is the first get/printStore after the last line printed.
 */
export function firstMismatch(expected: string, actual: string, printedBy: readonly number[], analysis?: Analysis): OutputMismatch {
  const exp = linesOf(expected);
  const act = linesOf(actual);
  let i = 0;
  while (i < exp.length && i < act.length && exp[i] === act[i]) i++;
  let summary: string;
  let scriptLine: number | undefined;
  if (i < exp.length && i < act.length) {
    summary = `output line ${i + 1} differs`;
    scriptLine = printedBy[i];
  } else if (i < exp.length) {
    const n = exp.length - i;
    summary = `${n} expected line${n === 1 ? '' : 's'} missing from line ${i + 1}`;
    const after = i > 0 ? printedBy[i - 1] : 0;
    const next = analysis?.commands.find((c) => (c.name === 'get' || c.name === 'printStore') && c.line > after);
    scriptLine = next?.line ?? (i > 0 ? printedBy[i - 1] : undefined);
  } else if (i < act.length) {
    const n = act.length - i;
    summary = `${n} unexpected line${n === 1 ? '' : 's'} from line ${i + 1}`;
    scriptLine = printedBy[i];
  } else {
    // Same lines, different bytes: a newline at the end, or a \r.
    i = Math.max(0, Math.min(exp.length, act.length) - 1);
    if (!expected.endsWith('\n') && actual.endsWith('\n')) summary = 'the expected file does not end with a newline';
    else if (expected.endsWith('\n') && !actual.endsWith('\n')) summary = 'the output does not end with a newline';
    else summary = 'the bytes differ though the lines are equal';
    scriptLine = printedBy[i];
  }
  const from = Math.max(0, i - CONTEXT);
  const excerpt: string[] = [`@@ output line ${i + 1} @@`];
  for (let k = from; k < i; k++) excerpt.push(` ${visible(exp[k])}`);
  for (let k = i; k < Math.min(exp.length, i + SHOWN); k++) excerpt.push(`-${visible(exp[k])}`);
  if (exp.length > i + SHOWN) excerpt.push(`-… (${exp.length - i - SHOWN} more)`);
  for (let k = i; k < Math.min(act.length, i + SHOWN); k++) excerpt.push(`+${visible(act[k])}`);
  if (act.length > i + SHOWN) excerpt.push(`+… (${act.length - i - SHOWN} more)`);
  return { outputLine: i + 1, scriptLine, expectedLine: exp[i], actualLine: act[i], summary, excerpt: excerpt.join('\n') };
}

/** A line as shown in an excerpt: control characters (a \r from a CRLF file) written as escapes. */
export function visible(line: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x08\x0b-\x1f\x7f]/.test(line) ? JSON.stringify(line).slice(1, -1) : line;
}

/** `--update`: writes the actual stdout into the test's `.expected`; returns whether the file changed. Only for a script without errors whose run reached its end. */
export function updateExpected(r: ScriptTestResult): boolean {
  if (r.hasErrors || r.actual === undefined || r.runError !== undefined) return false;
  if (r.expected !== undefined && r.outputMatches) return false;
  fs.writeFileSync(r.test.expected, r.actual);
  return true;
}

/** Which results can be updated by `updateExpected` (the others keep their failure). */
export function updatable(r: ScriptTestResult): boolean {
  return !r.hasErrors && r.actual !== undefined && r.runError === undefined;
}
