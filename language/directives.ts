// Settings a script carries for itself, in comment lines before its first command:
//   # kvcmd: protocol=vector
// A script written for one protocol then runs with it wherever it is run (CLI, editor, tests);
// docs/language.md, "Directives", has the rules. Only the header counts, so that moving a block of
// commands around never changes how the whole script runs.
import { DEFAULT_PROTOCOL, isProtocolName, ProtocolName, PROTOCOLS } from '../protocol/messages';
import { Diagnostic, makeDiagnostic } from './diagnostics';
import type { ParsedScript } from './parser';
import { Range } from './ranges';

export interface Directives {
  /** 0-based lines holding a `# kvcmd:` comment, counted or not. */
  lines: number[];
  protocol?: ProtocolName;
  /** Where the protocol's name is written (for hovers and quick fixes). */
  protocolRange?: Range;
}

/** Every directive a script may hold, with what it takes (completion and docs list these). */
export const DIRECTIVE_KEYS: readonly { key: string; values: readonly string[]; doc: string }[] = [
  { key: 'protocol', values: PROTOCOLS, doc: 'How writes are ordered and what a client\'s dependency asks of a server (docs/protocol.md, "Protocols").' },
];

/** `# kvcmd:` then key=value pairs, separated by blanks. */
const PREFIX = /^#\s*kvcmd\s*:/;

export function isDirectiveComment(text: string): boolean {
  return PREFIX.test(text);
}

/** Reads the header's directives; reports unknown keys or values, repeats, and directives after the first command. */
export function readDirectives(script: ParsedScript): { directives: Directives; diagnostics: Diagnostic[] } {
  const directives: Directives = { lines: [] };
  const diagnostics: Diagnostic[] = [];
  let header = true;
  for (const line of script.lines) {
    if (line.command) header = false;
    const c = line.comment;
    // Only a line that is all comment is a directive: a note after a command is a note.
    if (!c || line.command || !PREFIX.test(c.text)) continue;
    directives.lines.push(line.line);
    const at = (from: number, length: number): Range => ({
      start: { line: c.range.start.line, character: c.range.start.character + from },
      end: { line: c.range.start.line, character: c.range.start.character + from + length },
    });
    if (!header) {
      diagnostics.push(makeDiagnostic('late-directive', 'warning',
        'a "# kvcmd:" directive counts only before the first command; this one is ignored', c.range));
      continue;
    }
    const body = c.text.replace(PREFIX, '');
    const start = c.text.length - body.length;
    for (const m of body.matchAll(/\S+/g)) {
      const word = m[0];
      const from = start + (m.index ?? 0);
      const eq = word.indexOf('=');
      const key = eq < 0 ? word : word.slice(0, eq);
      const value = eq < 0 ? '' : word.slice(eq + 1);
      if (key !== 'protocol') {
        diagnostics.push(makeDiagnostic('bad-directive', 'error',
          `unknown directive '${key}': a "# kvcmd:" line takes ${DIRECTIVE_KEYS.map((d) => `${d.key}=NAME`).join(', ')}`, at(from, word.length)));
        continue;
      }
      const valueRange = at(from + eq + 1, value.length);
      if (eq < 0 || !isProtocolName(value)) {
        diagnostics.push(makeDiagnostic('bad-directive', 'error',
          `${eq < 0 ? 'protocol needs a value' : `unknown protocol '${value}'`}: expected protocol=${PROTOCOLS.join(' | ')}`,
          eq < 0 ? at(from, word.length) : valueRange,
          [], PROTOCOLS.map((p) => ({ title: `Use protocol=${p}`, edits: [{ range: eq < 0 ? at(from, word.length) : valueRange, newText: eq < 0 ? `protocol=${p}` : p }] }))));
        continue;
      }
      if (directives.protocol !== undefined) {
        diagnostics.push(makeDiagnostic('bad-directive', 'error', `protocol is set twice (first to ${directives.protocol})`, at(from, word.length)));
        continue;
      }
      directives.protocol = value;
      directives.protocolRange = valueRange;
    }
  }
  return { directives, diagnostics };
}

/**
 * The protocol a run of this script uses: a choice made for this one run (`--protocol`) wins, then
 * the script's own directive, then a standing preference (the editor setting), then the default.
 */
export function protocolFor(directives: Directives | undefined, chosen?: ProtocolName, preferred?: ProtocolName): ProtocolName {
  return chosen ?? directives?.protocol ?? preferred ?? DEFAULT_PROTOCOL;
}
