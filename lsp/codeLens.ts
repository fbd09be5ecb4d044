// CodeLens: "Run" on the first line and "Run to here" on every command line. The commands are the
// extension's (kvcmd.run, kvcmd.runToLine); other editors simply show the titles.
import { CodeLens } from 'vscode-languageserver/node';
import type { DocAnalysis } from './docAnalysis';

export function codeLenses(a: DocAnalysis): CodeLens[] {
  const at = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 0 } });
  const lenses: CodeLens[] = [{ range: at(0), command: { title: '$(play) Run', command: 'kvcmd.run', arguments: [a.uri] } }];
  for (const line of a.script.lines) {
    if (!line.command) continue;
    lenses.push({ range: at(line.line), command: { title: 'Run to here', command: 'kvcmd.runToLine', arguments: [a.uri, line.line] } });
  }
  return lenses;
}
