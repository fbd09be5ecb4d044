// The run commands: kvcmd.run (palette, editor title, CodeLens "Run"), kvcmd.runToLine (palette,
// editor context menu and Ctrl+Alt+Enter: up to the cursor's line; the gutter's context menu: up to
// the line clicked), kvcmd.stop, and the two channels. `kvcmd.running` drives the Stop buttons.
// Both run commands go through the one check of extension/preflight.ts before a run starts.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { preflight, reportRefusal } from './preflight';
import type { RunManager, RunOutcome } from './runs';
import type { RunOutput } from './runOutput';

function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  // The language server's CodeLens passes the document's URI as a string.
  if (typeof arg === 'string') return vscode.Uri.parse(arg);
  const editor = vscode.window.activeTextEditor;
  return editor?.document.languageId === 'kvcmd' ? editor.document.uri : undefined;
}

export function registerRunCommands(runs: RunManager, output: RunOutput, log: vscode.LogOutputChannel): vscode.Disposable {
  const setRunning = () => void vscode.commands.executeCommand('setContext', 'kvcmd.running', runs.isRunning());
  const run = async (arg: unknown, toLine?: number): Promise<RunOutcome> => {
    const uri = targetUri(arg);
    if (!uri) {
      void vscode.window.showInformationMessage('kvcmd: open a .kvcmd file to run it.');
      return undefined;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    const checked = preflight(doc.getText(), toLine);
    if (!checked.ok) {
      reportRefusal(path.basename(uri.path), checked.errors, log);
      return { state: 'refused', errors: checked.errors.length };
    }
    return runs.start({ uri, version: doc.version, commands: checked.commands, directives: checked.directives, toLine }).done;
  };
  return vscode.Disposable.from(
    runs.onDidStartRun(setRunning),
    runs.onDidFinishRun(setRunning),
    vscode.commands.registerCommand('kvcmd.run', (uri?: unknown) => run(uri)),
    vscode.commands.registerCommand('kvcmd.runToLine', (arg?: unknown, line?: number) => {
      // The gutter (editor/lineNumber/context) passes { lineNumber (1-based), uri }.
      const gutter = arg as { lineNumber?: unknown; uri?: unknown } | undefined;
      if (gutter && typeof gutter === 'object' && typeof gutter.lineNumber === 'number' && gutter.uri instanceof vscode.Uri) {
        return run(gutter.uri, gutter.lineNumber - 1);
      }
      const uri = targetUri(arg);
      const editor = vscode.window.activeTextEditor;
      const l = typeof line === 'number' ? line
        : editor && uri && editor.document.uri.toString() === uri.toString() ? editor.selection.active.line : undefined;
      return run(arg, l);
    }),
    // Stops the given file's run; when that file is not running (palette, the title bar of another
    // file) every run stops, which is what the visible Stop button promises.
    vscode.commands.registerCommand('kvcmd.stop', (arg?: unknown) => {
      const uri = arg === undefined ? undefined : targetUri(arg);
      return runs.stop(uri && runs.isRunning(uri) ? uri : undefined);
    }),
    vscode.commands.registerCommand('kvcmd.showOutput', () => output.show()),
    vscode.commands.registerCommand('kvcmd.showLog', () => log.show(true)),
  );
}
