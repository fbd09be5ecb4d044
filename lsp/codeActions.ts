// Quick fixes: every fix the library attaches to a diagnostic, plus the ones its code makes
// obvious with a look at the cluster at that line (a fresh id, a live server to link to...).
import { CodeAction, CodeActionKind, CodeActionParams } from 'vscode-languageserver/node';
import { Diagnostic, Fix, TextEdit, deleteLineFix, findCommand, insertLineBeforeEdit } from '../language/index';
import type { DocAnalysis } from './docAnalysis';
import { toLspDiagnostic } from './diagnostics';

export function codeActions(a: DocAnalysis, params: CodeActionParams): CodeAction[] {
  const only = params.context.only;
  if (only && !only.some((k) => CodeActionKind.QuickFix.startsWith(k) || k.startsWith(CodeActionKind.QuickFix))) return [];
  const { start, end } = params.range;
  const out: CodeAction[] = [];
  for (const d of diagnosticsOnLines(a, start.line, end.line)) {
    if (!overlaps(d, params.range)) continue;
    const fixes = [...d.fixes, ...extraFixes(a, d)];
    fixes.forEach((fix, i) => {
      out.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [toLspDiagnostic(a.uri, d)],
        isPreferred: i === 0 && (d.code === 'unknown-command' || d.fixes.length > 0) ? true : undefined,
        edit: { changes: { [a.uri]: fix.edits } },
      });
    });
  }
  return out;
}

function diagnosticsOnLines(a: DocAnalysis, first: number, last: number): Diagnostic[] {
  const all = a.analysis.diagnostics;
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (all[mid].range.start.line < first) lo = mid + 1;
    else hi = mid;
  }
  const out: Diagnostic[] = [];
  for (let i = lo; i < all.length && all[i].range.start.line <= last; i++) out.push(all[i]);
  return out;
}

function overlaps(d: Diagnostic, r: { start: { line: number; character: number }; end: { line: number; character: number } }): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }): boolean =>
    p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(d.range.end, r.start) && !before(r.end, d.range.start);
}

/** Fixes the library does not attach but that follow from the code and the cluster at that line. */
export function extraFixes(a: DocAnalysis, d: Diagnostic): Fix[] {
  const line0 = d.range.start.line;
  const line = a.line(line0);
  if (!line?.command) return [];
  const spec = findCommand(line.command.text);
  const script = a.script;
  const tokenIndex = line.args.findIndex((t) => t.range.start.character <= d.range.start.character && d.range.start.character < t.range.end.character);
  const tok = tokenIndex === -1 ? undefined : line.args[tokenIndex];
  const role = tokenIndex === -1 ? undefined : spec?.args[tokenIndex]?.role;
  const insert = (text: string): Fix => ({ title: `Insert '${text}' before this line`, edits: [insertLineBeforeEdit(script, line0, text)] });
  const replace = (title: string, newText: string): Fix => ({ title, edits: [{ range: tok!.range, newText }] });
  switch (d.code) {
    case 'unknown-id': {
      // put/get and joinClient's server already get an insert from the library.
      if (d.fixes.length > 0 || !tok) return [];
      const id = tok.text;
      if (role === 'server' || role === 'peer') return [insert(`joinServer ${Number(id)}`)];
      return [];
    }
    case 'id-kind-conflict':
    case 'already-alive': {
      if (!tok) return [];
      const fresh = a.freshId();
      const fixes = [replace(`Use the unused id ${fresh}`, String(fresh))];
      if (d.code === 'already-alive' && role === 'newServer') fixes.push(insert(`killServer ${Number(tok.text)}`));
      return fixes;
    }
    case 'no-server': {
      if (!tok) return [];
      const live = a.topologyBefore(line0).liveServers();
      return live.slice(0, 3).map((s) => insert(`createConnection ${Number(tok.text)} ${s}`));
    }
    case 'dead-server': {
      if (spec?.name === 'createConnection') return [deleteLineFix(script, line0, 'Delete this createConnection (it does nothing)')];
      if (spec?.name !== 'joinClient' || !tok) return [];
      const live = a.topologyBefore(line0).liveServers();
      return live.slice(0, 3).map((s) => replace(`Join live server ${s} instead`, String(s)));
    }
    case 'print-dead':
      return [deleteLineFix(script, line0, 'Delete this printStore (the server is dead)')];
    case 'self-link':
      return [deleteLineFix(script, line0)];
    case 'key-colon': {
      const key = line.args[1];
      if (!key) return [];
      const edit: TextEdit = { range: key.range, newText: key.text.replace(/:/g, '_') };
      return [{ title: `Replace ':' with '_' in the key`, edits: [edit] }];
    }
    default:
      return [];
  }
}
