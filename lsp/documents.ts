// Open documents, kept up to date from incremental changes. We keep our own store (rather than
// vscode-languageserver's TextDocuments) because we need each change's line span: the analysis
// cache uses it to re-check only what an edit can affect, and run results use it to follow
// their script lines as lines are inserted or removed after the run.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';

/** Where a line of the new text came from: an old line, and whether its content changed. */
export interface LineOrigin { old: number; edited: boolean }

/**
 * One edit in line terms: lines start..oldEnd (old text) became start..newEnd (new text).
 * `head` and `tail` say what the first and last new lines of the span were (undefined: new lines).
 */
export interface LineChange { start: number; oldEnd: number; newEnd: number; head?: LineOrigin; tail?: LineOrigin }

/** What one `didChange` did; `full` when the whole text was replaced (no line mapping possible). */
export interface ChangeRecord { version: number; changes: LineChange[] | 'full' }

interface Entry { doc: TextDocument; history: ChangeRecord[] }

/** Versions of history kept per document, enough to map run results across a long editing session. */
const HISTORY = 1000;

export class DocumentStore {
  private entries = new Map<string, Entry>();

  open(uri: string, languageId: string, version: number, text: string): TextDocument {
    const doc = TextDocument.create(uri, languageId, version, text);
    this.entries.set(uri, { doc, history: [] });
    return doc;
  }

  /**
   * Applies the changes in order; returns the updated document, what changed, in line terms, and
   * what was wrong with changes the client sent (see `normaliseChange`): a range is clamped to the
   * document and a reversed one swapped; a change that is not one at all is left out, and then the
   * edits since can no longer be followed line by line (`full`), so the next analysis is a full one.
   */
  change(uri: string, version: number, changes: readonly unknown[]): { doc: TextDocument; record: ChangeRecord; warnings: string[] } | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    const lines: LineChange[] = [];
    const warnings: string[] = [];
    let full = false;
    if (!Number.isInteger(version)) {
      warnings.push(`version ${JSON.stringify(version)} is not an integer: ${entry.doc.version + 1} used`);
      version = entry.doc.version + 1;
    }
    // One change at a time: each change's range refers to the text left by the previous one.
    for (const raw of Array.isArray(changes) ? changes : []) {
      const n = normaliseChange(entry.doc, raw);
      if (n.warning) warnings.push(n.warning);
      if (!n.change) {
        full = true;
        continue;
      }
      const c = n.change;
      if ('range' in c) lines.push(describeChange(entry.doc, c.range, c.text));
      else full = true;
      TextDocument.update(entry.doc, [c], version);
    }
    if (!Array.isArray(changes)) warnings.push('contentChanges is not a list: ignored');
    if (entry.doc.version !== version) TextDocument.update(entry.doc, [], version);
    const record: ChangeRecord = { version, changes: full ? 'full' : lines };
    entry.history.push(record);
    if (entry.history.length > HISTORY) entry.history.splice(0, entry.history.length - HISTORY);
    return { doc: entry.doc, record, warnings };
  }

  close(uri: string): void {
    this.entries.delete(uri);
  }

  get(uri: string): TextDocument | undefined {
    return this.entries.get(uri)?.doc;
  }

  all(): TextDocument[] {
    return [...this.entries.values()].map((e) => e.doc);
  }

  /**
   * Every line change made after `version`, oldest first; undefined when that cannot be told
   * (a full-text replacement, or history that no longer reaches back that far).
   */
  changesSince(uri: string, version: number): LineChange[] | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    if (entry.doc.version === version) return [];
    const idx = entry.history.findIndex((r) => r.version > version);
    if (idx === -1) return undefined;
    // The record just before idx must be `version` itself (or the open), else history was trimmed.
    if (idx === 0 && entry.history.length >= HISTORY) return undefined;
    const out: LineChange[] = [];
    for (let i = idx; i < entry.history.length; i++) {
      const ch = entry.history[i].changes;
      if (ch === 'full') return undefined;
      out.push(...ch);
    }
    return out;
  }
}

type Pos = { line: number; character: number };
const isPos = (p: unknown): p is Pos =>
  typeof p === 'object' && p !== null && Number.isFinite((p as Pos).line) && Number.isFinite((p as Pos).character);

/**
 * A change as `TextDocument.update` and `describeChange` expect it: its range inside the document
 * (lines and characters clamped, whole numbers) and start before end. `change` is undefined for
 * something that is no change (no text, a range that is not one); `warning` says what was fixed.
 */
export function normaliseChange(doc: TextDocument, raw: unknown): { change?: TextDocumentContentChangeEvent; warning?: string } {
  const c = raw as { text?: unknown; range?: unknown } | null;
  if (typeof c !== 'object' || c === null || typeof c.text !== 'string') return { warning: `ignored a change without text: ${brief(raw)}` };
  if (c.range === undefined || c.range === null) return { change: { text: c.text } };
  const r = c.range as { start?: unknown; end?: unknown };
  if (typeof r !== 'object' || !isPos(r.start) || !isPos(r.end)) return { warning: `ignored a change whose range is not a range: ${brief(c.range)}` };
  const last = doc.lineCount - 1;
  const clamp = (p: Pos): Pos => {
    const line = Math.min(Math.max(Math.trunc(p.line), 0), last);
    const len = lineLength(doc, line);
    // A position past the end of a line is its end (as LSP says); one before the document is its start.
    const character = p.line < 0 ? 0 : p.line > last ? len : Math.min(Math.max(Math.trunc(p.character), 0), len);
    return { line, character };
  };
  // Past the end of a line is its end (LSP says so), and so is the line after the last: no warning for those.
  const odd = (p: Pos): boolean => !Number.isInteger(p.line) || !Number.isInteger(p.character) || p.line < 0 || p.character < 0 || p.line > last + 1;
  let start = clamp(r.start);
  let end = clamp(r.end);
  const reversed = start.line > end.line || (start.line === end.line && start.character > end.character);
  if (reversed) [start, end] = [end, start];
  const range = { start, end };
  const why = [reversed ? 'reversed' : '', odd(r.start) || odd(r.end) ? 'outside the document' : ''].filter(Boolean).join(' and ');
  return { change: { range, text: c.text }, ...(why ? { warning: `a change's range ${brief(c.range)} was ${why}: applied to ${brief(range)}` } : {}) };
}

function brief(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

export function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function lineLength(doc: TextDocument, line: number): number {
  return doc.offsetAt({ line, character: Number.MAX_SAFE_INTEGER }) - doc.offsetAt({ line, character: 0 });
}

/** Describes a change in line terms, against the text before it is applied. */
export function describeChange(doc: TextDocument, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): LineChange {
  const start = range.start.line;
  const oldEnd = range.end.line;
  const newEnd = start + countNewlines(text);
  const sc = range.start.character;
  const ec = range.end.character;
  const startLen = lineLength(doc, start);
  const endLen = lineLength(doc, oldEnd);
  if (newEnd === start) {
    // One line results: the old start line's prefix, the text, the old end line's suffix.
    if (text === '' && sc === 0 && ec === 0 && oldEnd > start) return { start, oldEnd, newEnd, head: { old: oldEnd, edited: false } };
    const old = sc > 0 || sc >= endLen - ec || oldEnd === start ? start : oldEnd;
    return { start, oldEnd, newEnd, head: { old, edited: !(text === '' && oldEnd === start && sc === ec) } };
  }
  const firstText = text.slice(0, text.indexOf('\n')).replace(/\r$/, '');
  const lastText = text.slice(text.lastIndexOf('\n') + 1);
  const head = sc > 0 ? { old: start, edited: !(firstText === '' && sc >= startLen) } : undefined;
  const tail = ec < endLen || ec === 0 ? { old: oldEnd, edited: !(lastText === '' && ec === 0) } : undefined;
  return { start, oldEnd, newEnd, head, tail };
}

/**
 * Maps a line of the current text back to the line it was before `changes` (applied in order).
 * `edited` tells that the line's content changed; `line` is undefined for a line that is new.
 */
export function mapLineBack(line: number, changes: readonly LineChange[]): { line: number | undefined; edited: boolean } {
  let x = line;
  let edited = false;
  for (let i = changes.length - 1; i >= 0; i--) {
    const c = changes[i];
    if (x < c.start) continue;
    if (x > c.newEnd) {
      x -= c.newEnd - c.oldEnd;
      continue;
    }
    const origin = x === c.start ? c.head : x === c.newEnd ? c.tail : undefined;
    if (!origin) return { line: undefined, edited: true };
    x = origin.old;
    edited ||= origin.edited;
  }
  return { line: x, edited };
}
