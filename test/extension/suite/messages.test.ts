// The Messages panel (kvcmd.showMessages): the message diagram of a run in a webview beside the
// script. The page is asked what it shows through its `stats` message (diagram/protocol.ts), and
// clicked through its `click` message, which dispatches a click where the arrow is drawn.
import * as assert from 'node:assert/strict';
import type * as VSCode from 'vscode';
import type { ClusterEvent } from '../../../record/events';
import type { RunOutcome, RunRecord } from '../../../extension/runs';
import type { MessagesPanelHandle } from '../../../extension/messagesPanel';
import { kvcmdApi, repoFile, screenshot, setKvcmdSettings, sleep, suite, test, vscode, waitFor } from './host';

type SendEvent = Extract<ClusterEvent, { type: 'send' }>;

const sends = (r: RunRecord): SendEvent[] => r.events.filter((e): e is SendEvent => e.type === 'send');

async function run(uri: VSCode.Uri): Promise<RunRecord> {
  const outcome = await vscode.commands.executeCommand<RunOutcome>('kvcmd.run', uri);
  assert.ok(outcome && outcome.state !== 'refused', `the run did not start: ${JSON.stringify(outcome)}`);
  const record = outcome as RunRecord;
  assert.equal(record.state, 'ok', record.error);
  return record;
}

function editorOf(uri: VSCode.Uri): VSCode.TextEditor {
  const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  assert.ok(editor, `${uri.path} is not visible`);
  return editor;
}

/** The panel's page, once it shows `record` in full. */
async function panelShowing(record: RunRecord): Promise<MessagesPanelHandle> {
  const api = await kvcmdApi();
  const panel = await waitFor('the Messages panel', () => api.messagesPanel());
  await waitFor('the panel to show the run', () => panel.record === record);
  await panel.ready();
  const want = sends(record).length;
  await waitFor(`${want} arrows on the page`, async () => {
    const s = await panel.stats();
    return s.total === want && s.arrows === want;
  });
  return panel;
}

/** Closes every editor; scratch documents of earlier suites are reverted first, so no save dialog comes up. */
async function closeAllEditors(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isUntitled && d.isDirty)) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

suite('Messages panel', () => {
  const uri = repoFile('samples/03-partition.kvcmd');
  let record: RunRecord;

  suiteSetup(async () => {
    await kvcmdApi();
    await setKvcmdSettings({ seed: '7', gossip: 'settled' });
  });

  suiteTeardown(async () => {
    // Leave the workbench as the other suites expect it: no webview beside the editors.
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        if (tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('kvcmd.messages')) await vscode.window.tabGroups.close(tab);
      }
    }
  });

  test('samples/03-partition: the panel opens beside the script with one arrow per message of the run', async () => {
    await closeAllEditors();
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
    record = await run(uri);
    assert.ok(sends(record).length > 20, 'the partition sample sends messages');
    await vscode.commands.executeCommand('kvcmd.showMessages');
    const panel = await panelShowing(record);
    assert.equal(panel.visible, true);
    assert.equal(panel.uri?.toString(), uri.toString());
    assert.deepEqual(panel.fromPage[0], { type: 'ready' });
    // Beside the script: the script keeps its column and stays visible.
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => ({ t, col: g.viewColumn })))
      .find(({ t }) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('kvcmd.messages'));
    assert.ok(tab, 'a webview tab');
    assert.notEqual(tab.col, editor.viewColumn, 'the panel is in another column');
    assert.equal(editorOf(uri).viewColumn, editor.viewColumn);
  });

  test('clicking an arrow in the page selects its line in the script', async () => {
    const api = await kvcmdApi();
    const panel = api.messagesPanel()!;
    const editor = editorOf(uri);
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    // That cursor move reaches the page as a highlight of line 1: let it land before the click.
    await waitFor('line 1 highlighted', async () => (await panel.stats()).highlightLine === 1);
    // The put of `put 13 color orange` (line 16): a message of a line that is not the cursor's.
    const target = sends(record).find((e) => e.kind === 'put' && e.line === 16);
    assert.ok(target, 'a put sent on line 16');
    const before = panel.fromPage.length;
    const after = await panel.click(target.msg);
    assert.equal(after.selectedMsg, target.msg, 'the click hit that arrow');
    assert.match(after.selected ?? '', new RegExp(`message ${target.msg.replace('.', '\\.')}:`));
    await waitFor('the reveal message', () => panel.fromPage.slice(before).some((m) => m.type === 'reveal' && m.line === 16));
    await waitFor('the cursor on line 16', () => editorOf(uri).selection.active.line === 15);
    const sel = editorOf(uri).selection;
    assert.equal(sel.start.line, 15);
    assert.equal(editorOf(uri).document.lineAt(15).text.trim().startsWith('put 13 color orange'), true);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString(), 'the script has the focus');
    // The page highlights what it revealed.
    assert.equal((await panel.stats()).highlightLine, 16);
  });

  test('moving the cursor in the script highlights that line\'s messages in the page', async () => {
    const api = await kvcmdApi();
    const panel = api.messagesPanel()!;
    // The first stabilize: a line with many messages.
    const doc = editorOf(uri).document;
    const line = [...Array(doc.lineCount).keys()].find((i) => doc.lineAt(i).text.trim() === 'stabilize')! + 1;
    const want = sends(record).filter((e) => e.line === line).map((e) => e.msg);
    assert.ok(want.length > 2, 'stabilize sends messages');
    editorOf(uri).selection = new vscode.Selection(line - 1, 3, line - 1, 3);
    const stats = await waitFor(`line ${line} highlighted`, async () => {
      const s = await panel.stats();
      return s.highlightLine === line ? s : undefined;
    });
    assert.deepEqual(stats.highlighted, want);
    // A line without messages: nothing highlighted, the line still is.
    editorOf(uri).selection = new vscode.Selection(8, 0, 8, 0);
    const none = await waitFor('line 9 highlighted', async () => {
      const s = await panel.stats();
      return s.highlightLine === 9 ? s : undefined;
    });
    assert.deepEqual(none.highlighted, []);

    // The picture: the script with the panel beside it (given more room), the put of line 15 highlighted.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.window.showTextDocument(editorOf(uri).document, { viewColumn: editorOf(uri).viewColumn, preserveFocus: false });
    for (let i = 0; i < 3; i++) await vscode.commands.executeCommand('workbench.action.decreaseViewWidth');
    await sleep(500);
    editorOf(uri).selection = new vscode.Selection(14, 0, 14, 0);
    await waitFor('line 15 highlighted', async () => (await panel.stats()).highlightLine === 15);
    await sleep(700);
    await screenshot('messages-panel');
    await vscode.commands.executeCommand('workbench.action.evenEditorWidths');
    await vscode.commands.executeCommand('workbench.view.explorer');
    await vscode.commands.executeCommand('workbench.action.togglePanel');
  });

  test('a new run starts the diagram over and follows it to its end', async () => {
    const api = await kvcmdApi();
    const again = await run(uri);
    assert.notEqual(again, record);
    const panel = await panelShowing(again);
    const s = await panel.stats();
    assert.equal(s.total, sends(again).length, 'the old run\'s arrows are gone');
    assert.equal(api.messagesPanel()?.record, again);
    record = again;
  });

  test('retargeted to another file, the panel follows that file\'s next run from its start', async () => {
    await closeAllEditors();
    const other = repoFile('samples/01-fully-connected.kvcmd');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(other), vscode.ViewColumn.One);
    const api = await kvcmdApi();
    await vscode.commands.executeCommand('kvcmd.showMessages', other);
    const panel = await waitFor('the panel', () => api.messagesPanel());
    await waitFor('the panel shows the other file', () => panel.uri?.toString() === other.toString());
    const atStart: boolean[] = [];
    const sub = api.runs.onDidStartRun((r) => atStart.push(panel.record === r && r.events.length === 0));
    try {
      const done = await run(other);
      assert.deepEqual(atStart, [true], 'the page started over with the run, before its first event');
      await panelShowing(done);
    } finally {
      sub.dispose();
    }
  });
});
