// The outcome of the latest run in the status bar, e.g. "kvcmd: ✓ 12 commands, 0.4 s, seed 123".
// While a run goes on the item spins and a click stops it; afterwards a click shows the output.
import * as vscode from 'vscode';
import { formatMs } from '../record/describe';
import type { RunManager, RunRecord } from './runs';

/** The status bar's text for a finished run: what ran is counted in commands (comments and blank lines are not run). */
export function statusText(r: Pick<RunRecord, 'commands' | 'failures' | 'ms' | 'seed'>): string {
  const commands = `${r.commands.length} command${r.commands.length === 1 ? '' : 's'}`;
  return r.failures
    ? `kvcmd: ⚠ ${commands}, ${r.failures} failed, ${formatMs(r.ms ?? 0)}, seed ${r.seed}`
    : `kvcmd: ✓ ${commands}, ${formatMs(r.ms ?? 0)}, seed ${r.seed}`;
}

export function registerStatusBar(runs: RunManager): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('kvcmd.run', vscode.StatusBarAlignment.Left, 10);
  item.name = 'kvcmd run';
  let shown: RunRecord | undefined;

  const render = (r: RunRecord): void => {
    shown = r;
    const where = r.toLine === undefined ? '' : ` up to line ${r.toLine + 1}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**${r.name}**${where} · seed ${r.seed} · gossip ${r.gossip} · protocol ${r.protocol}\n\n`);
    item.backgroundColor = undefined;
    switch (r.state) {
      case 'running':
        item.text = `$(sync~spin) kvcmd: running ${r.name}`;
        item.command = { title: 'Stop', command: 'kvcmd.stop', arguments: [r.uri] };
        tip.appendMarkdown('Running. Click to stop.');
        break;
      case 'ok':
        item.text = statusText(r);
        item.command = 'kvcmd.showLog';
        tip.appendMarkdown(`Finished at ${r.finishedAt?.toLocaleTimeString()}: ${r.commands.length} command(s), ${r.stdout.split('\n').length - 1} output line(s)` +
          `${r.failures ? `, ${r.failures} failed put/get (see the kvcmd log)` : ''}. Click for the log.`);
        if (r.failures) item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        break;
      case 'failed':
        item.text = `kvcmd: ✗ ${r.name}, seed ${r.seed}`;
        item.command = 'kvcmd.showLog';
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        tip.appendMarkdown(`Failed: ${r.error ?? 'unknown error'}. Click for the log.`);
        break;
      case 'stopped':
        item.text = `kvcmd: ■ stopped ${r.name}, seed ${r.seed}`;
        item.command = 'kvcmd.showLog';
        tip.appendMarkdown(`Stopped after ${formatMs(r.ms ?? 0)}.`);
        break;
    }
    item.tooltip = tip;
    item.show();
  };

  return vscode.Disposable.from(
    item,
    runs.onDidStartRun(render),
    // A run of another file finishing must not overwrite the one the user started last.
    runs.onDidFinishRun((r) => (r === shown || shown?.state !== 'running') && render(r)),
  );
}
