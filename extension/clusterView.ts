// Registers the Cluster tree view (activity-bar container "kvcmd") and its actions: copy a key's
// value, reveal the script line that wrote it (or any line), a key's history, the cluster as of a line.
import * as vscode from 'vscode';
import { registerClusterAtLine } from './clusterAtLine';
import { ClusterTreeProvider, type ClusterNode } from './clusterTree';
import { registerKeyHistory } from './keyHistory';
import type { RunManager } from './runs';

export const CLUSTER_VIEW_ID = 'kvcmd.cluster';

export function registerClusterView(runs: RunManager): { provider: ClusterTreeProvider; view: vscode.TreeView<ClusterNode>; disposable: vscode.Disposable } {
  const provider = new ClusterTreeProvider(runs);
  const view = vscode.window.createTreeView(CLUSTER_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  const describe = () => (view.description = provider.summary());
  const disposable = vscode.Disposable.from(
    provider,
    view,
    provider.onDidChangeTreeData(describe),
    vscode.commands.registerCommand('kvcmd.copyValue', async (el?: ClusterNode) => {
      const value = el && provider.valueOf(el);
      if (value === undefined) return;
      await vscode.env.clipboard.writeText(value);
      vscode.window.setStatusBarMessage(`kvcmd: copied '${value}'`, 2000);
    }),
    registerClusterAtLine(provider, runs),
    registerKeyHistory(provider),
    vscode.commands.registerCommand('kvcmd.revealLine', async (el?: ClusterNode | number) => {
      const line = typeof el === 'number' ? el : el && provider.lineOf(el);
      const uri = provider.uri;
      if (line === undefined || !uri) return;
      const editor = await vscode.window.showTextDocument(uri, { preserveFocus: false });
      const range = editor.document.lineAt(Math.min(line - 1, editor.document.lineCount - 1)).range;
      editor.selection = new vscode.Selection(range.start, range.end);
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }),
  );
  return { provider, view, disposable };
}
