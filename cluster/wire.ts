import { Envelope, StoreEntry } from '../protocol/messages';

/**
 * How an Envelope is laid out as an XML-RPC value. Everything is a plain XML-RPC struct of ints and
 * strings, except store entry lists (stabilize's gather and install), which travel as ONE string
 * of JSON tuples: as nested structs, 1,000 entries cost the xmlrpc package ~60 ms to write and
 * ~70 ms to parse; as one string, well under a millisecond.
 */
type WireEntry = [key: string, value: string, counter: number, server: number];

export function toWire(env: Envelope): unknown {
  const body = env.body as { entries?: StoreEntry[] };
  if (!body.entries) return env;
  const packed: WireEntry[] = body.entries.map((e) => [e.key, e.value, e.stamp.counter, e.stamp.server]);
  return { ...env, body: { ...body, entries: JSON.stringify(packed) } };
}

export function fromWire(value: unknown): Envelope {
  const env = value as Envelope;
  const body = env.body as { entries?: unknown };
  if (typeof body.entries !== 'string') return env;
  const packed = JSON.parse(body.entries) as WireEntry[];
  const entries: StoreEntry[] = packed.map(([key, v, counter, server]) => ({ key, value: v, stamp: { counter, server } }));
  return { ...env, body: { ...body, entries } as Envelope['body'] };
}
