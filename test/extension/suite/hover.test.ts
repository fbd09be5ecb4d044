// Lamport-stamp hovers: the extension pushes a run's results to the language server
// (RunResultsNotification), which renders them. Also shoots the README's screenshots.
import * as assert from 'node:assert/strict';
import type * as VSCode from 'vscode';
import type { ClusterEvent } from '../../../record/events';
import type { RunOutcome, RunRecord } from '../../../extension/runs';
import { kvcmdApi, repoFile, screenshot, setKvcmdSettings, sleep, suite, test, vscode, waitFor } from './host';

type GetEvent = Extract<ClusterEvent, { type: 'get' }>;

async function hoverText(uri: VSCode.Uri, pos: VSCode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<VSCode.Hover[]>('vscode.executeHoverProvider', uri, pos);
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

const stampRe = (s: { counter: number; server: number }) => new RegExp(`\\(\\s*${s.counter}\\s*,\\s*${s.server}\\s*\\)`);

suite('hovers after a run', () => {
  test('a get line\'s hover carries the stamp it read', async function () {
    const api = await kvcmdApi();
    if (!api.languageClient) return this.skip(); // no dist/languageServer.js bundled: nothing renders hovers
    await setKvcmdSettings({ seed: '7', gossip: 'settled' });
    const uri = repoFile('samples/01-fully-connected.kvcmd');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const record = (await vscode.commands.executeCommand<RunOutcome>('kvcmd.run', uri)) as RunRecord;
    assert.equal(record.state, 'ok');
    const get = record.events.find((e): e is GetEvent => e.type === 'get' && e.result.kind === 'value');
    assert.ok(get && get.result.kind === 'value');
    const pos = new vscode.Position(get.line - 1, 1);
    const text = await waitFor('a hover with the stamp', async () => {
      const t = await hoverText(uri, pos);
      return stampRe(get.result.kind === 'value' ? get.result.stamp : { counter: -1, server: -1 }).test(t) ? t : undefined;
    }, 15_000);
    assert.match(text, new RegExp(`server ${get.server}`));

    // The README's pictures: the cluster view with a server expanded, and the hover on that line.
    // Scratch documents of earlier tests would clutter them: revert and close those first.
    for (const doc of vscode.workspace.textDocuments.filter((d) => d.isUntitled)) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('workbench.view.extension.kvcmd');
    const tree = api.clusterTree;
    const servers = tree.getChildren(tree.getChildren().find((n) => n.kind === 'group' && n.group === 'servers'));
    const server = servers.find((s) => s.kind === 'server' && s.id === get.server) ?? servers[0];
    await api.clusterView.reveal(server, { expand: true, select: true, focus: false });
    await sleep(500);
    await screenshot('cluster-view');
    // showTextDocument may hand back a new TextEditor for the same document: move the cursor in that one.
    const shown = await vscode.window.showTextDocument(editor.document, { preserveFocus: false });
    shown.selection = new vscode.Selection(pos, pos);
    shown.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
    await sleep(300);
    await vscode.commands.executeCommand('editor.action.showHover');
    await sleep(1500);
    await screenshot('hover-get');
    await vscode.commands.executeCommand('editor.action.hideHover');
    await vscode.commands.executeCommand('kvcmd.showLog');
    await sleep(500);
    await screenshot('run-log');
  });
});
