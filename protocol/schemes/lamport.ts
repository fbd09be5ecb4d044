import { NodeId, ProtocolName, Stamp, StoreEntry } from '../messages';
import { Scheme, WriteClock } from './scheme';

/**
 * Lamport stamps `(counter, server)`: a write is stamped with its server's message counter; stamps
 * compare by counter, and an equal counter goes to the higher server id (`lamport`) or to the lower
 * one (`lamport-low`, which also counts writes on their own counter rather than every message).
 * Built from closures so that `scheme.compare` can be handed to sort() as it is.
 */
function lamportScheme(name: ProtocolName, lowWins: boolean): Scheme {
  const compare = (a: Stamp, b: Stamp): number => {
    if (a.counter !== b.counter) return a.counter - b.counter;
    return lowWins ? b.server - a.server : a.server - b.server;
  };
  return {
    name,
    compare,
    resolve: (held: StoreEntry | undefined, incoming: StoreEntry) => (held && compare(held.stamp, incoming.stamp) >= 0 ? null : incoming),
    depend: (dep: Stamp | null, seen: Stamp) => (dep !== null && compare(dep, seen) >= 0 ? dep : seen),
    covers: (held: Stamp | null, dep: Stamp) => held !== null && compare(held, dep) >= 0,
    writeClock(server: NodeId, start: number): WriteClock {
      if (!lowWins) return { next: (lamport) => ({ counter: lamport, server }), observe: () => {} };
      // A write counter: +1 per put here, raised to any greater counter this server keeps.
      let count = start;
      return {
        next: () => ({ counter: ++count, server }),
        observe: (s) => { count = Math.max(count, s.counter); },
      };
    },
  };
}

export const lamport: Scheme = lamportScheme('lamport', false);
export const lamportLow: Scheme = lamportScheme('lamport-low', true);
