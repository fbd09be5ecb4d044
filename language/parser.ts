import { findCommand, requiredArgs } from './catalogue';
import { Range, range } from './ranges';

export interface Token { text: string; range: Range }

export interface ParsedLine {
  line: number;
  command?: Token;
  args: Token[];
  comment?: Token;
  /** Offset of the line's first character in `ParsedScript.text`. */
  offset: number;
  /** Length in UTF-16 units, without the line ending. */
  length: number;
}

export interface ParsedScript {
  lines: ParsedLine[];
  lineCount: number;
  /** The input with any leading BOM removed; every range and offset refers to this. */
  text: string;
  /** The line ending to use when inserting lines, taken from the first line that has one. */
  eol: '\n' | '\r\n';
}

const SPACE = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const CR = 0x0d;

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB;
}

/**
 * How many arguments a command name needs before a `#` token may start a comment, from the
 * catalogue (its required ones: an optional argument is never a `#` token); undefined for an
 * unknown name.
 */
export type ArityOf = (command: string) => number | undefined;

const catalogueArity: ArityOf = (command) => {
  const spec = findCommand(command);
  return spec && requiredArgs(spec);
};

/**
 * Splits a script into lines and tokens. One pass over the text, no regular expressions,
 * so a 1 MB line or a 20,000-line file costs time proportional to its length.
 *
 * A token that begins with `#` starts a comment only where no argument is expected: as the first
 * token of a line, or once the command has all the arguments `arityOf` gives it (an unknown
 * command takes none). Where an argument is still expected it is that argument (`put 1 k #a9f`).
 */
export function parse(input: string, arityOf: ArityOf = catalogueArity): ParsedScript {
  // Editors hide the BOM; dropping it keeps our columns equal to what the user sees.
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const lines: ParsedLine[] = [];
  let eol: '\n' | '\r\n' | undefined;
  let start = 0;
  for (let lineNo = 0; ; lineNo++) {
    const nl = text.indexOf('\n', start);
    const rawEnd = nl === -1 ? text.length : nl;
    // A \r just before the line end belongs to the line ending (CRLF, or a CR left at EOF).
    const end = rawEnd > start && text.charCodeAt(rawEnd - 1) === CR ? rawEnd - 1 : rawEnd;
    if (nl !== -1 && eol === undefined) eol = end < rawEnd ? '\r\n' : '\n';
    lines.push(parseLine(text, lineNo, start, end, arityOf));
    if (nl === -1) break;
    start = nl + 1;
  }
  return { lines, lineCount: lines.length, text, eol: eol ?? '\n' };
}

function parseLine(text: string, line: number, start: number, end: number, arityOf: ArityOf): ParsedLine {
  // Plain object literals built in one place keep every token the same hidden class;
  // this loop allocates only what the result keeps, which matters for large files.
  const parsed: ParsedLine = { line, args: [], offset: start, length: end - start };
  // Arguments still expected: none before the command, then the command's arity.
  let expected = 0;
  let i = start;
  while (i < end) {
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i >= end) break;
    if (text.charCodeAt(i) === HASH && parsed.args.length >= expected) {
      let stop = end;
      while (stop > i && isBlank(text.charCodeAt(stop - 1))) stop--;
      parsed.comment = { text: text.slice(i, stop), range: range(line, i - start, stop - start) };
      break;
    }
    const tokStart = i;
    while (i < end && !isBlank(text.charCodeAt(i))) i++;
    const token: Token = { text: text.slice(tokStart, i), range: range(line, tokStart - start, i - start) };
    if (parsed.command === undefined) {
      parsed.command = token;
      expected = arityOf(token.text) ?? 0;
    } else {
      parsed.args.push(token);
    }
  }
  return parsed;
}

/** The text of one line, without its line ending. */
export function lineText(script: ParsedScript, line: number): string {
  const l = script.lines[line];
  return script.text.slice(l.offset, l.offset + l.length);
}
