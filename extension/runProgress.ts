// A progress notification per run, with Cancel: the command being run ("line 12: put 5 k v") and
// how far through the script the run is.
import * as vscode from 'vscode';
import { commandText } from '../language/commands';
import type { RunManager, RunRecord } from './runs';

export function registerRunProgress(runs: RunManager): vscode.Disposable {
  return runs.onDidStartRun((record) => void show(runs, record));
}

function show(runs: RunManager, record: RunRecord): Thenable<void> {
  const { commands } = record;
  const what = record.toLine === undefined ? '' : ` up to line ${record.toLine + 1}`;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `kvcmd: running ${record.name}${what}`, cancellable: true },
    async (progress, token) => {
      const cancel = token.onCancellationRequested(() => runs.stop(record.uri, 'cancelled'));
      let shownLine = 0, index = 0;
      const sub = runs.onDidRunEvent(({ record: r, event }) => {
        if (r !== record || !('line' in event) || event.line <= shownLine) return;
        shownLine = event.line;
        const before = index;
        while (index < commands.length && commands[index].line <= event.line) index++;
        const c = commands[index - 1];
        progress.report({ message: c ? `line ${c.line}: ${commandText(c)}` : undefined, increment: ((index - before) / Math.max(1, commands.length)) * 100 });
      });
      await record.done;
      sub.dispose();
      cancel.dispose();
    },
  );
}
