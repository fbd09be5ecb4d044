// The "kvcmd" output channel: exactly the stdout of the latest run, as `kvcmd run` prints it.
// VS Code gives extensions no way to read a channel back, so the text is mirrored here for the API.
import * as vscode from 'vscode';

export class RunOutput implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('kvcmd');
  private text = '';
  private owner: object | undefined;

  /** A new run takes the channel over; output of older runs still going is no longer shown. */
  begin(owner: object): void {
    this.owner = owner;
    this.text = '';
    this.channel.clear();
    this.channel.show(true);
  }

  write(owner: object, text: string): void {
    if (owner !== this.owner) return;
    this.text += text;
    this.channel.append(text);
  }

  /** The channel's current text. */
  value(): string {
    return this.text;
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
