// "Show History" on a store key of the Cluster view: every write that server kept for that key
// (the `applied` events of the record shown, up to the line shown), how each arrived, and which one it holds now.
// Picking one reveals the line that caused it.
import * as vscode from 'vscode';
import { formatStamp } from '../protocol/stamp';
import { arrivalText, type ClusterNode, type ClusterTreeProvider } from './clusterTree';

export type HistoryItem = vscode.QuickPickItem & { line: number; held: boolean };

export function registerKeyHistory(provider: ClusterTreeProvider): vscode.Disposable {
  return vscode.commands.registerCommand('kvcmd.showKeyHistory', (el?: ClusterNode): HistoryItem[] | undefined => {
    const h = el && provider.history(el);
    if (!h) return undefined;
    const other = provider.shownRecord;
    const shown = other ? ` (${other.label})` : provider.shownLine === undefined ? '' : ` up to line ${provider.shownLine}`;
    if (h.writes.length === 0) {
      void vscode.window.showInformationMessage(`kvcmd: the record holds no write of ${h.key} on server ${h.server}${shown}.`);
      return [];
    }
    const items = h.writes.map(({ event: e, held }): HistoryItem => ({
      label: `${held ? '$(pass-filled)' : '$(circle-large-outline)'} ${h.key} = ${e.value}`,
      description: `${formatStamp(e.stamp)} · line ${e.line}${held ? ' · held now' : ''}`,
      detail: arrivalText({ via: e.via, from: e.from, line: e.line }, provider.shownModel?.origin(e.stamp)?.line),
      line: e.line,
      held,
    }));
    const pick = vscode.window.createQuickPick<HistoryItem>();
    pick.title = `${h.key} on server ${h.server}: ${items.length} write(s) kept${shown}, oldest first`;
    pick.items = items;
    pick.activeItems = items.filter((i) => i.held);
    pick.onDidAccept(() => {
      const chosen = pick.selectedItems[0];
      pick.hide();
      if (chosen) void vscode.commands.executeCommand('kvcmd.revealLine', chosen.line);
    });
    pick.onDidHide(() => pick.dispose());
    pick.show();
    return items;
  });
}
