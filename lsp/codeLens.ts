// CodeLens: one "Run" on the first line. Running up to a line is offered by the editor itself
// (the extension's context menu and gutter entries and its keybinding for kvcmd.runToLine), not by
// a lens on every command line, which doubled the height of the file. Other editors show the title.
import { CodeLens } from 'vscode-languageserver/node';
import type { DocAnalysis } from './docAnalysis';

export function codeLenses(a: DocAnalysis): CodeLens[] {
  const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return [{ range: top, command: { title: '$(play) Run', command: 'kvcmd.run', arguments: [a.uri] } }];
}
