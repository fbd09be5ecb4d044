// Semantic tokens: commands, and ids told apart by what they name at that line (server or
// client), keys, values, durations and comments. Full document and range requests.
import { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver/node';
import { ArgRole, findCommand } from '../language/index';
import type { DocAnalysis } from './docAnalysis';

export const TOKEN_TYPES = ['keyword', 'class', 'variable', 'property', 'string', 'number', 'comment'] as const;
export const TOKEN_MODIFIERS = ['declaration'] as const;
export const LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

const T = Object.fromEntries(TOKEN_TYPES.map((t, i) => [t, i])) as Record<(typeof TOKEN_TYPES)[number], number>;
const DECLARATION = 1;

function roleType(role: ArgRole): number {
  switch (role) {
    case 'newServer': case 'server': return T.class;
    case 'newClient': case 'client': return T.variable;
    case 'key': return T.property;
    case 'value': return T.string;
    default: return T.number;
  }
}

export function semanticTokens(a: DocAnalysis, fromLine = 0, toLine = a.script.lineCount - 1): SemanticTokens {
  const data: number[] = [];
  let prevLine = 0;
  let prevChar = 0;
  const push = (line: number, char: number, length: number, type: number, mods: number): void => {
    if (length <= 0) return;
    const dl = line - prevLine;
    data.push(dl, dl === 0 ? char - prevChar : char, length, type, mods);
    prevLine = line;
    prevChar = char;
  };
  const lines = a.script.lines;
  // Whole lines: a client's range may say 0.5 (the line index would then name no line).
  for (let i = Math.max(0, Math.floor(fromLine)); i <= Math.min(Math.floor(toLine), lines.length - 1); i++) {
    const line = lines[i];
    if (line.command) {
      const spec = findCommand(line.command.text);
      if (spec) {
        push(i, line.command.range.start.character, line.command.range.end.character - line.command.range.start.character, T.keyword, 0);
        const refs = a.refsOnLine(i);
        line.args.forEach((tok, j) => {
          const role = spec.args[j]?.role;
          if (!role) return;
          let type = roleType(role);
          let mods = 0;
          const ref = refs.find((r) => r.range.start.character === tok.range.start.character);
          if (ref) {
            type = ref.kind === 'server' ? T.class : ref.kind === 'client' ? T.variable : T.number;
            if (ref.isJoin) mods = DECLARATION;
          }
          push(i, tok.range.start.character, tok.range.end.character - tok.range.start.character, type, mods);
        });
      }
    }
    if (line.comment) {
      push(i, line.comment.range.start.character, line.comment.range.end.character - line.comment.range.start.character, T.comment, 0);
    }
  }
  return { data };
}
