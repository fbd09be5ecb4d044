import { NodeId, PeerBody, StoreEntry } from './messages';

/** What the flood needs from its server. */
export interface FloodHost {
  linkedServers(): NodeId[];
  request(to: NodeId, body: PeerBody, cont: (reply: PeerBody) => void): void;
}

/**
 * Forwards a write depth-first: to each linked server in ascending id order that is not known to
 * have it yet, waiting for each acknowledgement (which reports who the write reached further on)
 * before the next. One message in flight at a time is what makes counters replayable.
 */
export function flood(host: FloodHost, entry: StoreEntry, visited: Set<NodeId>, done: (visited: NodeId[]) => void): void {
  const step = (): void => {
    const next = host.linkedServers().find((s) => !visited.has(s));
    if (next === undefined) {
      done([...visited].sort((a, b) => a - b));
      return;
    }
    visited.add(next);
    host.request(next, { type: 'gossip', entry, visited: [...visited].sort((a, b) => a - b) }, (reply) => {
      if (reply.type === 'gossipAck') for (const v of reply.visited) visited.add(v);
      step();
    });
  };
  step();
}
