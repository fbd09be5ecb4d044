// Open documents, kept up to date from incremental changes. We keep our own store (rather than
// vscode-languageserver's TextDocuments) because we need each change's line span: the analysis
// cache uses it to re-check only what an edit can affect, and run results use it to follow
// their script lines as lines are inserted or removed after the run.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';

/** One edit in line terms: lines start..oldEnd (old text) became start..newEnd (new text). */
export interface LineChange { start: number; oldEnd: number; newEnd: number }

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

  /** Applies the changes in order; returns the updated document and what changed, in line terms. */
  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): { doc: TextDocument; record: ChangeRecord } | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    const lines: LineChange[] = [];
    let full = false;
    for (const c of changes) {
      if ('range' in c && c.range) {
        lines.push({ start: c.range.start.line, oldEnd: c.range.end.line, newEnd: c.range.start.line + countNewlines(c.text) });
      } else {
        full = true;
      }
    }
    TextDocument.update(entry.doc, changes, version);
    const record: ChangeRecord = { version, changes: full ? 'full' : lines };
    entry.history.push(record);
    if (entry.history.length > HISTORY) entry.history.splice(0, entry.history.length - HISTORY);
    return { doc: entry.doc, record };
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

export function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Maps a line of the current text back to the line it was before `changes` (applied in order).
 * `edited` tells that the line itself was touched; `line` is undefined when it did not exist.
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
    // Inside the replaced span: a line of the new text that kept its number within the old span
    // still corresponds to that old line; the rest is new.
    edited = true;
    if (x > c.oldEnd) return { line: undefined, edited };
  }
  return { line: x, edited };
}
