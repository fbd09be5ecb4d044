// Scripts as tests in VS Code's Testing view: every `.kvcmd` of the workspace with a sibling
// `.expected` is a test item, grouped by folder, found with workspace.findFiles and kept up to date
// by a FileSystemWatcher. A run does what `kvcmd test` does (testing/scriptTests.ts): the checked
// script runs traced on real processes with seed 1, the checker judges the record, stdout must equal
// the `.expected` file byte for byte (in async mode the checker decides and an output difference is
// only written to the run's output). Profiles: "Run (settled)" (the default), "Run (async)",
// "Run (off)", and "Debug", which starts the kvcmd debugger on the script.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GossipMode } from '../protocol/messages';
import { DEFAULT_TEST_SEED, EXPECTED_EXT, SCRIPT_EXT, runScriptTest, type ScriptTestResult } from '../testing/scriptTests';
import { readRunConfig } from './settings';

/** What became of one test item in a run (for tests and tools: VS Code does not expose results). */
export interface TestOutcome {
  state: 'passed' | 'failed' | 'errored' | 'skipped';
  messages: { text: string; expected?: string; actual?: string; line?: number }[];
  result?: ScriptTestResult;
}

export interface KvcmdTesting {
  readonly controller: vscode.TestController;
  readonly profiles: Readonly<Record<GossipMode | 'debug', vscode.TestRunProfile>>;
  /** Resolves when the first discovery is done. */
  readonly ready: Promise<void>;
  /** Finds every test of the workspace again. */
  refresh(): Promise<void>;
  /** Every test item (the scripts, not their folders). */
  tests(): vscode.TestItem[];
  /** Fired at the end of each run with its outcomes by item id (the script's URI). */
  readonly onDidEndRun: vscode.Event<ReadonlyMap<string, TestOutcome>>;
  /** The outcomes of the last run that ended. */
  lastOutcomes(): ReadonlyMap<string, TestOutcome>;
}

const GLOB_EXCLUDE = '**/node_modules/**';

const siblingOf = (uri: vscode.Uri, ext: string): vscode.Uri =>
  uri.with({ path: uri.path.slice(0, uri.path.length - path.posix.extname(uri.path).length) + ext });

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

export function registerTesting(nodeMainPath: string, log: vscode.LogOutputChannel): { disposable: vscode.Disposable; api: KvcmdTesting } {
  const controller = vscode.tests.createTestController('kvcmd', 'kvcmd scripts');
  const disposables: vscode.Disposable[] = [controller];
  const ended = new vscode.EventEmitter<ReadonlyMap<string, TestOutcome>>();
  disposables.push(ended);
  let last: ReadonlyMap<string, TestOutcome> = new Map();

  // ---- the items: folders, then scripts ----
  const folderLabel = (dir: vscode.Uri): string => {
    const ws = vscode.workspace.getWorkspaceFolder(dir);
    if (ws && ws.uri.toString() === dir.toString()) return ws.name;
    return vscode.workspace.asRelativePath(dir, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
  };

  const add = (script: vscode.Uri): vscode.TestItem => {
    const dir = script.with({ path: path.posix.dirname(script.path) });
    let folder = controller.items.get(dir.toString());
    if (!folder) {
      folder = controller.createTestItem(dir.toString(), folderLabel(dir), dir);
      controller.items.add(folder);
    }
    let item = folder.children.get(script.toString());
    if (!item) {
      item = controller.createTestItem(script.toString(), path.posix.basename(script.path), script);
      item.description = `expects ${path.posix.basename(siblingOf(script, EXPECTED_EXT).path)}`;
      folder.children.add(item);
    }
    return item;
  };

  const find = (script: vscode.Uri): vscode.TestItem | undefined => {
    const dir = script.with({ path: path.posix.dirname(script.path) });
    return controller.items.get(dir.toString())?.children.get(script.toString());
  };

  const remove = (script: vscode.Uri): void => {
    const dir = script.with({ path: path.posix.dirname(script.path) });
    const folder = controller.items.get(dir.toString());
    if (!folder) return;
    folder.children.delete(script.toString());
    if (folder.children.size === 0) controller.items.delete(folder.id);
  };

  /** One pair after a file event: an item while both files exist, none otherwise. */
  const updatePair = async (changed: vscode.Uri, kind: 'create' | 'change' | 'delete'): Promise<void> => {
    const script = changed.path.endsWith(SCRIPT_EXT) ? changed : siblingOf(changed, SCRIPT_EXT);
    if (vscode.workspace.getWorkspaceFolder(script) === undefined || script.path.includes('/node_modules/')) return;
    const both = (await exists(script)) && (await exists(siblingOf(script, EXPECTED_EXT)));
    if (!both) return remove(script);
    const item = find(script) ?? add(script);
    if (kind === 'change') controller.invalidateTestResults(item);
  };

  const refresh = async (): Promise<void> => {
    const [scripts, expected] = await Promise.all([
      vscode.workspace.findFiles(`**/*${SCRIPT_EXT}`, GLOB_EXCLUDE),
      vscode.workspace.findFiles(`**/*${EXPECTED_EXT}`, GLOB_EXCLUDE),
    ]);
    const expectedSet = new Set(expected.map((u) => u.toString()));
    const keep = new Set<string>();
    for (const s of scripts) {
      if (!expectedSet.has(siblingOf(s, EXPECTED_EXT).toString())) continue;
      keep.add(add(s).id);
    }
    const folders: vscode.TestItem[] = [];
    controller.items.forEach((f) => folders.push(f));
    for (const f of folders) {
      const gone: string[] = [];
      f.children.forEach((c) => void (keep.has(c.id) || gone.push(c.id)));
      for (const id of gone) f.children.delete(id);
      if (f.children.size === 0) controller.items.delete(f.id);
    }
    log.info(`testing: ${keep.size} script test(s) in the workspace`);
  };

  const watcher = vscode.workspace.createFileSystemWatcher(`**/*.{${SCRIPT_EXT.slice(1)},${EXPECTED_EXT.slice(1)}}`);
  disposables.push(
    watcher,
    watcher.onDidCreate((u) => void updatePair(u, 'create')),
    watcher.onDidChange((u) => void updatePair(u, 'change')),
    watcher.onDidDelete((u) => void updatePair(u, 'delete')),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void refresh()),
  );
  controller.refreshHandler = () => refresh();
  const ready = refresh().catch((err: unknown) => log.error(`testing: discovery failed: ${String(err)}`));
  controller.resolveHandler = async (item) => {
    if (!item) await ready;
  };

  const tests = (): vscode.TestItem[] => {
    const out: vscode.TestItem[] = [];
    controller.items.forEach((f) => f.children.forEach((c) => out.push(c)));
    return out;
  };

  /** The scripts a request asks for: its items (a folder stands for its scripts) or all, minus its exclusions. */
  const leavesOf = (request: vscode.TestRunRequest): vscode.TestItem[] => {
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    const out = new Map<string, vscode.TestItem>();
    const visit = (item: vscode.TestItem): void => {
      if (excluded.has(item.id)) return;
      if (item.children.size === 0 && item.uri?.path.endsWith(SCRIPT_EXT)) out.set(item.id, item);
      item.children.forEach(visit);
    };
    if (request.include) request.include.forEach(visit);
    else controller.items.forEach(visit);
    return [...out.values()];
  };

  // ---- running ----
  const runTests = async (gossip: GossipMode, request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> => {
    const items = leavesOf(request);
    const run = controller.createTestRun(request, `kvcmd (${gossip})`, true);
    const outcomes = new Map<string, TestOutcome>();
    const abort = new AbortController();
    const onCancel = token.onCancellationRequested(() => abort.abort());
    for (const item of items) run.enqueued(item);
    try {
      for (const item of items) {
        if (token.isCancellationRequested) {
          run.skipped(item);
          outcomes.set(item.id, { state: 'skipped', messages: [] });
          continue;
        }
        run.started(item);
        const outcome = await runOne(item, gossip, run, abort.signal);
        outcomes.set(item.id, outcome);
      }
    } finally {
      onCancel.dispose();
      run.end();
      last = outcomes;
      ended.fire(outcomes);
    }
  };

  const runOne = async (item: vscode.TestItem, gossip: GossipMode, run: vscode.TestRun, signal: AbortSignal): Promise<TestOutcome> => {
    const script = item.uri!;
    try {
      // An unsaved editor's text is what the user sees: run that.
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === script.toString());
      const config = readRunConfig(script);
      if (config.nodesError !== undefined) throw new Error(config.nodesError);
      const r = await runScriptTest({ script: script.fsPath, expected: siblingOf(script, EXPECTED_EXT).fsPath }, {
        gossip, seed: DEFAULT_TEST_SEED, backend: 'processes', signal,
        process: { entry: nodeMainPath, ...(config.nodePath ? { nodePath: config.nodePath } : {}) },
        ...(config.nodes ? { nodes: config.nodes } : {}),
        ...(doc?.isDirty ? { text: doc.getText() } : {}),
      });
      const crlf = (s: string): string => s.replace(/\r?\n/g, '\r\n');
      run.appendOutput(crlf(`${item.label}: seed ${r.seed}, gossip ${r.gossip}, ${Math.round(r.ms)} ms\n`), undefined, item);
      if (r.actual) run.appendOutput(crlf(r.actual), new vscode.Location(script, new vscode.Position(0, 0)), item);
      for (const w of r.warnings) run.appendOutput(crlf(`warning: ${w}\n`), undefined, item);
      if (r.mismatch && r.status === 'passed') run.appendOutput(crlf(`${r.mismatch.excerpt}\n`), undefined, item);
      if (r.cancelled) {
        run.skipped(item);
        return { state: 'skipped', messages: [], result: r };
      }
      if (r.status === 'passed') {
        run.passed(item, r.ms);
        return { state: 'passed', messages: [], result: r };
      }
      const messages = failureMessages(r);
      run.failed(item, messages.map((m) => toTestMessage(script, m)), r.ms);
      return { state: 'failed', messages, result: r };
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      run.errored(item, new vscode.TestMessage(text));
      return { state: 'errored', messages: [{ text }] };
    }
  };

  const profiles = {
    settled: controller.createRunProfile('Run (settled)', vscode.TestRunProfileKind.Run, (req, token) => runTests('settled', req, token), true),
    async: controller.createRunProfile('Run (async)', vscode.TestRunProfileKind.Run, (req, token) => runTests('async', req, token), false),
    off: controller.createRunProfile('Run (off)', vscode.TestRunProfileKind.Run, (req, token) => runTests('off', req, token), false),
    debug: controller.createRunProfile('Debug', vscode.TestRunProfileKind.Debug, async (req) => {
      // One debug session at a time: the first script asked for.
      const [item] = leavesOf(req);
      if (!item?.uri) return;
      const folder = vscode.workspace.getWorkspaceFolder(item.uri);
      await vscode.debug.startDebugging(folder, {
        type: 'kvcmd', request: 'launch', name: `Debug ${item.label}`, program: item.uri.fsPath, seed: DEFAULT_TEST_SEED,
      });
    }, true),
  };

  return {
    disposable: vscode.Disposable.from(...disposables),
    api: {
      controller, profiles, ready: ready.then(() => undefined), refresh, tests,
      onDidEndRun: ended.event, lastOutcomes: () => last,
    },
  };
}

/** A failed test's messages: diagnostics, the run's error, the output diff, the violations. */
export function failureMessages(r: ScriptTestResult): TestOutcome['messages'] {
  const out: TestOutcome['messages'] = [];
  for (const d of r.diagnostics) {
    if (d.severity === 'error') out.push({ text: `line ${d.range.start.line + 1}: error: ${d.message}`, line: d.range.start.line + 1 });
  }
  if (r.runError !== undefined) out.push({ text: `the run broke: ${r.runError}${r.nodeErrors ? `\n${r.nodeErrors}` : ''}` });
  if (r.expected === undefined && !r.hasErrors) out.push({ text: `no expected output: ${path.basename(r.test.expected)} does not exist (kvcmd test --update writes it)` });
  if (r.mismatch && r.gossip !== 'async') {
    const m = r.mismatch;
    out.push({
      text: `${m.summary} (seed ${r.seed}, gossip ${r.gossip}): expected ${m.expectedLine === undefined ? 'nothing' : JSON.stringify(m.expectedLine)}, got ${m.actualLine === undefined ? 'nothing' : JSON.stringify(m.actualLine)}`,
      expected: r.expected, actual: r.actual, line: m.scriptLine,
    });
  }
  for (const v of r.violations) out.push({ text: `${v.rule}: ${v.message}`, line: v.line });
  if (out.length === 0) out.push({ text: r.reasons.join('; ') || 'failed' });
  return out;
}

function toTestMessage(script: vscode.Uri, m: TestOutcome['messages'][number]): vscode.TestMessage {
  const msg = m.expected !== undefined && m.actual !== undefined ? vscode.TestMessage.diff(m.text, m.expected, m.actual) : new vscode.TestMessage(m.text);
  if (m.line !== undefined && m.line > 0) msg.location = new vscode.Location(script, new vscode.Position(m.line - 1, 0));
  return msg;
}
