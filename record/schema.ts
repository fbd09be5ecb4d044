// The record's format (kvcmd-record version 1, docs/events.md) as data: every event type with its
// fields and what each holds. One home for it: the checker reads record files against it
// (check/record.ts) and the language server checks the events the editor pushes (lsp/validate.ts).

import { PROTOCOLS } from '../protocol/messages';

export type FieldKind =
  | 'int' | 'num' | 'str' | 'bool' | 'stamp' | 'stamp?' | 'ids' | 'result' | 'entries' | 'body' | 'msg' | 'node*'
  | readonly string[];

export const MESSAGE_KINDS = ['put', 'putReply', 'get', 'getReply', 'gossip', 'spread', 'gossipAck', 'explore', 'exploreReply', 'install', 'installAck'] as const;
const MESSAGE: Record<string, FieldKind> = { msg: 'msg', from: 'int', to: 'int', kind: MESSAGE_KINDS, node: 'int', counter: 'int' };

/** Every event type and its required fields. */
export const EVENT_FIELDS: Readonly<Record<string, Record<string, FieldKind>>> = {
  runStarted: { format: 'str', version: 'int', seed: 'int', gossip: ['settled', 'async', 'off'], backend: ['processes', 'model'] },
  nodeStarted: { id: 'int', role: ['server', 'client'], port: 'int', pid: 'int' },
  nodeKilled: { id: 'int' },
  linkCut: { a: 'int', b: 'int' },
  linkCreated: { a: 'int', b: 'int' },
  put: { client: 'int', key: 'str', value: 'str', server: 'int', stamp: 'stamp', counter: 'int' },
  get: { client: 'int', key: 'str', server: 'int', result: 'result', depBefore: 'stamp?', depAfter: 'stamp?', counter: 'int' },
  failed: { client: 'int', op: ['put', 'get'], key: 'str', reason: 'str' },
  send: { ...MESSAGE, body: 'body' },
  deliver: MESSAGE,
  lost: { ...MESSAGE, reason: ['link cut', 'unreachable', 'dropped'] },
  applied: { node: 'int', counter: 'int', key: 'str', value: 'str', stamp: 'stamp', via: ['put', 'gossip', 'stabilize'], from: 'int' },
  stabilizeBegun: { epoch: 'int' },
  stabilizeGroup: { epoch: 'int', root: 'int', members: 'ids' },
  stabilizeDone: { epoch: 'int', ms: 'num' },
  storePrinted: { server: 'int', entries: 'entries' },
  stdout: { text: 'str' },
  fault: { fault: ['delay', 'drop', 'duplicate', 'heal'], from: 'node*', to: 'node*' },
  serverPaused: { server: 'int' },
  serverResumed: { server: 'int' },
  runFinished: { ok: 'bool', ms: 'num' },
};

/** Optional fields, checked when present (`t` on every event of a real run). */
export const OPTIONAL_FIELDS: Readonly<Record<string, Record<string, FieldKind>>> = {
  // Absent in records written before protocols could be chosen: those are `lamport`.
  runStarted: { protocol: PROTOCOLS },
  send: { re: 'msg', delay: 'int' },
  deliver: { re: 'msg', duplicate: 'bool' },
  lost: { re: 'msg', duplicate: 'bool' },
  fault: { ms: 'int', maxMs: 'int', p: 'num' },
  runFinished: { error: 'str' },
};

/** Events with no cause: the run's start and end. Every other event has `line` and `step`. */
export const UNCAUSED_EVENTS: ReadonlySet<string> = new Set(['runStarted', 'runFinished']);

const BODY: Record<string, FieldKind> = { key: 'str', value: 'str', stamp: 'stamp', dep: 'stamp?', result: 'result', epoch: 'int', joined: 'bool', entries: 'int' };

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isStamp(v: unknown): boolean {
  return isObject(v) && isInt(v.counter) && isInt(v.server) && (v.vector === undefined || isVector(v.vector));
}

function isVector(v: unknown): boolean {
  return isObject(v) && Object.entries(v).every(([id, n]) => /^(0|[1-9]\d*)$/.test(id) && isInt(n));
}

/** A value as an error message quotes it. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** What is wrong with a field's value, or undefined. */
export function fieldProblem(v: unknown, kind: FieldKind): string | undefined {
  if (Array.isArray(kind)) return typeof v === 'string' && kind.includes(v) ? undefined : `expected one of ${kind.join(', ')}, got ${describeValue(v)}`;
  switch (kind) {
    case 'int': return isInt(v) ? undefined : `expected a non-negative integer, got ${describeValue(v)}`;
    case 'node*': return isInt(v) || v === '*' ? undefined : `expected a node id or "*", got ${describeValue(v)}`;
    case 'num': return typeof v === 'number' && Number.isFinite(v) ? undefined : `expected a number, got ${describeValue(v)}`;
    case 'str': return typeof v === 'string' ? undefined : `expected a string, got ${describeValue(v)}`;
    case 'bool': return typeof v === 'boolean' ? undefined : `expected true or false, got ${describeValue(v)}`;
    case 'msg': return typeof v === 'string' && /^[0-9]+\.[0-9]+$/.test(v) ? undefined : `expected a message name "FROM.ID", got ${describeValue(v)}`;
    case 'stamp': return isStamp(v) ? undefined : `expected a stamp {"counter":N,"server":ID}, got ${describeValue(v)}`;
    case 'stamp?': return v === null || isStamp(v) ? undefined : `expected a stamp {"counter":N,"server":ID} or null, got ${describeValue(v)}`;
    case 'ids': return Array.isArray(v) && v.every(isInt) ? undefined : `expected a list of ids, got ${describeValue(v)}`;
    case 'entries':
      return Array.isArray(v) && v.every((e) => isObject(e) && typeof e.key === 'string' && typeof e.value === 'string' && isStamp(e.stamp))
        ? undefined : 'expected a list of {"key","value","stamp"} entries';
    case 'body': {
      if (!isObject(v)) return `expected an object, got ${describeValue(v)}`;
      for (const [k, kk] of Object.entries(BODY)) {
        const p = v[k] === undefined ? undefined : fieldProblem(v[k], kk);
        if (p) return `body.${k}: ${p}`;
      }
      return undefined;
    }
    case 'result': {
      if (!isObject(v)) return `expected a get result object, got ${describeValue(v)}`;
      if (v.kind === 'value') return typeof v.value === 'string' && isStamp(v.stamp) ? undefined : 'a value result needs "value" (a string) and "stamp"';
      if (v.kind === 'ERR_KEY') return undefined;
      if (v.kind === 'ERR_DEP') return (v.held === null || isStamp(v.held)) && isStamp(v.dep) ? undefined : 'an ERR_DEP result needs "held" (a stamp or null) and "dep" (a stamp)';
      return `unknown result kind ${describeValue(v.kind)} (expected value, ERR_KEY or ERR_DEP)`;
    }
  }
  return undefined;
}

/** The first thing wrong with an event, with the field it is about; undefined for a well-formed event. */
export function eventProblem(e: unknown): { field: string; problem: string; missing?: boolean } | undefined {
  if (!isObject(e)) return { field: '', problem: 'not an object' };
  const type = e.type;
  if (typeof type !== 'string') return { field: 'type', problem: 'missing field "type"' };
  const fields = EVENT_FIELDS[type];
  if (!fields || !Object.hasOwn(EVENT_FIELDS, type)) return { field: 'type', problem: `unknown event type ${describeValue(type)}` };
  const required: [string, FieldKind][] = UNCAUSED_EVENTS.has(type) ? [] : [['line', 'int'], ['step', 'int']];
  for (const [name, kind] of [...required, ...Object.entries(fields)]) {
    if (!(name in e)) return { field: name, problem: `${type} event is missing field "${name}"`, missing: true };
    const p = fieldProblem(e[name], kind);
    if (p) return { field: name, problem: `${type}.${name}: ${p}` };
  }
  for (const [name, kind] of Object.entries(OPTIONAL_FIELDS[type] ?? {})) {
    const p = e[name] === undefined ? undefined : fieldProblem(e[name], kind);
    if (p) return { field: name, problem: `${type}.${name}: ${p}` };
  }
  return undefined;
}
