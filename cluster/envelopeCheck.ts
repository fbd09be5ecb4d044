import type { Cause, Envelope, GetResult, NodeId, PeerBody, Stamp, StoreEntry } from '../protocol/messages';

/**
 * Everything a node takes from the network is checked here before the protocol sees it: types,
 * integer ranges, string contents and sizes. Anything else is refused with the reason, never
 * thrown deeper: a forged or broken call must not crash a node, plant a stamp from the far future,
 * or put a line break into what the script prints. (Authentication is the transport's: a call
 * without the run's secret never gets this far.)
 */
export class WireError extends Error {}

/** Counters, ids and line numbers: non-negative 32-bit integers, as XML-RPC's i4 carries them. */
const MAX_INT = 2 ** 31 - 1;
/** Keys and values are script tokens: no white space, at most this long. */
export const MAX_TOKEN = 4 * 1024 * 1024;
/** Stores in stabilize and visited lists: at most this many items. */
export const MAX_ITEMS = 1_000_000;

function fail(what: string): never {
  throw new WireError(what);
}

export function obj(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`${what} is not a struct`);
  return v as Record<string, unknown>;
}

export function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_INT) fail(`${what} is not an integer from 0 to ${MAX_INT}`);
  return v;
}

/**
 * A Lamport counter that travels: at most 2^30. A receiver sets its own counter above it, so one
 * forged value near 2^31 would push an honest node's later messages out of XML-RPC's integer range
 * and every peer would refuse them; a real run never comes near.
 */
export const MAX_COUNTER = 2 ** 30;

function counter(v: unknown): number {
  const n = int(v, 'counter');
  if (n > MAX_COUNTER) fail(`counter ${n} is above ${MAX_COUNTER}, more than any run counts`);
  return n;
}

export function bool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') fail(`${what} is not a boolean`);
  return v;
}

export function token(v: unknown, what: string, key = false): string {
  if (typeof v !== 'string') fail(`${what} is not a string`);
  if (v.length === 0 || v.length > MAX_TOKEN) fail(`${what} is empty or longer than ${MAX_TOKEN}`);
  // Exactly the separators of a script line: a token never holds them, so a value cannot add a line to the output.
  if (/[ \t\n]/.test(v)) fail(`${what} holds a space, a tab or a line break`);
  if (key && v.includes(':')) fail(`${what} holds ':'`);
  return v;
}

export function ids(v: unknown, what: string): NodeId[] {
  if (!Array.isArray(v) || v.length > MAX_ITEMS) fail(`${what} is not a list of ids`);
  return v.map((x, i) => int(x, `${what}[${i}]`));
}

/** A vector clock holds one entry per server that ever wrote: far fewer than this. */
export const MAX_VECTOR = 10_000;

export function checkStamp(v: unknown, what: string): Stamp {
  const s = obj(v, what);
  const stamp: Stamp = { counter: int(s.counter, `${what}.counter`), server: int(s.server, `${what}.server`) };
  if (s.vector === undefined || s.vector === null || s.vector === '') return stamp;
  const vector = checkVector(s.vector, `${what}.vector`);
  // The sum is the counter (protocol/schemes/vector.ts): a stamp that lies about it could win every comparison.
  let sum = 0;
  for (const n of Object.values(vector)) sum += n;
  if (sum !== stamp.counter) fail(`${what}.counter is not the sum of its vector`);
  return { ...stamp, vector };
}

function checkVector(v: unknown, what: string): Record<number, number> {
  const raw = obj(v, what);
  const ids = Object.keys(raw);
  if (ids.length > MAX_VECTOR) fail(`${what} has more than ${MAX_VECTOR} entries`);
  const out: Record<number, number> = {};
  for (const id of ids) {
    if (!/^(0|[1-9]\d{0,9})$/.test(id)) fail(`${what} has a key that is not a server id`);
    const n = int(raw[id], `${what}.${id}`);
    if (n > 0) out[int(Number(id), `${what} key ${id}`)] = n;
  }
  return out;
}

export function stampOrNull(v: unknown, what: string): Stamp | null {
  return v === null || v === undefined || v === '' ? null : checkStamp(v, what);
}

export function checkEntry(v: unknown, what: string): StoreEntry {
  const e = obj(v, what);
  return { key: token(e.key, `${what}.key`, true), value: token(e.value, `${what}.value`), stamp: checkStamp(e.stamp, `${what}.stamp`) };
}

function entries(v: unknown, what: string): StoreEntry[] {
  if (!Array.isArray(v) || v.length > MAX_ITEMS) fail(`${what} is not a list of entries`);
  return v.map((x, i) => checkEntry(x, `${what}[${i}]`));
}

export function result(v: unknown, what: string): GetResult {
  const r = obj(v, what);
  switch (r.kind) {
    case 'value': return { kind: 'value', value: token(r.value, `${what}.value`), stamp: checkStamp(r.stamp, `${what}.stamp`) };
    case 'ERR_KEY': return { kind: 'ERR_KEY' };
    case 'ERR_DEP': return { kind: 'ERR_DEP', held: stampOrNull(r.held, `${what}.held`), dep: checkStamp(r.dep, `${what}.dep`) };
    default: return fail(`${what}.kind is not value, ERR_KEY or ERR_DEP`);
  }
}

function body(v: unknown): PeerBody {
  const b = obj(v, 'body');
  switch (b.type) {
    case 'put': return { type: 'put', key: token(b.key, 'key', true), value: token(b.value, 'value') };
    case 'putReply': return { type: 'putReply', key: token(b.key, 'key', true), stamp: checkStamp(b.stamp, 'stamp') };
    case 'get': return { type: 'get', key: token(b.key, 'key', true), dep: stampOrNull(b.dep, 'dep') };
    case 'getReply': return { type: 'getReply', key: token(b.key, 'key', true), result: result(b.result, 'result') };
    case 'gossip':
    case 'spread': return { type: b.type, entry: checkEntry(b.entry, 'entry'), visited: ids(b.visited, 'visited') };
    case 'gossipAck': return { type: 'gossipAck', visited: ids(b.visited, 'visited'), frontier: ids(b.frontier, 'frontier') };
    case 'explore': return { type: 'explore', epoch: int(b.epoch, 'epoch'), visited: ids(b.visited, 'visited') };
    case 'exploreReply': return {
      type: 'exploreReply', epoch: int(b.epoch, 'epoch'), joined: bool(b.joined, 'joined'), visited: ids(b.visited, 'visited'),
      members: ids(b.members, 'members'), entries: entries(b.entries, 'entries'),
    };
    case 'install': return { type: 'install', epoch: int(b.epoch, 'epoch'), entries: entries(b.entries, 'entries') };
    case 'installAck': return { type: 'installAck', epoch: int(b.epoch, 'epoch') };
    case 'refused':
    case 'unreachable': return { type: b.type };
    default: return fail(`body.type ${JSON.stringify(b.type)} is not a message kind`);
  }
}

export function cause(v: unknown, what = 'cause'): Cause {
  const c = obj(v, what);
  return { line: int(c.line, `${what}.line`), step: int(c.step, `${what}.step`) };
}

/** A whole envelope, rebuilt from checked fields only (nothing unknown is carried along). */
export function checkEnvelope(v: unknown): Envelope {
  const e = obj(v, 'envelope');
  return {
    from: int(e.from, 'from'), to: int(e.to, 'to'), id: int(e.id, 'id'), replyTo: int(e.replyTo, 'replyTo'),
    counter: counter(e.counter), cause: cause(e.cause), body: body(e.body),
  };
}
