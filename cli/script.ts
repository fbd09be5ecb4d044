import { analyze, Analysis } from '../language/analyzer';
import { decodeScript } from '../language/decode';
import { Diagnostic, formatDiagnostic } from '../language/diagnostics';
import { readScriptBytes } from './files';

export interface CheckedScript {
  name: string;
  analysis: Analysis;
  diagnostics: Diagnostic[];
  hasErrors: boolean;
}

/** Reads a script from a file, or all of stdin for '-' (at most MAX_SCRIPT_BYTES), and checks it: the one parse of its text. */
export function readAndCheck(file: string | undefined): CheckedScript {
  const name = file === undefined || file === '-' ? '<stdin>' : file;
  const bytes = readScriptBytes(file);
  const decoded = decodeScript(bytes);
  const analysis = analyze(decoded.text);
  const diagnostics = [...decoded.diagnostics, ...analysis.diagnostics].sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
  if (analysis.commands.length === 0 && diagnostics.length === 0) diagnostics.push(emptyScript());
  return { name, analysis, diagnostics, hasErrors: diagnostics.some((d) => d.severity === 'error') };
}

/** A run of nothing is almost always a wrong file or an empty pipe, so the CLI refuses it. */
function emptyScript(): Diagnostic {
  const at = { line: 0, character: 0 };
  return { code: 'empty-script', severity: 'error', message: 'the script has no commands: nothing to run', range: { start: at, end: at }, related: [], fixes: [] };
}

export function printDiagnostics(script: CheckedScript, write: (s: string) => void): void {
  for (const d of script.diagnostics) write(formatDiagnostic(script.name, d) + '\n');
}
