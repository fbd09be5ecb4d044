import { NodeId, Stamp, StoreEntry, VectorClock } from '../messages';
import { Scheme, WriteClock } from './scheme';

/**
 * Vector clocks (docs/protocol.md, "vector"). A stamp's `vector` counts, per server, the writes made
 * there that the write has seen; `counter` is the vector's sum and `server` the writer. A write
 * whose vector dominates another's replaces it. Two concurrent writes: the greater by (sum, server
 * id, then the vectors in id order) keeps its value, and the kept entry's vector becomes the join
 * of both, so that it supersedes both everywhere and the stores converge. A server covers a
 * client's dependency only when its copy's vector dominates it: it has seen every write the client
 * wrote or read there.
 */
export const vector: Scheme = {
  name: 'vector',

  compare(a: Stamp, b: Stamp): number {
    if (a.counter !== b.counter) return a.counter - b.counter;
    if (a.server !== b.server) return a.server - b.server;
    return lexicographic(a.vector ?? {}, b.vector ?? {});
  },

  resolve(held: StoreEntry | undefined, incoming: StoreEntry): StoreEntry | null {
    if (!held) return incoming;
    if (dominates(held.stamp, incoming.stamp)) return null;
    if (dominates(incoming.stamp, held.stamp)) return incoming;
    const winner = vector.compare(held.stamp, incoming.stamp) >= 0 ? held : incoming;
    return { key: held.key, value: winner.value, stamp: stampOf(join(held.stamp.vector, incoming.stamp.vector), winner.stamp.server) };
  },

  depend(dep: Stamp | null, seen: Stamp): Stamp {
    if (dep === null || dominates(seen, dep)) return seen;
    if (dominates(dep, seen)) return dep;
    return stampOf(join(dep.vector, seen.vector), vector.compare(dep, seen) >= 0 ? dep.server : seen.server);
  },

  covers(held: Stamp | null, dep: Stamp): boolean {
    return held !== null && dominates(held, dep);
  },

  writeClock(server: NodeId, start: number): WriteClock {
    // The server's own entry starts at `start` so a rejoined server's writes are new vectors.
    let known: VectorClock = start > 0 ? { [server]: start } : {};
    return {
      next: () => {
        known = { ...known, [server]: (known[server] ?? 0) + 1 };
        return stampOf(known, server);
      },
      observe: (s) => { known = join(known, s.vector); },
    };
  },
};

/** a has seen everything b has (every entry of b at most a's). */
export function dominates(a: Stamp, b: Stamp): boolean {
  const av = a.vector ?? {};
  for (const [id, n] of Object.entries(b.vector ?? {})) if ((av[Number(id)] ?? 0) < n) return false;
  return true;
}

function join(a: VectorClock | undefined, b: VectorClock | undefined): VectorClock {
  const out: VectorClock = { ...(a ?? {}) };
  for (const [id, n] of Object.entries(b ?? {})) if ((out[Number(id)] ?? 0) < n) out[Number(id)] = n;
  return ordered(out);
}

function stampOf(v: VectorClock, server: NodeId): Stamp {
  let sum = 0;
  for (const n of Object.values(v)) sum += n;
  return { counter: sum, server, vector: ordered(v) };
}

/** Without zero entries, so that equal clocks are equal objects (integer keys iterate ascending by themselves). */
function ordered(v: VectorClock): VectorClock {
  const out: VectorClock = {};
  for (const [id, n] of Object.entries(v)) if (n > 0) out[Number(id)] = n;
  return out;
}

function lexicographic(a: VectorClock, b: VectorClock): number {
  const ids = [...new Set([...Object.keys(a), ...Object.keys(b)].map(Number))].sort((x, y) => x - y);
  for (const id of ids) {
    const d = (a[id] ?? 0) - (b[id] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
