// "kvcmd: Compare Runs" (extension/compareView.ts): two protocols on compare/unseen-write.kvcmd
// open a diff of the two runs' results, marking the one line where lamport answers and vector
// says ERR_DEP, with each side's stamps.
import * as assert from 'node:assert/strict';
import type { CompareReport } from '../../../compare/compare';
import { fixture, kvcmdApi, suite, test, vscode, waitFor } from './host';

suite('compare runs', () => {
  test('two protocols side by side: a diff view of their results, parting at the unseen write', async () => {
    await kvcmdApi();
    const uri = fixture('compare/unseen-write.kvcmd');
    await vscode.window.showTextDocument(uri);
    const report = await vscode.commands.executeCommand<CompareReport>('kvcmd.compare', uri, { a: { protocol: 'lamport' }, b: { protocol: 'vector' } });
    assert.ok(report, 'the command returns its report');
    assert.equal(report.diverging, 1);
    assert.equal(report.firstDivergence, 16);
    const shown = await waitFor('both sides open in a diff', () => {
      const docs = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'kvcmd-compare');
      return docs.length >= 2 ? docs : undefined;
    });
    const left = shown.find((d) => d.uri.path.startsWith('/protocol lamport/'))!;
    const right = shown.find((d) => d.uri.path.startsWith('/protocol vector/'))!;
    assert.ok(left && right, shown.map((d) => d.uri.toString()).join(', '));
    assert.match(left.getText(), /^line 16 {2}get 5 k {2}→ {2}k:theirs3 {3}\[\(\d+,1\) from server 1/m);
    assert.match(right.getText(), /^line 16 {2}get 5 k {2}→ {2}k:ERR_DEP {3}\[server 1 holds \{1:3\}, which does not cover the dependency \{0:1\}\]/m);
    assert.match(right.getText(), /checker: no violations/);
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputTextDiff, 'the active tab is a diff');
    assert.match(tab.label, /unseen-write\.kvcmd: protocol lamport ↔ protocol vector/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
