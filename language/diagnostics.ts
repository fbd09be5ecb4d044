import { Range } from './ranges';

export type Severity = 'error' | 'warning';
/** Every diagnostic code, once; docs/language.md explains each. */
export const DIAGNOSTIC_CODES = Object.freeze([
  'unknown-command', 'arity', 'bad-id', 'bad-ms', 'unknown-id', 'wrong-role',
  'id-kind-conflict', 'already-alive', 'client-link', 'self-link', 'key-colon',
  'bad-encoding', 'kill-dead', 'kill-unknown', 'not-linked', 'already-linked', 'dead-server',
  'no-server', 'print-dead', 'after-done',
  // Faults of the network: pauseServer, resumeServer, delay, drop, duplicate.
  'bad-probability', 'bad-range', 'already-paused', 'not-paused', 'paused-server', 'paused-stabilize', 'paused-twice',
  // The script's own settings (language/directives.ts).
  'bad-directive', 'late-directive',
  // Only the CLI reports this one: an editor shows a new, empty file without complaint.
  'empty-script',
] as const);
export type DiagnosticCode = typeof DIAGNOSTIC_CODES[number];

export interface Related { message: string; range: Range }
export interface TextEdit { range: Range; newText: string }
export interface Fix { title: string; edits: TextEdit[] }
export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  range: Range;
  related: Related[];
  fixes: Fix[];
}

/** The compiler-style line the CLI prints, so editors and terminals can jump to it. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const line = d.range.start.line + 1;
  const col = d.range.start.character + 1;
  return `${file}:${line}:${col}: ${d.severity}: ${d.message}`;
}

export function makeDiagnostic(
  code: DiagnosticCode, severity: Severity, message: string, range: Range,
  related: Related[] = [], fixes: Fix[] = [],
): Diagnostic {
  return { code, severity, message, range, related, fixes };
}
