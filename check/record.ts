import type { ClusterEvent } from '../record/events';

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

/** Events whose records only hold the records' format and the run's end: no script line. */
const UNCAUSED = new Set(['runStarted', 'runFinished']);

type FieldKind =
  | 'int' | 'num' | 'str' | 'bool' | 'stamp' | 'stamp?' | 'ids' | 'result' | 'entries' | 'obj' | 'msg'
  | readonly string[];

const MESSAGE_KINDS = ['put', 'putReply', 'get', 'getReply', 'gossip', 'spread', 'gossipAck', 'explore', 'exploreReply', 'install', 'installAck'];
const MESSAGE: Record<string, FieldKind> = { msg: 'msg', from: 'int', to: 'int', kind: MESSAGE_KINDS, node: 'int', counter: 'int' };

/** Every event type of format kvcmd-record version 1 (docs/events.md) and its required fields. */
const FIELDS: Record<string, Record<string, FieldKind>> = {
  runStarted: { format: 'str', version: 'int', seed: 'int', gossip: ['settled', 'async', 'off'], backend: ['processes', 'model'] },
  nodeStarted: { id: 'int', role: ['server', 'client'], port: 'int', pid: 'int' },
  nodeKilled: { id: 'int' },
  linkCut: { a: 'int', b: 'int' },
  linkCreated: { a: 'int', b: 'int' },
  put: { client: 'int', key: 'str', value: 'str', server: 'int', stamp: 'stamp', counter: 'int' },
  get: { client: 'int', key: 'str', server: 'int', result: 'result', depBefore: 'stamp?', depAfter: 'stamp?', counter: 'int' },
  failed: { client: 'int', op: ['put', 'get'], key: 'str', reason: 'str' },
  send: { ...MESSAGE, body: 'obj' },
  deliver: MESSAGE,
  lost: { ...MESSAGE, reason: ['link cut', 'unreachable'] },
  applied: { node: 'int', counter: 'int', key: 'str', value: 'str', stamp: 'stamp', via: ['put', 'gossip', 'stabilize'], from: 'int' },
  stabilizeBegun: { epoch: 'int' },
  stabilizeGroup: { epoch: 'int', root: 'int', members: 'ids' },
  stabilizeDone: { epoch: 'int', ms: 'num' },
  storePrinted: { server: 'int', entries: 'entries' },
  stdout: { text: 'str' },
  runFinished: { ok: 'bool', ms: 'num' },
};

/** Optional fields, checked when present. */
const OPTIONAL: Record<string, Record<string, FieldKind>> = {
  send: { re: 'msg' },
  deliver: { re: 'msg' },
  lost: { re: 'msg' },
  runFinished: { error: 'str' },
};

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
  const type = obj.type;
  if (typeof type !== 'string') throw located(raw, lineNo, 'type', 'missing field "type"');
  const fields = FIELDS[type];
  if (!fields) throw located(raw, lineNo, 'type', `unknown event type ${describe(type)}`);
  if (type === 'runStarted' && !first) throw located(raw, lineNo, 'type', 'runStarted may only be the first line');
  if (!UNCAUSED.has(type)) {
    checkField(obj, raw, lineNo, type, 'line', 'int');
    checkField(obj, raw, lineNo, type, 'step', 'int');
  }
  for (const [name, kind] of Object.entries(fields)) checkField(obj, raw, lineNo, type, name, kind);
  for (const [name, kind] of Object.entries(OPTIONAL[type] ?? {})) if (obj[name] !== undefined) checkField(obj, raw, lineNo, type, name, kind);
}

function checkField(obj: Record<string, unknown>, raw: string, lineNo: number, type: string, name: string, kind: FieldKind): void {
  if (!(name in obj)) throw new RecordError(lineNo, Math.max(1, raw.lastIndexOf('}') + 1), `${type} event is missing field "${name}"`);
  const problem = fieldProblem(obj[name], kind);
  if (problem) throw located(raw, lineNo, name, `${type}.${name}: ${problem}`);
}

/** What is wrong with a field's value, or undefined. */
function fieldProblem(v: unknown, kind: FieldKind): string | undefined {
  if (Array.isArray(kind)) return typeof v === 'string' && kind.includes(v) ? undefined : `expected one of ${kind.join(', ')}, got ${describe(v)}`;
  switch (kind) {
    case 'int': return isInt(v) ? undefined : `expected a non-negative integer, got ${describe(v)}`;
    case 'num': return typeof v === 'number' && Number.isFinite(v) ? undefined : `expected a number, got ${describe(v)}`;
    case 'str': return typeof v === 'string' ? undefined : `expected a string, got ${describe(v)}`;
    case 'bool': return typeof v === 'boolean' ? undefined : `expected true or false, got ${describe(v)}`;
    case 'obj': return isObject(v) ? undefined : `expected an object, got ${describe(v)}`;
    case 'msg': return typeof v === 'string' && /^[0-9]+\.[0-9]+$/.test(v) ? undefined : `expected a message name "FROM.ID", got ${describe(v)}`;
    case 'stamp': return isStamp(v) ? undefined : `expected a stamp {"counter":N,"server":ID}, got ${describe(v)}`;
    case 'stamp?': return v === null || isStamp(v) ? undefined : `expected a stamp {"counter":N,"server":ID} or null, got ${describe(v)}`;
    case 'ids': return Array.isArray(v) && v.every(isInt) ? undefined : `expected a list of ids, got ${describe(v)}`;
    case 'entries':
      return Array.isArray(v) && v.every((e) => isObject(e) && typeof e.key === 'string' && typeof e.value === 'string' && isStamp(e.stamp))
        ? undefined : 'expected a list of {"key","value","stamp"} entries';
    case 'result': {
      if (!isObject(v)) return `expected a get result object, got ${describe(v)}`;
      if (v.kind === 'value') return typeof v.value === 'string' && isStamp(v.stamp) ? undefined : 'a value result needs "value" (a string) and "stamp"';
      if (v.kind === 'ERR_KEY') return undefined;
      if (v.kind === 'ERR_DEP') return (v.held === null || isStamp(v.held)) && isStamp(v.dep) ? undefined : 'an ERR_DEP result needs "held" (a stamp or null) and "dep" (a stamp)';
      return `unknown result kind ${describe(v.kind)} (expected value, ERR_KEY or ERR_DEP)`;
    }
  }
  return undefined;
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStamp(v: unknown): boolean {
  return isObject(v) && isInt(v.counter) && isInt(v.server);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
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
