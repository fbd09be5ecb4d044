// What clients send is checked before the server keeps it: a malformed `kvcmd/runResults` must
// not make every later hover fail. Each event of a pushed run is checked against the record's
// format (record/events.ts, docs/events.md); a malformed event is dropped (and counted, so that
// the server can log a warning), the rest of the run is kept. The schema mirrors check/record.ts,
// which checks record files; here the events arrive as JSON values, not lines of a file.
import type { ClusterEvent } from '../record/events';
import type { RunResultsParams } from './customMessages';

type Kind = 'int' | 'num' | 'str' | 'bool' | 'stamp' | 'stamp?' | 'ids' | 'result' | 'entries' | 'body' | 'msg' | readonly string[];

const MESSAGE_KINDS = ['put', 'putReply', 'get', 'getReply', 'gossip', 'spread', 'gossipAck', 'explore', 'exploreReply', 'install', 'installAck'];
const MESSAGE: Record<string, Kind> = { msg: 'msg', from: 'int', to: 'int', kind: MESSAGE_KINDS, node: 'int', counter: 'int' };

const FIELDS: Record<string, Record<string, Kind>> = {
  runStarted: { seed: 'int', gossip: ['settled', 'async', 'off'] },
  nodeStarted: { id: 'int', role: ['server', 'client'], port: 'int', pid: 'int' },
  nodeKilled: { id: 'int' },
  linkCut: { a: 'int', b: 'int' },
  linkCreated: { a: 'int', b: 'int' },
  put: { client: 'int', key: 'str', value: 'str', server: 'int', stamp: 'stamp', counter: 'int' },
  get: { client: 'int', key: 'str', server: 'int', result: 'result', depBefore: 'stamp?', depAfter: 'stamp?', counter: 'int' },
  failed: { client: 'int', op: ['put', 'get'], key: 'str', reason: 'str' },
  send: { ...MESSAGE, body: 'body' },
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
const OPTIONAL: Record<string, Record<string, Kind>> = {
  send: { re: 'msg' }, deliver: { re: 'msg' }, lost: { re: 'msg' }, runFinished: { error: 'str' },
};
const UNCAUSED = new Set(['runStarted', 'runFinished']);
const BODY: Record<string, Kind> = { key: 'str', value: 'str', stamp: 'stamp', dep: 'stamp?', result: 'result', epoch: 'int', joined: 'bool', entries: 'int' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isStamp = (v: unknown): boolean => isObject(v) && isInt(v.counter) && isInt(v.server);

function fits(v: unknown, kind: Kind): boolean {
  if (Array.isArray(kind)) return typeof v === 'string' && kind.includes(v);
  switch (kind) {
    case 'int': return isInt(v);
    case 'num': return typeof v === 'number' && Number.isFinite(v);
    case 'str': return typeof v === 'string';
    case 'bool': return typeof v === 'boolean';
    case 'msg': return typeof v === 'string';
    case 'stamp': return isStamp(v);
    case 'stamp?': return v === null || isStamp(v);
    case 'ids': return Array.isArray(v) && v.every(isInt);
    case 'entries': return Array.isArray(v) && v.every((e) => isObject(e) && typeof e.key === 'string' && typeof e.value === 'string' && isStamp(e.stamp));
    case 'body': return isObject(v) && Object.entries(BODY).every(([k, kk]) => v[k] === undefined || fits(v[k], kk));
    case 'result':
      if (!isObject(v)) return false;
      if (v.kind === 'value') return typeof v.value === 'string' && isStamp(v.stamp);
      if (v.kind === 'ERR_KEY') return true;
      if (v.kind === 'ERR_DEP') return (v.held === null || isStamp(v.held)) && isStamp(v.dep);
      return false;
    default: return false;
  }
}

/** Why an event is malformed, or undefined when it is a well-formed event of the record's format. */
export function eventProblem(e: unknown): string | undefined {
  if (!isObject(e)) return 'not an object';
  const type = e.type;
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type)) return `unknown event type ${JSON.stringify(type) ?? 'undefined'}`;
  if (!UNCAUSED.has(type)) {
    for (const f of ['line', 'step']) if (!isInt(e[f])) return `${type}.${f} is not a non-negative integer`;
  }
  for (const [name, kind] of Object.entries(FIELDS[type])) if (!fits(e[name], kind)) return `${type}.${name} is missing or malformed`;
  for (const [name, kind] of Object.entries(OPTIONAL[type] ?? {})) if (e[name] !== undefined && !fits(e[name], kind)) return `${type}.${name} is malformed`;
  return undefined;
}

export interface CheckedRunResults {
  /** The notification with only its well-formed events; undefined when it cannot be used at all. */
  params?: RunResultsParams;
  /** What was wrong: one entry per dropped event kind of problem (with a count), or why it was refused. */
  problems: string[];
  dropped: number;
}

/** Checks a `kvcmd/runResults` notification as it arrived. */
export function checkRunResults(raw: unknown): CheckedRunResults {
  if (!isObject(raw)) return { problems: ['the notification is not an object'], dropped: 0 };
  if (typeof raw.uri !== 'string') return { problems: ['uri is not a string'], dropped: 0 };
  if (!Number.isInteger(raw.version)) return { problems: ['version is not an integer'], dropped: 0 };
  if (!isInt(raw.seed)) return { problems: ['seed is not a non-negative integer'], dropped: 0 };
  if (typeof raw.gossip !== 'string') return { problems: ['gossip is not a string'], dropped: 0 };
  if (!Array.isArray(raw.events)) return { problems: ['events is not a list'], dropped: 0 };
  const events: ClusterEvent[] = [];
  const counts = new Map<string, number>();
  for (const e of raw.events) {
    const problem = eventProblem(e);
    if (problem === undefined) events.push(e as ClusterEvent);
    else counts.set(problem, (counts.get(problem) ?? 0) + 1);
  }
  const dropped = raw.events.length - events.length;
  const problems = [...counts].map(([p, n]) => (n > 1 ? `${p} (${n} events)` : p));
  const params: RunResultsParams = {
    uri: raw.uri,
    version: raw.version as number,
    seed: raw.seed,
    gossip: raw.gossip,
    finishedAt: typeof raw.finishedAt === 'string' ? raw.finishedAt : 'an unknown time',
    events,
  };
  if (isObject(raw.snapshot)) params.snapshot = raw.snapshot as unknown as RunResultsParams['snapshot'];
  if (typeof raw.finishedAt !== 'string') problems.push('finishedAt is not a string');
  return { params, problems, dropped };
}
