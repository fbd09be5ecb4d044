// Ids as symbols: go to definition (an id to the line that joined it), find references,
// highlights, and rename (every mention of the id, checked against the one shared id space).
import { DocumentHighlight, DocumentHighlightKind, Location, Position, Range, ResponseError, ErrorCodes, WorkspaceEdit } from 'vscode-languageserver/node';
import { parseId } from '../language/index';
import type { DocAnalysis } from './docAnalysis';

export function definition(a: DocAnalysis, p: Position): Location | null {
  const ref = a.referenceAt(p);
  if (!ref) return null;
  // The join that made the node this line talks about; for an id used before any join, the first join.
  const join = a.joinFor(ref.id, ref.line) ?? a.refsOfId(ref.id).find((r) => r.isJoin);
  return join ? { uri: a.uri, range: join.range } : null;
}

export function references(a: DocAnalysis, p: Position, includeDeclaration: boolean): Location[] {
  const ref = a.referenceAt(p);
  if (!ref) return [];
  return a.refsOfId(ref.id).filter((r) => includeDeclaration || !r.isJoin).map((r) => ({ uri: a.uri, range: r.range }));
}

export function highlights(a: DocAnalysis, p: Position): DocumentHighlight[] {
  const ref = a.referenceAt(p);
  if (!ref) return [];
  return a.refsOfId(ref.id).map((r) => ({ range: r.range, kind: r.isJoin ? DocumentHighlightKind.Write : DocumentHighlightKind.Read }));
}

export function prepareRename(a: DocAnalysis, p: Position): { range: Range; placeholder: string } | null {
  const ref = a.referenceAt(p);
  return ref ? { range: ref.range, placeholder: String(ref.id) } : null;
}

export function rename(a: DocAnalysis, p: Position, newName: string): WorkspaceEdit {
  const ref = a.referenceAt(p);
  if (!ref) throw new ResponseError(ErrorCodes.InvalidRequest, 'Rename works on server and client ids.');
  const parsed = parseId(newName.trim());
  if (!parsed.ok) throw new ResponseError(ErrorCodes.InvalidParams, parsed.message);
  const to = parsed.value;
  if (to !== ref.id && a.usedIds().has(to)) {
    const other = a.refsOfId(to)[0];
    throw new ResponseError(ErrorCodes.InvalidParams,
      `id ${to} is already used (line ${other.line + 1}); servers and clients share one id space, so pick an unused id such as ${a.freshId()}`);
  }
  const edits = a.refsOfId(ref.id).map((r) => ({ range: r.range, newText: String(to) }));
  return { changes: { [a.uri]: edits } };
}
