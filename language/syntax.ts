import { ArgRole, COMMANDS, CommandSpec, findCommand, requiredArgs, usage } from './catalogue';
import { Diagnostic, makeDiagnostic } from './diagnostics';
import { replaceEdit } from './edits';
import { parseId, parseMs, parseProbability, shorten } from './ids';
import { ParsedLine, Token } from './parser';
import { Range, range, spanRanges } from './ranges';
import { suggestCommand } from './suggest';

/** A line whose shape is known: the command exists and has the right number of arguments. */
export interface ShapedLine {
  spec: CommandSpec;
  /**
   * One entry per argument given (an optional one left out has none): a number for id, ms and
   * probability roles (`'*'` for a `node` that is every node), the text otherwise; undefined if malformed.
   */
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

  const got = line.args.length;
  if (got < requiredArgs(spec) || got > spec.args.length) return { diagnostics: [arity(spec, line)] };

  const diagnostics: Diagnostic[] = [];
  const values: (number | string | undefined)[] = new Array(got);
  for (let i = 0; i < got; i++) values[i] = checkArg(spec.args[i].role, line.args[i], line.line, diagnostics, spec.name);
  if (spec.name === 'delay' && got === 4) checkRange(values, line, diagnostics);
  return { shaped: { spec, values }, diagnostics };
}

/** `delay A B MS MAXMS`: the longest delay may not be shorter than the shortest. */
function checkRange(values: (number | string | undefined)[], line: ParsedLine, diagnostics: Diagnostic[]): void {
  const [min, max] = [values[2], values[3]];
  if (typeof min !== 'number' || typeof max !== 'number' || max >= min) return;
  diagnostics.push(makeDiagnostic('bad-range', 'error',
    `the longest delay ${max} ms is shorter than the shortest ${min} ms: write the range as <ms> <maxms>, like ${max} ${min}`,
    line.args[3].range, [], [{ title: `Swap to ${max} ${min}`, edits: [replaceEdit(spanRanges(line.args[2].range, line.args[3].range), `${max} ${min}`)] }]));
}

function checkArg(role: ArgRole, tok: Token, line0: number, diagnostics: Diagnostic[], command: string): number | string | undefined {
  switch (role) {
    case 'ms': {
      const p = parseMs(tok.text, command);
      if (p.ok) return p.value;
      diagnostics.push(makeDiagnostic('bad-ms', 'error', p.message, tok.range));
      return undefined;
    }
    case 'probability': {
      const p = parseProbability(tok.text);
      if (p.ok) return p.value;
      diagnostics.push(makeDiagnostic('bad-probability', 'error', p.message, tok.range));
      return undefined;
    }
    case 'node':
      // Every node, present and to come: the one word a fault takes in place of an id.
      if (tok.text === '*') return '*';
      return checkArg('peer', tok, line0, diagnostics, command);
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
    const names = COMMANDS.map((c) => c.name);
    return makeDiagnostic('unknown-command', 'error',
      `unknown command '${shorten(word)}'; the commands are ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`, range);
  }
  return makeDiagnostic('unknown-command', 'error', `unknown command '${shorten(word)}'; did you mean '${guess}'?`, range,
    [], [{ title: `Change to '${guess}'`, edits: [replaceEdit(range, guess)] }]);
}

function arity(spec: CommandSpec, line: ParsedLine): Diagnostic {
  const want = spec.args.length;
  const least = requiredArgs(spec);
  const count = least === want ? `${want}` : `${least} or ${want}`;
  const expected = want === 0
    ? `${spec.name} takes no arguments`
    : `${spec.name} needs ${count} argument${want === 1 ? '' : 's'}: ${usage(spec)}`;
  if (line.args.length < least) return makeDiagnostic('arity', 'error', expected, line.command!.range);
  const surplus = line.args.slice(want);
  const lastKept = want === 0 ? line.command! : line.args[want - 1];
  const extra = spanRanges(surplus[0].range, surplus[surplus.length - 1].range);
  const n = surplus.length;
  return makeDiagnostic('arity', 'error', expected, extra, [], [{
    title: `Remove the extra argument${n === 1 ? '' : 's'}`,
    edits: [replaceEdit({ start: lastKept.range.end, end: extra.end }, '')],
  }]);
}
