// The editor's side of a script's `# kvcmd:` header directives (language/directives.ts): completion of
// their keys and values inside the comment, and a hover that says what the chosen value means.
import { CompletionItem, CompletionItemKind, CompletionList, Hover, MarkupKind, Position } from 'vscode-languageserver/node';
import { DIRECTIVE_KEYS, isDirectiveComment, ParsedLine } from '../language/index';

const PROTOCOL_DOCS: Record<string, string> = {
  lamport: 'Lamport stamps `(counter,server)` from each server\'s message counter; an equal counter goes to the **higher** server id. The default.',
  'lamport-low': 'Lamport stamps `(counter,server)` from a per-server **write** counter; an equal counter goes to the **lower** server id.',
  vector: 'Vector clocks `{id:count,...}`; concurrent writes merge (the greater sum keeps its value); `ERR_DEP` whenever the server has not seen the writes the client depends on.',
};

/** Completion inside a `# kvcmd:` comment: the keys after the colon, a key's values after `=`. */
export function completeDirective(line: ParsedLine, p: Position): CompletionList | undefined {
  const c = line.comment;
  if (!c || p.character <= c.range.start.character) return undefined;
  // The comment's token stops at its last non-blank: blanks typed after it are still in the comment.
  const before = c.text.padEnd(p.character - c.range.start.character).slice(0, p.character - c.range.start.character);
  if (!isDirectiveComment(before)) return undefined;
  const word = /(\S*)$/.exec(before)![1];
  const at = (len: number) => ({ start: { line: p.line, character: p.character - len }, end: p });
  const eq = word.indexOf('=');
  if (eq < 0) {
    if (word.includes(':')) return undefined;
    return {
      isIncomplete: false,
      items: DIRECTIVE_KEYS.map((d): CompletionItem => ({
        label: `${d.key}=`, kind: CompletionItemKind.Property, documentation: { kind: MarkupKind.Markdown, value: d.doc },
        textEdit: { range: at(word.length), newText: `${d.key}=` },
        command: { title: 'values', command: 'editor.action.triggerSuggest' },
      })),
    };
  }
  const spec = DIRECTIVE_KEYS.find((d) => d.key === word.slice(0, eq));
  if (!spec) return { isIncomplete: false, items: [] };
  const typed = word.slice(eq + 1);
  return {
    isIncomplete: false,
    items: spec.values.map((v, i): CompletionItem => ({
      label: v, kind: CompletionItemKind.EnumMember, sortText: String(i),
      documentation: { kind: MarkupKind.Markdown, value: PROTOCOL_DOCS[v] ?? '' },
      textEdit: { range: at(typed.length), newText: v },
    })),
  };
}

/** What a directive in the header sets, over its comment. */
export function hoverDirective(line: ParsedLine, p: Position): Hover | null {
  const c = line.comment;
  if (!c || !isDirectiveComment(c.text) || p.character < c.range.start.character || p.character > c.range.end.character) return null;
  const m = /protocol=(\S+)/.exec(c.text);
  const doc = m && PROTOCOL_DOCS[m[1]];
  const value = doc
    ? `**protocol ${m![1]}**: ${doc}\n\nRuns of this script use it unless \`--protocol\` says otherwise (docs/protocol.md, "Protocols").`
    : `A kvcmd directive: ${DIRECTIVE_KEYS.map((d) => `\`${d.key}=\`${d.values.join('|')}`).join(', ')}, in comment lines before the first command.`;
  return { contents: { kind: MarkupKind.Markdown, value }, range: c.range };
}
