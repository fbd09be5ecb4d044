// What a new user met in the editor: the join snippet's placeholder, Run to here, the Cluster
// view's key order and counters after Stop, the status bar's count.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as VSCode from 'vscode';
import type { RunOutcome, RunRecord } from '../../../extension/runs';
import type { ClusterNode } from '../../../extension/clusterTree';
import { EXTENSION_ID, fixture, kvcmdApi, suite, test, vscode, waitFor } from './host';

function asRecord(outcome: RunOutcome): RunRecord {
  assert.ok(outcome && outcome.state !== 'refused', `the run did not start: ${JSON.stringify(outcome)}`);
  return outcome as RunRecord;
}

const labelOf = (i: VSCode.CompletionItem) => (typeof i.label === 'string' ? i.label : i.label.label);

/** A script in a scratch folder of its own (not the workspace, not samples/). */
function scratch(name: string, text: string): VSCode.Uri {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-editor-test-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return vscode.Uri.file(file);
}

async function closeAllEditors(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isUntitled && d.isDirty)) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

suite('editor: snippets, run to here, cluster view', () => {
  suiteTeardown(closeAllEditors);

  test('in an empty file completion offers joinServer (not put or killServer), and its snippet inserts a fresh id without error', async () => {
    await kvcmdApi();
    const doc = await vscode.workspace.openTextDocument({ language: 'kvcmd', content: '' });
    const editor = await vscode.window.showTextDocument(doc);
    const items = await waitFor('command completions', async () => {
      const list = await vscode.commands.executeCommand<VSCode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(0, 0));
      const ours = list.items.filter((i) => i.kind === vscode.CompletionItemKind.Keyword);
      return ours.length ? ours : undefined;
    }, 15_000);
    const labels = items.map(labelOf);
    assert.ok(labels.includes('joinServer'), labels.join(' '));
    for (const never of ['put', 'get', 'killServer', 'printStore']) assert.ok(!labels.includes(never), `${never} offered in an empty file`);
    const join = items.find((i) => labelOf(i) === 'joinServer')!;
    assert.ok(join.insertText instanceof vscode.SnippetString, 'a snippet');
    assert.ok(await editor.insertSnippet(join.insertText, new vscode.Position(0, 0)));
    assert.equal(doc.getText(), 'joinServer 0');
    // Then joinClient's snippet: a fresh id and the live server.
    await editor.edit((e) => e.insert(new vscode.Position(0, doc.lineAt(0).text.length), '\n'));
    const next = await waitFor('joinClient offered', async () => {
      const list = await vscode.commands.executeCommand<VSCode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(1, 0));
      return list.items.find((i) => labelOf(i) === 'joinClient');
    }, 15_000);
    assert.ok(await editor.insertSnippet(next.insertText as VSCode.SnippetString, new vscode.Position(1, 0)));
    assert.equal(doc.getText(), 'joinServer 0\njoinClient 1 0');
    await new Promise((r) => setTimeout(r, 500));
    await waitFor('no diagnostics', () => vscode.languages.getDiagnostics(doc.uri).length === 0, 10_000);
  });

  test('Run to here: a context-menu entry, a gutter entry and a keybinding, no lens per line; the gutter runs up to the line clicked', async () => {
    const api = await kvcmdApi();
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { menus: Record<string, { command: string; when?: string }[]>; keybindings: { command: string; key: string; mac?: string; when?: string }[] };
    };
    for (const menu of ['editor/context', 'editor/lineNumber/context']) {
      const entry = pkg.contributes.menus[menu]?.find((m) => m.command === 'kvcmd.runToLine');
      assert.ok(entry, `kvcmd.runToLine in ${menu}`);
      assert.match(entry.when ?? '', /editorLangId == kvcmd/);
    }
    const key = pkg.contributes.keybindings.find((k) => k.command === 'kvcmd.runToLine');
    assert.deepEqual(key && [key.key, key.mac], ['ctrl+alt+enter', 'cmd+alt+enter']);
    assert.match(key?.when ?? '', /editorLangId == kvcmd/);

    const uri = fixture('hello.kvcmd');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const lenses = await vscode.commands.executeCommand<VSCode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    assert.equal(lenses.length, 1);
    // The gutter's menu passes { lineNumber (1-based), uri }: line 4 is `joinClient 5 0`.
    editor.selection = new vscode.Selection(7, 0, 7, 0);
    const record = asRecord(await vscode.commands.executeCommand<RunOutcome>('kvcmd.runToLine', { lineNumber: 4, uri }));
    assert.equal(record.toLine, 3);
    assert.deepEqual(record.commands.map((c) => c.name), ['joinServer', 'joinServer', 'joinClient']);
    // The keybinding and the editor's menu pass nothing or the file: the cursor's line.
    editor.selection = new vscode.Selection(4, 0, 4, 0);
    const byCursor = asRecord(await vscode.commands.executeCommand<RunOutcome>('kvcmd.runToLine'));
    assert.deepEqual(byCursor.commands.map((c) => c.name), ['joinServer', 'joinServer', 'joinClient', 'put']);
    assert.equal(api.runs.isRunning(), false);
  });

  test('the cluster view lists keys in natural order (k0, k1, k2, k10); printStore keeps plain order', async () => {
    const api = await kvcmdApi();
    const uri = scratch('natural.kvcmd', 'joinServer 0\njoinClient 1 0\nput 1 k10 a\nput 1 k2 b\nput 1 k1 c\nput 1 k0 d\nput 1 x e\nprintStore 0\n');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const record = asRecord(await vscode.commands.executeCommand<RunOutcome>('kvcmd.run', uri));
    assert.equal(record.state, 'ok');
    assert.equal(record.stdout, 'k0:d\nk1:c\nk10:a\nk2:b\nx:e\n');
    const tree = api.clusterTree;
    await waitFor('the tree shows this run', () => tree.current?.record === record);
    const keys = tree.getChildren(tree.node({ kind: 'server', id: 0 })).map((n) => (n as Extract<ClusterNode, { kind: 'key' }>).key);
    assert.deepEqual(keys, ['k0', 'k1', 'k2', 'k10', 'x']);
    const deps = tree.getChildren(tree.node({ kind: 'client', id: 1 })).map((n) => (n as Extract<ClusterNode, { kind: 'dep' }>).key);
    assert.deepEqual(deps, ['k0', 'k1', 'k2', 'k10', 'x']);
  });

  test('servers keep their last known Lamport counters when a run is stopped', async () => {
    const api = await kvcmdApi();
    const uri = scratch('stopped.kvcmd', 'joinServer 0\njoinServer 1\njoinClient 5 0\nput 5 k v\nput 5 j w\nsleep 20000\nget 5 k\n');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const pending = vscode.commands.executeCommand<RunOutcome>('kvcmd.run', uri);
    const tree = api.clusterTree;
    const before = await waitFor('both puts applied and gossiped, counters known', () => {
      const m = tree.current?.model;
      const counters = [0, 1].map((id) => m?.servers.get(id)?.counter);
      return tree.current?.record.events.filter((e) => e.type === 'put').length === 2 && counters.every((c) => (c ?? 0) > 0) ? counters : undefined;
    }, 15_000);
    const descriptions = () => [0, 1].map((id) => String(tree.getTreeItem(tree.node({ kind: 'server', id })).description));
    await vscode.commands.executeCommand('kvcmd.stop', uri);
    const outcome = asRecord(await pending);
    assert.equal(outcome.state, 'stopped');
    await new Promise((r) => setTimeout(r, 300));
    const m = tree.current!.model;
    assert.deepEqual([0, 1].map((id) => m.servers.get(id)?.counter), before);
    descriptions().forEach((d, i) => assert.match(d, new RegExp(`counter ${before[i]}`), d));
  });

  test('the status bar counts commands, not lines, and times with formatMs', async () => {
    // Loaded here, not at the top: in plain Node (the root `npm test`) this file must load without `vscode`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { statusText } = require('../../../extension/statusBar') as typeof import('../../../extension/statusBar');
    const commands = Array.from({ length: 28 }, () => ({})) as unknown as RunRecord['commands'];
    assert.equal(statusText({ commands, failures: 0, ms: 1234, seed: 9 }), 'kvcmd: ✓ 28 commands, 1.2 s, seed 9');
    assert.equal(statusText({ commands: commands.slice(0, 1), failures: 2, ms: 80.4, seed: 9 }), 'kvcmd: ⚠ 1 command, 2 failed, 80 ms, seed 9');
  });
});
