// CodeLens on kvcmd scripts: "Run" on the first line and "Run to here" on every command line.
// Command lines come from the language library's parser, so comments and blank lines get none.
import * as vscode from 'vscode';
import { parse } from '../language';

export class RunCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = [new vscode.CodeLens(top, { title: '$(play) Run', tooltip: 'Run the whole file (kvcmd.run)', command: 'kvcmd.run', arguments: [doc.uri] })];
    for (const line of parse(doc.getText()).lines) {
      if (!line.command) continue;
      lenses.push(new vscode.CodeLens(new vscode.Range(line.line, 0, line.line, 0), {
        title: 'Run to here',
        tooltip: `Run lines 1–${line.line + 1}`,
        command: 'kvcmd.runToLine',
        arguments: [doc.uri, line.line],
      }));
    }
    return lenses;
  }

  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
