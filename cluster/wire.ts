import { Envelope, StoreEntry } from '../protocol/messages';
import { checkEnvelope, WireError } from './envelopeCheck';

/**
 * How an Envelope is laid out as an XML-RPC value. Everything is a plain XML-RPC struct of ints and
 * strings (`toWire`, the form of docs/nodes.md), with two exceptions:
 * - store entry lists (stabilize's gather and install) travel as ONE string of JSON tuples: as
 *   nested structs, 1,000 entries cost the xmlrpc package ~60 ms to write and ~70 ms to parse; as
 *   one string, well under a millisecond;
 * - a string that XML 1.0 cannot carry (control characters, U+FFFE, U+FFFF, lone surrogates: all
 *   legal in a key or value) travels as XML-RPC base64 of its JSON form, so nothing is lost.
 *
 * Between kvcmd's own forked nodes (a run without nodes you bring) the envelope goes as ONE
 * XML-RPC string instead, its JSON text (`toWireText`): the package reads and writes a struct
 * member by member (sax, xmlbuilder), and a put's struct of ~40 elements cost it more than the
 * rest of the call. Every node reads both forms (`fromWire`).
 */
type WireEntry = [key: string, value: string, counter: number, server: number, vector?: Record<number, number>];

// Characters outside XML 1.0's Char production (tab, LF and CR never occur inside a token).
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** A text XML can carry: every character XML 1.0 cannot carry replaced by U+FFFD (for fault strings). */
export function xmlText(s: string): string {
  return s.replace(NOT_XML_EVERY, '\uFFFD');
}
const NOT_XML_EVERY = new RegExp(NOT_XML.source, 'gu');

export function toWire(env: Envelope): unknown {
  const body = env.body as { entries?: StoreEntry[] };
  if (!body.entries) return escapeStrings(env);
  return escapeStrings({ ...env, body: { ...body, entries: packEntries(body.entries) } });
}

/** Store entries as they travel: one string of JSON tuples (also in a node's snapshot, docs/nodes.md). */
export function packEntries(entries: readonly StoreEntry[]): string {
  return JSON.stringify(tuples(entries));
}

function tuples(entries: readonly StoreEntry[]): WireEntry[] {
  return entries.map((e) => (e.stamp.vector
    ? [e.key, e.value, e.stamp.counter, e.stamp.server, e.stamp.vector]
    : [e.key, e.value, e.stamp.counter, e.stamp.server]));
}

/** What JSON.stringify may leave in its text that XML either cannot carry or would have to escape. */
const TEXT_UNSAFE = /[<>&\uFFFE\uFFFF]/;
const TEXT_UNSAFE_EVERY = /[<>&\uFFFE\uFFFF]/g;
const escapeChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * The envelope as one string of JSON (kvcmd's own nodes among themselves), its entry lists as
 * lists of tuples, safe to put in XML as it is: JSON already escapes control characters and lone
 * surrogates, and `<`, `>`, `&`, U+FFFE and U+FFFF are written as \uXXXX escapes too, so the
 * package needs no CDATA, entity or base64 for it. `extra`: members the transport adds beside the
 * envelope's own (what the network did to it), which the envelope check leaves out.
 */
export function toWireText(env: Envelope, extra?: object): string {
  const body = env.body as { entries?: StoreEntry[] };
  const out = body.entries ? { ...env, body: { ...body, entries: tuples(body.entries) } } : env;
  const text = JSON.stringify(extra ? { ...out, ...extra } : out);
  return TEXT_UNSAFE.test(text) ? text.replace(TEXT_UNSAFE_EVERY, escapeChar) : text;
}

/** Reads an envelope off the wire, in either form; throws WireError (envelopeCheck.ts) for anything that is not one. */
export function fromWire(value: unknown): Envelope {
  return readWire(value).env;
}

/** `fromWire`, with the value as read (the struct, or the parsed JSON), where the transport's own members are. */
export function readWire(value: unknown): { env: Envelope; raw: unknown } {
  const raw = typeof value === 'string' ? parseText(value) : readStruct(value);
  return { env: checkEnvelope(raw), raw };
}

function readStruct(value: unknown): unknown {
  const raw = unescapeStrings(value) as { body?: { entries?: unknown } };
  const body = raw?.body;
  if (body && typeof body === 'object' && typeof body.entries === 'string') body.entries = unpackEntries(body.entries);
  return raw;
}

function parseText(text: string): unknown {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new WireError('the envelope is not JSON');
  }
  if (Array.isArray(raw)) throw new WireError('a list where one envelope was expected');
  return unpackText(raw);
}

/** An envelope parsed from its JSON text: its entry tuples made entries (still to be checked). */
function unpackText(raw: unknown): unknown {
  const body = (raw as { body?: { entries?: unknown } } | null)?.body;
  if (body && typeof body === 'object' && Array.isArray(body.entries)) body.entries = unpackTuples(body.entries);
  return raw;
}

export function unpackEntries(text: string): unknown[] {
  let packed: unknown;
  try {
    packed = JSON.parse(text);
  } catch {
    throw new WireError('entries are not JSON');
  }
  if (!Array.isArray(packed)) throw new WireError('entries are not a list');
  return unpackTuples(packed);
}

function unpackTuples(packed: unknown[]): unknown[] {
  return packed.map((t) => {
    if (!Array.isArray(t)) return t;
    if (t.length === 4) return { key: t[0], value: t[1], stamp: { counter: t[2], server: t[3] } };
    if (t.length === 5) return { key: t[0], value: t[1], stamp: { counter: t[2], server: t[3], vector: t[4] } };
    return t;
  });
}

/** Most requests one call may carry (a batch of async gossip between kvcmd's own nodes). */
export const MAX_BATCH = 10_000;

/** Several envelopes in one string: a JSON list of what `toWireText` writes (a batch of gossip, or its replies). */
export function toWireBatch(texts: readonly string[]): string {
  return `[${texts.join(',')}]`;
}

/** A batch is a string holding a list; a single envelope is an object (or a struct). */
export function isBatch(value: unknown): boolean {
  return typeof value === 'string' && value.charCodeAt(0) === 0x5b;
}

/** Reads a batch: every envelope in it checked; throws WireError for anything else. */
export function fromWireBatch(value: unknown): Envelope[] {
  return readWireBatch(value).map((r) => r.env);
}

/** `fromWireBatch`, with each item as read (readWire). */
export function readWireBatch(value: unknown): { env: Envelope; raw: unknown }[] {
  if (typeof value !== 'string') throw new WireError('a batch is not a string');
  let list: unknown;
  try {
    list = JSON.parse(value);
  } catch {
    throw new WireError('the batch is not JSON');
  }
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_BATCH) throw new WireError(`a batch is not a list of 1 to ${MAX_BATCH} envelopes`);
  return list.map((x) => {
    const raw = unpackText(x);
    return { env: checkEnvelope(raw), raw };
  });
}

export function escapeStrings(v: unknown): unknown {
  return mapLeaves(v, (x) => (typeof x === 'string' && NOT_XML.test(x) ? Buffer.from(JSON.stringify(x), 'utf8') : undefined));
}

export function unescapeStrings(v: unknown): unknown {
  return mapLeaves(v, (x) => {
    if (!Buffer.isBuffer(x)) return undefined;
    let s: unknown;
    try {
      s = JSON.parse(x.toString('utf8'));
    } catch {
      throw new WireError('a base64 string is not JSON');
    }
    if (typeof s !== 'string') throw new WireError('a base64 value is not a string');
    return s;
  });
}

/** Copies a value, replacing whatever `leaf` maps (it returns undefined to look inside instead). */
/** An envelope is a few levels deep (body, entry, stamp); anything deeper is not one. */
const MAX_DEPTH = 8;

function mapLeaves(v: unknown, leaf: (x: unknown) => unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new WireError('nested too deep');
  const mapped = leaf(v);
  if (mapped !== undefined) return mapped;
  if (Array.isArray(v)) return v.map((x) => mapLeaves(x, leaf, depth + 1));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = mapLeaves(x, leaf, depth + 1);
    return out;
  }
  return v;
}
