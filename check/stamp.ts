import type { ProtocolName, Stamp } from '../protocol/messages';

// The checker's own stamp arithmetic, one per protocol the record names: it must not decide with
// the code it checks (protocol/schemes). Each is written here from docs/protocol.md, "Protocols".

export interface Order {
  /** A total order: negative when a is older. */
  compare(a: Stamp, b: Stamp): number;
  /** Whether a server holding `held` may answer a client depending on `dep` (else ERR_DEP is due). */
  covers(held: Stamp, dep: Stamp): boolean;
  /** A client's dependency after it wrote or read `seen`. */
  depend(dep: Stamp | null | undefined, seen: Stamp): Stamp;
  /** The write a stamp names (a merged vector stamp names the write whose value it kept). */
  writeId(s: Stamp): string;
  /** A write's stamp counter is its server's message counter when it applied the put (lamport only). */
  counterIsLamport: boolean;
  /** How a violation words a stamp that does not cover another: `older than`, or for vectors `which has not seen`. */
  behind: string;
}

function lamportOrder(lowWins: boolean): Order {
  const compare = (a: Stamp, b: Stamp): number => {
    if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
    if (a.server === b.server) return 0;
    return (a.server < b.server) !== lowWins ? -1 : 1;
  };
  return {
    compare,
    covers: (held, dep) => compare(held, dep) >= 0,
    depend: (dep, seen) => (dep && compare(dep, seen) >= 0 ? dep : seen),
    writeId: (s) => `${s.counter},${s.server}`,
    counterIsLamport: !lowWins,
    behind: 'older than',
  };
}

const entry = (s: Stamp, id: string): number => s.vector?.[Number(id)] ?? 0;

function vectorDominates(a: Stamp, b: Stamp): boolean {
  return Object.keys(b.vector ?? {}).every((id) => entry(a, id) >= entry(b, id));
}

const vectorOrder: Order = {
  compare(a, b) {
    if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
    if (a.server !== b.server) return a.server < b.server ? -1 : 1;
    const ids = [...new Set([...Object.keys(a.vector ?? {}), ...Object.keys(b.vector ?? {})])].map(Number).sort((x, y) => x - y);
    for (const id of ids) if (entry(a, String(id)) !== entry(b, String(id))) return entry(a, String(id)) < entry(b, String(id)) ? -1 : 1;
    return 0;
  },
  covers: vectorDominates,
  depend(dep, seen) {
    if (!dep || vectorDominates(seen, dep)) return seen;
    if (vectorDominates(dep, seen)) return dep;
    const joined: Record<number, number> = {};
    for (const s of [dep, seen]) for (const id of Object.keys(s.vector ?? {})) joined[Number(id)] = Math.max(joined[Number(id)] ?? 0, entry(s, id));
    const counter = Object.values(joined).reduce((x, y) => x + y, 0);
    return { counter, server: vectorOrder.compare(dep, seen) >= 0 ? dep.server : seen.server, vector: joined };
  },
  writeId: (s) => `${s.server}#${entry(s, String(s.server))}`,
  counterIsLamport: false,
  behind: 'which has not seen',
};

export function orderOf(protocol: ProtocolName | undefined): Order {
  switch (protocol) {
    case 'lamport-low': return lamportOrder(true);
    case 'vector': return vectorOrder;
    default: return lamportOrder(false);
  }
}

export function same(a: Stamp | null | undefined, b: Stamp | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.counter === b.counter && a.server === b.server && show(a) === show(b);
}

/** `(counter,server)`, or `{id:n,...}` for a vector stamp, as the docs write them; `none` for a missing one. */
export function show(s: Stamp | null | undefined): string {
  if (!s) return 'none';
  if (!s.vector) return `(${s.counter},${s.server})`;
  return `{${Object.keys(s.vector).map(Number).sort((x, y) => x - y).map((id) => `${id}:${s.vector![id]}`).join(',')}}`;
}
