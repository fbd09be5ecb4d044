import { Envelope, StoreEntry } from '../protocol/messages';

/**
 * How an Envelope is laid out as an XML-RPC value. Everything is a plain XML-RPC struct of ints and
 * strings, with two exceptions:
 * - store entry lists (stabilize's gather and install) travel as ONE string of JSON tuples: as
 *   nested structs, 1,000 entries cost the xmlrpc package ~60 ms to write and ~70 ms to parse; as
 *   one string, well under a millisecond;
 * - a string that XML 1.0 cannot carry (control characters, U+FFFE, U+FFFF, lone surrogates: all
 *   legal in a key or value) travels as XML-RPC base64 of its JSON form, so nothing is lost.
 */
type WireEntry = [key: string, value: string, counter: number, server: number];

// Characters outside XML 1.0's Char production (tab, LF and CR never occur inside a token).
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function toWire(env: Envelope): unknown {
  const body = env.body as { entries?: StoreEntry[] };
  if (!body.entries) return escapeStrings(env);
  const packed: WireEntry[] = body.entries.map((e) => [e.key, e.value, e.stamp.counter, e.stamp.server]);
  return escapeStrings({ ...env, body: { ...body, entries: JSON.stringify(packed) } });
}

export function fromWire(value: unknown): Envelope {
  const env = unescapeStrings(value) as Envelope;
  const body = env.body as { entries?: unknown };
  if (typeof body.entries !== 'string') return env;
  const packed = JSON.parse(body.entries) as WireEntry[];
  const entries: StoreEntry[] = packed.map(([key, v, counter, server]) => ({ key, value: v, stamp: { counter, server } }));
  return { ...env, body: { ...body, entries } as Envelope['body'] };
}

function escapeStrings(v: unknown): unknown {
  return mapLeaves(v, (x) => (typeof x === 'string' && NOT_XML.test(x) ? Buffer.from(JSON.stringify(x), 'utf8') : undefined));
}

function unescapeStrings(v: unknown): unknown {
  return mapLeaves(v, (x) => (Buffer.isBuffer(x) ? (JSON.parse(x.toString('utf8')) as string) : undefined));
}

/** Copies a value, replacing whatever `leaf` maps (it returns undefined to look inside instead). */
function mapLeaves(v: unknown, leaf: (x: unknown) => unknown): unknown {
  const mapped = leaf(v);
  if (mapped !== undefined) return mapped;
  if (Array.isArray(v)) return v.map((x) => mapLeaves(x, leaf));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = mapLeaves(x, leaf);
    return out;
  }
  return v;
}
