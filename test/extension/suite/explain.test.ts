// What the language server shows after a run, in a real VS Code: an inlay hint at the end of every
// get line with what it printed, and "why" hovers (record/explain.ts) that name the lines involved:
// for a stale read the newer write and the cut link, for ERR_DEP the line that set the dependency.
// Fixture: test/fixtures/extension/stale-read.kvcmd (its line numbers matter here).
import * as assert from 'node:assert/strict';
import type * as VSCode from 'vscode';
import type { RunOutcome, RunRecord } from '../../../extension/runs';
import { fixture, kvcmdApi, screenshot, setKvcmdSettings, sleep, suite, test, vscode, waitFor } from './host';

/** A screenshot with the side bar and the bottom panel out of the way; both come back afterwards. */
async function shootWide(name: string): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeSidebar');
  await vscode.commands.executeCommand('workbench.action.closePanel');
  await sleep(1000);
  await screenshot(name);
  await vscode.commands.executeCommand('workbench.view.explorer');
  await vscode.commands.executeCommand('workbench.action.togglePanel');
}

const labelOf = (h: VSCode.InlayHint): string => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''));

async function hoverText(uri: VSCode.Uri, pos: VSCode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<VSCode.Hover[]>('vscode.executeHoverProvider', uri, pos);
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

/** Closes every editor; scratch documents of earlier suites are reverted first, so no save dialog comes up. */
async function closeAllEditors(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isUntitled && d.isDirty)) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

suite('run results in the editor: inlay hints and why-hovers', () => {
  const uri = fixture('stale-read.kvcmd');
  let record: RunRecord;
  let doc: VSCode.TextDocument;
  /** The 1-based line starting with `text`. */
  const line = (text: string): number => {
    const i = [...Array(doc.lineCount).keys()].find((l) => doc.lineAt(l).text.startsWith(text));
    assert.ok(i !== undefined, `no line '${text}' in the fixture`);
    return i + 1;
  };

  suiteSetup(async function () {
    const api = await kvcmdApi();
    if (!api.languageClient) return this.skip(); // no bundled language server: no hints, no hovers
    await setKvcmdSettings({ seed: '7', gossip: 'settled' });
    doc = await vscode.workspace.openTextDocument(uri);
    await closeAllEditors();
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    const outcome = await vscode.commands.executeCommand<RunOutcome>('kvcmd.run', uri);
    assert.ok(outcome && outcome.state !== 'refused', `the run did not start: ${JSON.stringify(outcome)}`);
    record = outcome as RunRecord;
    assert.equal(record.state, 'ok', record.error);
    assert.equal(record.stdout, 'color:red\nsize:ERR_DEP\ncolor:blue\n', 'the fixture does what it says');
  });

  test('every get line ends with a hint holding what the run printed for it', async () => {
    const whole = new vscode.Range(0, 0, doc.lineCount, 0);
    const getLines = [...Array(doc.lineCount).keys()].filter((i) => /^get /.test(doc.lineAt(i).text));
    assert.equal(getLines.length, 3);
    const hints = await waitFor('a hint on every get line', async () => {
      const hs = (await vscode.commands.executeCommand<VSCode.InlayHint[]>('vscode.executeInlayHintProvider', uri, whole)) ?? [];
      return getLines.every((l) => hs.some((h) => h.position.line === l)) ? hs : undefined;
    }, 15_000);
    for (const l0 of getLines) {
      const printed = record.events.flatMap((e) => (e.type === 'stdout' && e.line === l0 + 1 ? [e.text] : []));
      assert.equal(printed.length, 1, `line ${l0 + 1} printed one line`);
      const h = hints.find((x) => x.position.line === l0)!;
      assert.ok(labelOf(h).startsWith(`→ ${printed[0]}`), `line ${l0 + 1}: '${labelOf(h)}' shows '${printed[0]}'`);
      assert.equal(h.position.character, doc.lineAt(l0).text.length, 'at the end of the line');
    }
    assert.match(labelOf(hints.find((h) => h.position.line === line('get 10 color') - 1)!), /^→ color:red \(\d+,0\) from server 0$/);
    assert.equal(labelOf(hints.find((h) => h.position.line === line('get 10 size') - 1)!), '→ size:ERR_DEP from server 1');
    assert.equal(hints.length, 3, 'only the get lines have hints (no printStore here)');

    // The picture: the script with its hints.
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
    const pos = new vscode.Position(line('get 10 color') - 1, 1);
    editor.selection = new vscode.Selection(pos, pos);
    editor.revealRange(new vscode.Range(0, 0, 0, 0), vscode.TextEditorRevealType.AtTop);
    await shootWide('inlay-hints');
  });

  test('a stale read\'s hover names the newer write\'s line and the line that cut the link', async () => {
    const pos = new vscode.Position(line('get 10 color') - 1, 1);
    const text = await waitFor('a why-hover on the stale read', async () => {
      const t = await hoverText(uri, pos);
      return /Why this result/.test(t) ? t : undefined;
    }, 15_000);
    assert.match(text, new RegExp(`That value was written by the put on line ${line('put 10 color red')} \\(client 10, color=red`));
    assert.match(text, new RegExp(`A newer write existed: the put on line ${line('put 11 color blue')} \\(client 11, color=blue`));
    assert.match(text, new RegExp(`It had not reached server 0: the link 0–1 was cut on line ${line('breakConnection 0 1')}\\b`));
  });

  test('an ERR_DEP hover names the line that set the dependency', async () => {
    const pos = new vscode.Position(line('get 10 size') - 1, 1);
    const text = await waitFor('a why-hover on the ERR_DEP get', async () => {
      const t = await hoverText(uri, pos);
      return /ERR\\?_DEP/.test(t) && /set on line/.test(t) ? t : undefined;
    }, 15_000);
    const set = line('put 10 size big');
    assert.match(text, new RegExp(`Client 10 depends on \\(\\d+,0\\) for size, set on line ${set}; server 1 holds nothing for it`));
    assert.match(text, new RegExp(`That dependency is the put on line ${set}\\b`));
    assert.match(text, new RegExp(`It had not reached server 1: the link 0–1 was cut on line ${line('breakConnection 0 1')}\\b`));
  });
});
