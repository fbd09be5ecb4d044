import { ArgRole, CommandSpec, findCommand, usage } from './catalogue';
import { Diagnostic, makeDiagnostic } from './diagnostics';
import { replaceEdit } from './edits';
import { parseId, parseMs, shorten } from './ids';
import { ParsedLine, Token } from './parser';
import { Range, range, spanRanges } from './ranges';
import { suggestCommand } from './suggest';

/** A line whose shape is known: the command exists and has the right number of arguments. */
export interface ShapedLine {
  spec: CommandSpec;
  /** One entry per argument: a number for id/ms roles, the text otherwise; undefined if malformed. */
  values: (number | string | undefined)[];
}

export interface SyntaxResult { shaped?: ShapedLine; diagnostics: Diagnostic[] }

/**
 * Checks what can be checked from the line alone: the command name, the argument count and
 * each argument's form. Everything that depends on earlier lines is left to semantics.ts.
 */
export function checkSyntax(line: ParsedLine): SyntaxResult {
  const cmd = line.command!;
  const spec = findCommand(cmd.text);
  if (!spec) return { diagnostics: [unknownCommand(cmd.text, cmd.range)] };

  const want = spec.args.length;
  const got = line.args.length;
  if (got !== want) return { diagnostics: [arity(spec, line)] };

  const diagnostics: Diagnostic[] = [];
  const values: (number | string | undefined)[] = new Array(want);
  for (let i = 0; i < want; i++) values[i] = checkArg(spec.args[i].role, line.args[i], line.line, diagnostics);
  return { shaped: { spec, values }, diagnostics };
}

function checkArg(role: ArgRole, tok: Token, line0: number, diagnostics: Diagnostic[]): number | string | undefined {
  switch (role) {
    case 'ms': {
      const p = parseMs(tok.text);
      if (p.ok) return p.value;
      diagnostics.push(makeDiagnostic('bad-ms', 'error', p.message, tok.range));
      return undefined;
    }
    case 'key': {
      const colon = tok.text.indexOf(':');
      if (colon === -1) return tok.text;
      const at = tok.range.start.character + colon;
      diagnostics.push(makeDiagnostic('key-colon', 'error',
        `key '${shorten(tok.text)}' contains ':', which is not allowed in keys (get prints key:value, so it would be ambiguous)`,
        range(line0, at, at + 1)));
      return undefined;
    }
    case 'value':
      return tok.text;
    default: {
      const p = parseId(tok.text);
      if (p.ok) return p.value;
      diagnostics.push(makeDiagnostic('bad-id', 'error', p.message, tok.range));
      return undefined;
    }
  }
}

function unknownCommand(word: string, range: Range): Diagnostic {
  const guess = suggestCommand(word);
  if (guess === undefined) {
    return makeDiagnostic('unknown-command', 'error',
      `unknown command '${shorten(word)}'; the commands are joinServer, killServer, joinClient, breakConnection, ` +
      'createConnection, stabilize, printStore, put, get and sleep', range);
  }
  return makeDiagnostic('unknown-command', 'error', `unknown command '${shorten(word)}'; did you mean '${guess}'?`, range,
    [], [{ title: `Change to '${guess}'`, edits: [replaceEdit(range, guess)] }]);
}

function arity(spec: CommandSpec, line: ParsedLine): Diagnostic {
  const want = spec.args.length;
  const expected = want === 0
    ? `${spec.name} takes no arguments`
    : `${spec.name} needs ${want} argument${want === 1 ? '' : 's'}: ${usage(spec)}`;
  if (line.args.length < want) return makeDiagnostic('arity', 'error', expected, line.command!.range);
  const surplus = line.args.slice(want);
  const lastKept = want === 0 ? line.command! : line.args[want - 1];
  const extra = spanRanges(surplus[0].range, surplus[surplus.length - 1].range);
  const n = surplus.length;
  return makeDiagnostic('arity', 'error', expected, extra, [], [{
    title: `Remove the extra argument${n === 1 ? '' : 's'}`,
    edits: [replaceEdit({ start: lastKept.range.end, end: extra.end }, '')],
  }]);
}
