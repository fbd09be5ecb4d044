// The "kvcmd" output channel: the stdout of the latest run, as `kvcmd run` prints it. The text's
// one home is the run's record (RunRecord.stdout); the channel only displays it, and `value()`
// reads it back from the record shown (VS Code cannot read a channel).
import * as vscode from 'vscode';
import type { RunManager, RunRecord } from './runs';

export class RunOutput implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('kvcmd');
  private shown: RunRecord | undefined;
  private readonly subs: vscode.Disposable[];

  constructor(runs: RunManager) {
    this.subs = [
      // A new run takes the channel over; output of older runs still going is no longer shown.
      runs.onDidStartRun((r) => {
        this.shown = r;
        this.channel.clear();
        this.channel.show(true);
      }),
      runs.onDidRunEvent(({ record, event }) => {
        if (record === this.shown && event.type === 'stdout') this.channel.append(event.text + '\n');
      }),
    ];
  }

  /** The channel's current text. */
  value(): string {
    return this.shown?.stdout ?? '';
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.channel.dispose();
  }
}
