// The Cluster view and the Messages panel follow a kvcmd debug session: at each stop they show the
// session's record so far (debugger.ts's onDidChangeDebugRecord), the view as "debugging · line N"
// with the cluster after every event so far (the session may be in the middle of a command's
// deliveries, so not "as of line N"), the panel with the stopped line highlighted. A step back
// gives a shorter record: both start over from it. When the session ends (its run finished, or
// the user stopped it), both go back to the file's last run; a run started meanwhile takes over
// until the session's next stop.
import * as vscode from 'vscode';
import type { ClusterTreeProvider } from './clusterTree';
import type { KvcmdDebugRecord } from './debugger';
import type { ClusterEvent } from '../record/events';

export interface DebugFollowers {
  tree: ClusterTreeProvider;
  messages: { followDebug(uri: vscode.Uri, stop: { events: readonly ClusterEvent[]; line: number } | undefined): void };
}

export function registerDebugFollow(onDidChangeDebugRecord: vscode.Event<KvcmdDebugRecord>, { tree, messages }: DebugFollowers): vscode.Disposable {
  /** The file of each kvcmd debug session that has stopped and not ended, by session id. */
  const files = new Map<string, vscode.Uri>();
  const end = (id: string): void => {
    const uri = files.get(id);
    if (!uri) return;
    files.delete(id);
    if (tree.shownRecord?.uri.toString() === uri.toString()) tree.showRun();
    messages.followDebug(uri, undefined);
  };
  return vscode.Disposable.from(
    onDidChangeDebugRecord((r) => {
      // No line: the session's run has ended (the session itself ends right after).
      if (r.line === undefined) return end(r.session.id);
      files.set(r.session.id, r.uri);
      tree.showRecord(r.uri, r.events, `debugging · line ${r.line}`);
      messages.followDebug(r.uri, { events: r.events, line: r.line });
    }),
    vscode.debug.onDidTerminateDebugSession((s) => end(s.id)),
  );
}
