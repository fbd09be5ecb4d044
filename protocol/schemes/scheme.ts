import { NodeId, ProtocolName, Stamp, StoreEntry } from '../messages';

export { DEFAULT_PROTOCOL, isProtocolName, ProtocolName, PROTOCOLS } from '../messages';

/**
 * Where a server's write stamps come from. One per server; it sees every stamp the server keeps, so
 * a scheme that needs to (a vector clock) can carry that knowledge into the next write.
 */
export interface WriteClock {
  /** The stamp of a new write; `lamport` is the server's message counter after receiving the put. */
  next(lamport: number): Stamp;
  /** A stamp this server has just kept (from a put, gossip or stabilize). */
  observe(stamp: Stamp): void;
}

/**
 * Everything that decides how writes are ordered and what a client's session guarantee asks of a
 * server. The nodes, the store and the record's readers take these from a scheme and never compare
 * stamps on their own.
 */
export interface Scheme {
  readonly name: ProtocolName;
  /** A total order on stamps, negative when `a` is older. Agrees with `resolve`: what replaces is greater. */
  compare(a: Stamp, b: Stamp): number;
  /**
   * What a store holding `held` keeps when `incoming` arrives, or null when it keeps `held` as it is.
   * Usually `incoming` itself when newer; a scheme may keep a merge of the two (vector: concurrent writes).
   */
  resolve(held: StoreEntry | undefined, incoming: StoreEntry): StoreEntry | null;
  /** A client's dependency on a key after it wrote or read `seen` (null: none before). */
  depend(dep: Stamp | null, seen: Stamp): Stamp;
  /** Whether a server whose copy has stamp `held` may answer a client depending on `dep`. */
  covers(held: Stamp | null, dep: Stamp): boolean;
  /** `start`: a rejoined server's first counter (docs/protocol.md: stamps never repeat). */
  writeClock(server: NodeId, start: number): WriteClock;
}
