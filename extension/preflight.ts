// The check before a run, shared by "Run" and "Run to here": one analysis of the document gives
// both the errors that refuse the run and the commands to run. The language server analyzes the
// same text for its diagnostics, but they arrive later and asynchronously; a run needs the commands
// anyway, so this is the one analysis the extension does.
import * as vscode from 'vscode';
import { analyze, type Command, type Diagnostic, type Directives } from '../language';

export type Preflight = { ok: true; commands: Command[]; directives: Directives } | { ok: false; errors: Diagnostic[] };

/**
 * The commands to run from `text`, up to `toLine` (0-based) when given, or the errors that forbid
 * it. "Run to here" only needs the lines it runs to be sound: errors further down do not count.
 */
export function preflight(text: string, toLine?: number): Preflight {
  const analysis = analyze(text);
  const within = (line: number) => toLine === undefined || line <= toLine;
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error' && within(d.range.start.line));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, commands: analysis.commands.filter((c) => within(c.line - 1)), directives: analysis.directives };
}

/** Tells the user why a file does not run (log line and a message with "Show Problems"). */
export function reportRefusal(name: string, errors: readonly Diagnostic[], log: vscode.LogOutputChannel): void {
  const n = errors.length;
  log.warn(`${name}: not run, ${n} error(s) (first: line ${errors[0].range.start.line + 1}: ${errors[0].message})`);
  void vscode.window
    .showErrorMessage(`kvcmd: ${name} has ${n} error${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} before running.`, 'Show Problems')
    .then((pick) => pick && vscode.commands.executeCommand('workbench.actions.view.problems'));
}

