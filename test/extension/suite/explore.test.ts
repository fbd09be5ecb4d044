// "kvcmd: Explore Outcomes" in a real VS Code: on a script whose two writes race in async gossip
// mode, the language server explores every schedule, each get line shows its possible results
// inline with how many schedules give each, and a result's witness opens in the Messages panel
// (the model's run under that schedule) and in the debugger.
import * as assert from 'node:assert/strict';
import type * as VSCode from 'vscode';
import type { ExploreOutcomes, WitnessTarget } from '../../../lsp/customMessages';
import type { WitnessRun } from '../../../extension/exploreOutcomes';
import { fixture, kvcmdApi, screenshot, setKvcmdSettings, suite, test, vscode, waitFor, resetWorkbench } from './host';

const labelOf = (h: VSCode.InlayHint): string => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''));

/** The inline outcomes on the document (the `⟂` hints; the live prediction's `≈` ones are left aside). */
async function outcomeHints(uri: VSCode.Uri): Promise<VSCode.InlayHint[]> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const whole = new vscode.Range(0, 0, doc.lineCount, 0);
  const hints = await vscode.commands.executeCommand<VSCode.InlayHint[]>('vscode.executeInlayHintProvider', uri, whole);
  return hints.filter((h) => labelOf(h).startsWith('⟂'));
}

suite('Explore Outcomes', () => {
  const uri = fixture('race.kvcmd');
  let result: ExploreOutcomes;
  type DapEvent = { type?: string; event?: string; body?: { reason?: string; category?: string; output?: string } };
  const debugEvents: DapEvent[] = [];
  let tracker: VSCode.Disposable | undefined;

  suiteSetup(async () => {
    await kvcmdApi();
    await setKvcmdSettings({ gossip: 'async', seed: '' });
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('kvcmd', {
      createDebugAdapterTracker: () => ({ onDidSendMessage: (m: DapEvent) => void (m.type === 'event' && debugEvents.push(m)) }),
    });
  });

  suiteTeardown(async () => {
    tracker?.dispose();
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    await setKvcmdSettings({ gossip: 'settled' });
    await resetWorkbench();
  });

  test('the command is in the editor title and context menus of kvcmd files; kvcmd hints are never cut', () => {
    const pkg = vscode.extensions.getExtension('kvcmd.kvcmd')!.packageJSON as { contributes: { menus: Record<string, { command: string; when?: string }[]> } };
    for (const menu of ['editor/title', 'editor/context', 'commandPalette']) {
      const entry = pkg.contributes.menus[menu]?.find((m) => m.command === 'kvcmd.exploreOutcomes');
      assert.ok(entry, `kvcmd.exploreOutcomes in ${menu}`);
      assert.match(entry.when ?? '', /editorLangId == kvcmd/);
    }
    // The outcomes are read whole: VS Code would cut a hint after 43 characters.
    assert.equal(vscode.workspace.getConfiguration('editor', { languageId: 'kvcmd' }).get('inlayHints.maximumLength'), 0);
  });

  test('on racing writes in async mode: every get line shows its possible results and how many schedules give each', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
    // The active file, as the editor title's button runs it.
    const r = await vscode.commands.executeCommand<ExploreOutcomes>('kvcmd.exploreOutcomes');
    assert.ok(r, 'a result');
    result = r;
    assert.equal(result.state, 'done', result.error);
    assert.equal(result.gossip, 'async');
    assert.ok(result.exhaustive, 'exhaustive');
    assert.deepEqual(result.outcomes.map((o) => o.stdout).sort(), ['k:a\nk:a\n', 'k:a\nk:b\n', 'k:b\nk:b\n']);
    const hints = await waitFor('the inline outcomes', async () => {
      const hs = await outcomeHints(uri);
      return hs.length === 2 && hs;
    });
    assert.deepEqual(hints.map((h) => h.position.line), [7, 8]);
    for (const h of hints) {
      const line = result.lines.find((l) => l.line === h.position.line + 1)!;
      const [first, second] = line.outcomes;
      assert.equal(labelOf(h), `⟂ 2 outcomes: ${first.text} (${first.count} schedules) | ${second.text} (${second.count})`);
      assert.deepEqual(line.outcomes.map((o) => o.text).sort(), ['k:a', 'k:b']);
    }
    await screenshot('explore-outcomes');
  });

  test('a result\'s witness opens in the Messages panel: the model run under that schedule, which prints that result', async () => {
    const api = await kvcmdApi();
    // The commands of the label parts, as the language server sends them (vscode.executeInlayHintProvider
    // hands hints back without their parts' commands; the editor itself keeps them).
    type LspPart = { value: string; command?: { command: string; arguments?: unknown[] } };
    const lspHints = await api.languageClient!.sendRequest<{ position: { line: number }; label: string | LspPart[] }[]>('textDocument/inlayHint', {
      textDocument: { uri: api.languageClient!.code2ProtocolConverter.asUri(uri) }, range: { start: { line: 7, character: 0 }, end: { line: 7, character: 20 } },
    });
    const first = lspHints.find((h) => typeof h.label !== 'string' && h.label[0].value.startsWith('⟂'));
    assert.ok(first && typeof first.label !== 'string', 'the inline outcomes of line 8');
    const clickable = first.label.filter((p) => p.command);
    assert.equal(clickable.length, 2);
    // The less frequent result of `get 10 k` (line 8): what the click on it runs, with the diagram chosen.
    const command = clickable[1].command!;
    assert.equal(command.command, 'kvcmd.openWitness');
    const target = command.arguments![0] as WitnessTarget;
    const expected = result.lines.find((l) => l.line === 8)!.outcomes[1];
    assert.equal(target.witness, expected.witness);
    const run = await vscode.commands.executeCommand<WitnessRun>(command.command, ...command.arguments!, 'diagram');
    assert.ok(run, 'the witness ran');
    assert.equal(run.schedule, target.witness);
    assert.equal(run.stdout.split('\n')[0], expected.text, 'get 10 k prints that result under its witness');
    assert.ok(run.messages > 0);
    const panel = await waitFor('the Messages panel', () => api.messagesPanel());
    await waitFor('the panel to show the witness', () => panel.witness === target.witness);
    assert.equal(panel.uri?.toString(), uri.toString());
    await panel.ready();
    await waitFor(`${run.messages} arrows on the page`, async () => {
      const s = await panel.stats();
      return s.total === run.messages && s.arrows === run.messages;
    });
    await screenshot('explore-witness-diagram');
  });

  test('a witness opens in the debugger: async gossip on the model, following the schedule to the same output', async () => {
    const held = result.outcomes.find((o) => o.witness.includes('h'))!;
    const target: WitnessTarget = { uri: result.uri, witness: held.witness, seed: result.seed, gossip: result.gossip, label: 'test' };
    const from = debugEvents.length;
    const started = await vscode.commands.executeCommand<boolean>('kvcmd.openWitnessInDebugger', target);
    assert.equal(started, true);
    const session = await waitFor('the kvcmd debug session', () => vscode.debug.activeDebugSession?.type === 'kvcmd' && vscode.debug.activeDebugSession);
    assert.equal(session.configuration.schedule, held.witness);
    assert.equal(session.configuration.gossip, 'async');
    await waitFor('the stop on entry', () => debugEvents.slice(from).some((e) => e.event === 'stopped' && e.body?.reason === 'entry'), 15_000);
    const ended = new Promise<void>((resolve) => {
      const sub = vscode.debug.onDidTerminateDebugSession((s) => s.id === session.id && (sub.dispose(), resolve()));
    });
    await session.customRequest('continue', { threadId: 1 });
    await ended;
    const stdout = debugEvents.slice(from).filter((e) => e.event === 'output' && e.body?.category === 'stdout').map((e) => e.body!.output).join('');
    assert.equal(stdout, held.stdout);
  });
});
