// Diagnostics, pushed (textDocument/publishDiagnostics) after every change: one model that every
// LSP editor supports. Conversion is memoized per library diagnostic object, so after a
// single-line edit (see incremental.ts) only that line's diagnostics are converted again.
import { Diagnostic as LspDiagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver/node';
import type { Diagnostic } from '../language/index';
import type { DocAnalysis } from './docAnalysis';

/** Warnings whose command does nothing (or, after `done`, does not run): editors show the line faded. */
const NO_OP = new Set(['kill-dead', 'kill-unknown', 'not-linked', 'already-linked', 'after-done']);

const converted = new WeakMap<Diagnostic, LspDiagnostic>();

export function toLspDiagnostic(uri: string, d: Diagnostic): LspDiagnostic {
  let out = converted.get(d);
  if (out && out.relatedInformation?.[0]?.location.uri === uri) return out;
  if (out && !d.related.length) return out;
  out = {
    range: d.range,
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: 'kvcmd',
    message: d.message,
  };
  if (d.related.length > 0) {
    out.relatedInformation = d.related.map((r) => ({ location: { uri, range: r.range }, message: r.message }));
  }
  if (NO_OP.has(d.code)) out.tags = [DiagnosticTag.Unnecessary];
  if (d.fixes.length > 0) out.data = { fixes: d.fixes.map((f) => f.title) };
  converted.set(d, out);
  return out;
}

export function lspDiagnostics(a: DocAnalysis): LspDiagnostic[] {
  return a.analysis.diagnostics.map((d) => toLspDiagnostic(a.uri, d));
}
