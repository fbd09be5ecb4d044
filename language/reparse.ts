import { ParsedLine, ParsedScript, Token, parse } from './parser';
import { range } from './ranges';

/** Lines start..oldEnd of the old text became lines start..newEnd of the new one (0-based, inclusive). */
export interface LineSpanChange {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/**
 * The parse of `text`, which is `old.text` with lines change.start..change.oldEnd replaced by
 * lines change.start..change.newEnd: only those lines are parsed again (parsing 20,000 lines
 * costs as much as checking them). Lines above are shared with the old parse; lines below get
 * new line numbers when lines were added or removed. Undefined when the texts do not fit.
 */
export function reparse(old: ParsedScript, text: string, change: LineSpanChange): ParsedScript | undefined {
  const { start, oldEnd, newEnd } = change;
  if (oldEnd >= old.lineCount || text.charCodeAt(0) === 0xfeff || old.text.charCodeAt(0) === 0xfeff) return undefined;
  const offset = old.lines[start].offset;
  // The end of new line newEnd, and the end of old line oldEnd, without their line endings.
  let nl = offset - 1;
  for (let i = start; i <= newEnd; i++) {
    nl = text.indexOf('\n', nl + 1);
    if (nl === -1 && i < newEnd) return undefined;
    if (nl === -1) break;
  }
  const regionEnd = nl === -1 ? text.length : nl;
  const lastOld = old.lines[oldEnd];
  const oldRegionEnd = lastOld.offset + lastOld.length;
  const isLast = oldEnd === old.lineCount - 1;
  // The text after the region must be the old text after it (same endings, same lines).
  const oldNext = isLast ? old.text.length : old.text.indexOf('\n', oldRegionEnd);
  const newNext = nl === -1 ? text.length : nl;
  if ((nl === -1) !== isLast || text.length - newNext !== old.text.length - oldNext) return undefined;
  if (text.charCodeAt(offset) === 0xfeff) return undefined;
  // Parsed as a little script of its own: a CR before the LF that follows is a line ending in both.
  const region = parse(text.slice(offset, regionEnd));
  if (region.lineCount !== newEnd - start + 1) return undefined;
  const lines: ParsedLine[] = old.lines.slice(0, start);
  for (const l of region.lines) lines.push(relabel(l, start + l.line, offset + l.offset));
  const lineDelta = newEnd - oldEnd;
  const offsetDelta = text.length - old.text.length;
  for (let i = oldEnd + 1; i < old.lineCount; i++) {
    const l = old.lines[i];
    if (lineDelta === 0) {
      // Offsets only: ParsedLine objects are not referenced by diagnostics, so update in place.
      if (offsetDelta !== 0) l.offset += offsetDelta;
      lines.push(l);
    } else {
      lines.push(moved(l, i + lineDelta, l.offset + offsetDelta));
    }
  }
  const firstNl = text.indexOf('\n');
  const eol = firstNl > 0 && text.charCodeAt(firstNl - 1) === 0x0d ? '\r\n' : '\n';
  return { lines, lineCount: lines.length, text, eol };
}

/** A copy of a line at another line number (tokens are new: old ranges may be held by old diagnostics). */
function moved(l: ParsedLine, line: number, offset: number): ParsedLine {
  const tok = (t: Token): Token => ({ text: t.text, range: range(line, t.range.start.character, t.range.end.character) });
  const out: ParsedLine = { line, args: l.args.map(tok), offset, length: l.length };
  if (l.command) out.command = tok(l.command);
  if (l.comment) out.comment = tok(l.comment);
  return out;
}

function relabel(parsed: ParsedLine, L: number, offset: number): ParsedLine {
  const fix = (t: { range: { start: { line: number }; end: { line: number } } } | undefined): void => {
    if (t) t.range.start.line = t.range.end.line = L;
  };
  fix(parsed.command);
  parsed.args.forEach(fix);
  fix(parsed.comment);
  parsed.line = L;
  parsed.offset = offset;
  return parsed;
}
