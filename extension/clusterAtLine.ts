// The Cluster view as of a script line: "Follow Cursor" (the context key `kvcmd.followCursor` holds
// its state) shows the cluster as of the cursor's line in the file of the run shown, and "Show
// Cluster at Line…" picks a line (or the final cluster) by hand.
import * as vscode from 'vscode';
import type { ClusterTreeProvider } from './clusterTree';
import { commandText } from '../language/commands';
import type { RunManager } from './runs';

export function registerClusterAtLine(provider: ClusterTreeProvider, runs: RunManager): vscode.Disposable {
  let following = false;
  const follow = (editor: vscode.TextEditor | undefined): void => {
    // The run's file: while a debug session's record is shown, provider.uri is that session's.
    const uri = provider.current?.record.uri;
    if (following && editor && uri && editor.document.uri.toString() === uri.toString()) provider.showLine(editor.selection.active.line + 1);
  };
  /** Turns following on or off; off shows the final (or live) cluster again. Returns the new state. */
  const setFollowing = (on: boolean): boolean => {
    following = on;
    void vscode.commands.executeCommand('setContext', 'kvcmd.followCursor', on);
    if (on) follow(vscode.window.activeTextEditor);
    else provider.showLine(undefined);
    return on;
  };
  void vscode.commands.executeCommand('setContext', 'kvcmd.followCursor', false);

  const showAtLine = async (arg?: number | 'final'): Promise<number | 'final' | undefined> => {
    const record = provider.current?.record;
    if (!record) {
      void vscode.window.showInformationMessage('kvcmd: nothing has run yet; run a .kvcmd file first.');
      return undefined;
    }
    let choice = arg;
    if (choice === undefined) {
      type Item = vscode.QuickPickItem & { line: number | 'final' };
      const items: Item[] = [
        { label: 'Final', description: 'the cluster as the run left it', line: 'final' },
        ...record.commands.map((c): Item => ({ label: `line ${c.line}`, description: commandText(c), line: c.line })),
      ];
      const picked = await vscode.window.showQuickPick(items, { title: `Show the cluster of ${record.name} as of line…`, matchOnDescription: true });
      if (!picked) return undefined;
      choice = picked.line;
    }
    // A line chosen by hand would be overridden by the next cursor move.
    setFollowing(false);
    provider.showLine(choice === 'final' ? undefined : choice);
    return choice;
  };

  return vscode.Disposable.from(
    vscode.window.onDidChangeTextEditorSelection((e) => follow(e.textEditor)),
    vscode.window.onDidChangeActiveTextEditor(follow),
    // The provider shows a new run's live cluster first; a following view goes back to the cursor's line.
    runs.onDidStartRun(() => follow(vscode.window.activeTextEditor)),
    vscode.commands.registerCommand('kvcmd.followCursor', () => setFollowing(true)),
    vscode.commands.registerCommand('kvcmd.unfollowCursor', () => setFollowing(false)),
    vscode.commands.registerCommand('kvcmd.toggleFollowCursor', () => setFollowing(!following)),
    vscode.commands.registerCommand('kvcmd.showClusterAtLine', showAtLine),
  );
}
