import type { ClusterEvent } from '../record/events';
import { describeValue as describe, eventProblem } from '../record/schema';

/** A record as the checker reads it: the events in order, and where each one was in its file. */
export interface LoadedRecord {
  events: ClusterEvent[];
  /** 1-based line of each event in the file (events[i] was on line lineOf[i]). */
  lineOf: number[];
  /** The final `snapshot` line, if the record has one (the checker does not rely on it). */
  snapshot?: unknown;
}

/** A malformed record, located: `FILE:LINE:COL: error: MESSAGE`. */
export class RecordError extends Error {
  constructor(readonly line: number, readonly column: number, message: string) {
    super(message);
  }

  format(file: string): string {
    return `${file}:${this.line}:${this.column}: error: ${this.message}`;
  }
}

/** Parses a record file's text (JSON lines, docs/events.md); throws a located RecordError if it is malformed. */
export function parseRecord(text: string): LoadedRecord {
  const lines = text.split('\n');
  const events: ClusterEvent[] = [];
  const lineOf: number[] = [];
  let snapshot: unknown;
  let snapshotLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (raw.trim() === '') continue;
    const lineNo = i + 1;
    if (snapshotLine > 0) throw new RecordError(lineNo, 1, `nothing may follow the final snapshot (line ${snapshotLine})`);
    const value = parseLine(raw, lineNo);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RecordError(lineNo, firstNonBlank(raw), 'each line must be a JSON object');
    const obj = value as Record<string, unknown>;
    if (events.length === 0) checkHeader(obj, raw, lineNo);
    if (obj.type === 'snapshot') {
      if (!Array.isArray(obj.nodes)) throw located(raw, lineNo, 'nodes', 'snapshot needs a list "nodes"');
      snapshot = obj;
      snapshotLine = lineNo;
      continue;
    }
    validateEvent(obj, raw, lineNo, events.length === 0);
    events.push(obj as unknown as ClusterEvent);
    lineOf.push(lineNo);
  }
  if (events.length === 0) throw new RecordError(1, 1, 'empty record: expected a runStarted line');
  return { events, lineOf, snapshot };
}

function checkHeader(obj: Record<string, unknown>, raw: string, lineNo: number): void {
  if (obj.type !== 'runStarted') throw located(raw, lineNo, 'type', `the first line must be runStarted (format kvcmd-record), not ${describe(obj.type)}`);
  if (obj.format !== 'kvcmd-record') throw located(raw, lineNo, 'format', `unknown format ${describe(obj.format)} (expected "kvcmd-record")`);
  if (obj.version !== 1) throw located(raw, lineNo, 'version', `unsupported version ${describe(obj.version)} of kvcmd-record (this checker reads version 1)`);
}

function validateEvent(obj: Record<string, unknown>, raw: string, lineNo: number, first: boolean): void {
  const bad = eventProblem(obj);
  if (bad?.missing) throw new RecordError(lineNo, Math.max(1, raw.lastIndexOf('}') + 1), bad.problem);
  if (bad) throw located(raw, lineNo, bad.field, bad.problem);
  if (obj.type === 'runStarted' && !first) throw located(raw, lineNo, 'type', 'runStarted may only be the first line');
}

function firstNonBlank(raw: string): number {
  const m = /\S/.exec(raw);
  return m ? m.index + 1 : 1;
}

/** An error at a field: the column of its name in the line's top-level object, else of the line's first character. */
function located(raw: string, lineNo: number, field: string, message: string): RecordError {
  const at = topLevelKey(raw, field);
  return new RecordError(lineNo, at >= 0 ? at + 1 : firstNonBlank(raw), message);
}

/** Offset of `"field"` as a key of the outermost object of a valid JSON line (not a nested one's), or -1. */
function topLevelKey(raw: string, field: string): number {
  let depth = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      const start = i;
      for (i++; i < raw.length && raw[i] !== '"'; i++) if (raw[i] === '\\') i++;
      if (depth !== 1) continue;
      let j = i + 1;
      while (raw[j] === ' ' || raw[j] === '\t') j++;
      if (raw[j] === ':' && JSON.parse(raw.slice(start, i + 1)) === field) return start;
    }
  }
  return -1;
}

/** JSON.parse, and on failure a column found by a small scanner (V8's messages do not always give one). */
function parseLine(raw: string, lineNo: number): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    const { offset, message } = locateJsonError(raw);
    throw new RecordError(lineNo, offset + 1, `bad JSON: ${message}`);
  }
}

/** Scans one line of JSON; returns the offset (0-based, UTF-16) of the first thing that is not valid JSON. */
export function locateJsonError(s: string): { offset: number; message: string } {
  let i = 0;
  const fail = (message: string): never => {
    throw { offset: i, message };
  };
  const ws = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\r' || s[i] === '\n')) i++;
  };
  const value = (): void => {
    ws();
    const c = s[i];
    if (c === undefined) fail('unexpected end of line');
    if (c === '{') {
      i++;
      ws();
      if (s[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (s[i] !== '"') fail('expected a property name in double quotes');
        string();
        ws();
        if (s[i] !== ':') fail("expected ':' after the property name");
        i++;
        value();
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === '}') {
          i++;
          return;
        }
        fail(s[i] === undefined ? "unexpected end of line: missing '}'" : "expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (s[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ']') {
          i++;
          return;
        }
        fail(s[i] === undefined ? "unexpected end of line: missing ']'" : "expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(s.slice(i));
      if (!m) fail('bad number');
      i += m![0].length;
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (s.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    fail(`unexpected character ${JSON.stringify(c)}`);
  };
  const string = (): void => {
    i++;
    while (i < s.length) {
      const c = s[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = s[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) fail('bad \\u escape');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          fail('bad escape');
        }
        continue;
      }
      if (c < ' ') fail('control character in a string');
      i++;
    }
    fail('unterminated string');
  };
  try {
    value();
    ws();
    if (i < s.length) fail('unexpected text after the JSON value');
    return { offset: 0, message: 'not valid JSON' };
  } catch (e) {
    const err = e as { offset: number; message: string };
    return { offset: Math.min(err.offset, s.length), message: err.message };
  }
}
