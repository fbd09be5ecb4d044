import * as fs from 'fs';
import { analyze, Analysis } from '../language/analyzer';
import { decodeScript } from '../language/decode';
import { Diagnostic, formatDiagnostic } from '../language/diagnostics';

export interface CheckedScript {
  name: string;
  analysis: Analysis;
  diagnostics: Diagnostic[];
  hasErrors: boolean;
}

/** Reads a script from a file, or all of stdin for '-', and checks it: the one parse of its text. */
export function readAndCheck(file: string | undefined): CheckedScript {
  const name = file === undefined || file === '-' ? '<stdin>' : file;
  const bytes = name === '<stdin>' ? fs.readFileSync(0) : fs.readFileSync(file!);
  const decoded = decodeScript(bytes);
  const analysis = analyze(decoded.text);
  const diagnostics = [...decoded.diagnostics, ...analysis.diagnostics];
  return { name, analysis, diagnostics, hasErrors: diagnostics.some((d) => d.severity === 'error') };
}

export function printDiagnostics(script: CheckedScript, write: (s: string) => void): void {
  for (const d of script.diagnostics) write(formatDiagnostic(script.name, d) + '\n');
}
