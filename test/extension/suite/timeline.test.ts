// The Cluster view as of a script line (record/timeline.ts): following the cursor, "Show Cluster
// at Line…", the way each write arrived in a key's tooltip, and a key's history.
import * as assert from 'node:assert/strict';
import type * as VSCode from 'vscode';
import type { ClusterNode } from '../../../extension/clusterTree';
import type { HistoryItem } from '../../../extension/keyHistory';
import type { RunOutcome, RunRecord } from '../../../extension/runs';
import { kvcmdApi, repoFile, screenshot, setKvcmdSettings, sleep, suite, test, vscode, waitFor } from './host';

type Api = Awaited<ReturnType<typeof kvcmdApi>>;

// samples/04-dead-server.kvcmd, seed 7, gossip settled: line 13 `put 11 a 1` (client 11 on server 1),
// line 14 `put 12 b 2`, line 17 `killServer 0`, line 18 `put 11 c 3`, line 19 `put 12 d 4`,
// line 22 `stabilize`, line 28 `joinServer 0`, line 29 `stabilize`, line 31 the last command.
const SAMPLE = 'samples/04-dead-server.kvcmd';

function servers(api: Api): Extract<ClusterNode, { kind: 'server' }>[] {
  const tree = api.clusterTree;
  const group = tree.getChildren().find((n) => n.kind === 'group' && n.group === 'servers');
  return tree.getChildren(group) as Extract<ClusterNode, { kind: 'server' }>[];
}

function server(api: Api, id: number): Extract<ClusterNode, { kind: 'server' }> {
  const s = servers(api).find((n) => n.id === id);
  assert.ok(s, `no server ${id} in the tree`);
  return s;
}

/** The key labels ("a: 1") the tree shows under a server. */
function keys(api: Api, id: number): string[] {
  const tree = api.clusterTree;
  return tree.getChildren(server(api, id)).map((k) => String(tree.getTreeItem(k).label));
}

function keyNode(api: Api, id: number, key: string): ClusterNode {
  const k = api.clusterTree.getChildren(server(api, id)).find((n) => n.kind === 'key' && n.key === key);
  assert.ok(k, `server ${id} shows no key ${key}`);
  return k;
}

function tooltip(api: Api, node: ClusterNode): string {
  return (api.clusterTree.getTreeItem(node).tooltip as VSCode.MarkdownString).value;
}

async function runSample(api: Api): Promise<{ record: RunRecord; editor: VSCode.TextEditor }> {
  const uri = repoFile(SAMPLE);
  const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  const record = (await vscode.commands.executeCommand<RunOutcome>('kvcmd.run', uri)) as RunRecord;
  assert.equal(record?.state, 'ok', record?.error);
  await waitFor('the tree shows this run', () => api.clusterTree.current?.record === record);
  return { record, editor };
}

/** Puts the cursor on a 1-based line of the editor showing the document. */
async function cursorTo(editor: VSCode.TextEditor, line: number): Promise<VSCode.TextEditor> {
  const shown = await vscode.window.showTextDocument(editor.document, { preserveFocus: false });
  const pos = new vscode.Position(line - 1, 0);
  shown.selection = new vscode.Selection(pos, pos);
  shown.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return shown;
}

suite('the cluster as of a line', () => {
  suiteSetup(async () => {
    await kvcmdApi();
    await setKvcmdSettings({ seed: '7', gossip: 'settled' });
  });
  // Later suites (and the README's screenshots) expect the final cluster.
  teardown(() => vscode.commands.executeCommand('kvcmd.unfollowCursor'));

  test('following the cursor, the view shows the cluster as of the cursor\'s line and says which', async () => {
    const api = await kvcmdApi();
    const view = api.clusterView;
    let { editor } = await runSample(api);
    const finalKeys = keys(api, 1);
    assert.deepEqual(finalKeys, ['a: 1', 'b: 2', 'c: 3', 'd: 4']);
    assert.match(String(view.description), /^final · /);

    assert.equal(await vscode.commands.executeCommand('kvcmd.toggleFollowCursor'), true);
    editor = await cursorTo(editor, 13);
    await waitFor('the view follows to line 13', () => /^as of line 13 · /.test(String(view.description)));
    assert.equal(api.clusterTree.shownLine, 13);
    assert.deepEqual(keys(api, 1), ['a: 1'], 'after line 13 server 1 holds only the first write');
    assert.equal(api.clusterTree.getChildren(server(api, 2)).length, 1);
    assert.doesNotMatch(String(api.clusterTree.getTreeItem(server(api, 0)).description), /killed/);

    editor = await cursorTo(editor, 17);
    await waitFor('the view follows to line 17', () => /^as of line 17 · /.test(String(view.description)));
    assert.match(String(api.clusterTree.getTreeItem(server(api, 0)).description), /killed on line 17/);
    assert.deepEqual(keys(api, 1), ['a: 1', 'b: 2']);

    // A comment line shows the cluster after the command above it.
    editor = await cursorTo(editor, 20);
    await waitFor('the view follows to line 20', () => /^as of line 20 · /.test(String(view.description)));
    assert.deepEqual(keys(api, 1), ['a: 1', 'b: 2', 'c: 3']);

    // The picture of the view following the cursor, server 1 open; earlier tests' scratch documents closed.
    for (const doc of vscode.workspace.textDocuments.filter((d) => d.isUntitled)) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await vscode.commands.executeCommand('workbench.view.extension.kvcmd');
    await view.reveal(server(api, 1), { expand: true, select: true, focus: false });
    editor = await cursorTo(editor, 19);
    await waitFor('the view follows to line 19', () => /^as of line 19 · /.test(String(view.description)));
    assert.match(String(api.clusterTree.getTreeItem(api.clusterTree.getChildren()[0]).description), /^as of line 19 · /);
    await sleep(500);
    await screenshot('cluster-follow-cursor');

    editor = await cursorTo(editor, 31);
    await waitFor('the view follows to the last line', () => /^as of line 31 · /.test(String(view.description)));
    assert.deepEqual(keys(api, 1), finalKeys);

    assert.equal(await vscode.commands.executeCommand('kvcmd.toggleFollowCursor'), false);
    assert.match(String(view.description), /^final · /);
    await cursorTo(editor, 13);
    await sleep(200);
    assert.deepEqual(keys(api, 1), finalKeys, 'no longer following: the final cluster stays');
  });

  test('Show Cluster at Line… shows a chosen line, then the final cluster', async () => {
    const api = await kvcmdApi();
    await runSample(api);
    assert.equal(await vscode.commands.executeCommand('kvcmd.showClusterAtLine', 14), 14);
    assert.match(String(api.clusterView.description), /^as of line 14 · /);
    assert.deepEqual(keys(api, 3), ['a: 1', 'b: 2']);
    assert.equal(await vscode.commands.executeCommand('kvcmd.showClusterAtLine', 'final'), 'final');
    assert.match(String(api.clusterView.description), /^final · /);
    assert.deepEqual(keys(api, 3), ['a: 1', 'b: 2', 'c: 3', 'd: 4']);
  });

  test('a key\'s tooltip names the way the write arrived', async () => {
    const api = await kvcmdApi();
    await runSample(api);
    assert.match(tooltip(api, keyNode(api, 1, 'a')), /arrival: put by client 11 on line 13/);
    assert.match(tooltip(api, keyNode(api, 3, 'a')), /arrival: by gossip from server 0 \(put on line 13\)/);
    assert.match(tooltip(api, keyNode(api, 0, 'c')), /arrival: by stabilize on line 29/);
    for (const s of servers(api)) {
      for (const k of api.clusterTree.getChildren(s)) assert.doesNotMatch(tooltip(api, k), /gossip or stabilize/);
    }
  });

  test('Show History lists every write a server kept for a key and marks the one held', async () => {
    const api = await kvcmdApi();
    await runSample(api);
    // Server 0 got `a` by gossip, died on line 17, joined again on line 28 and got it back by stabilize.
    const items = await vscode.commands.executeCommand<HistoryItem[]>('kvcmd.showKeyHistory', keyNode(api, 0, 'a'));
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.deepEqual(items.map((i) => [i.line, i.held]), [[13, false], [29, true]]);
    assert.match(String(items[0].detail), /by gossip from server 1 \(put on line 13\)/);
    assert.match(String(items[1].detail), /by stabilize on line 29/);
    assert.match(String(items[1].description), /\(\d+,1\) · line 29 · held now/);

    // As of line 14 the history stops there too.
    await vscode.commands.executeCommand('kvcmd.showClusterAtLine', 14);
    const early = await vscode.commands.executeCommand<HistoryItem[]>('kvcmd.showKeyHistory', keyNode(api, 0, 'a'));
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.deepEqual(early.map((i) => [i.line, i.held]), [[13, true]]);
    await vscode.commands.executeCommand('kvcmd.showClusterAtLine', 'final');
  });
});
