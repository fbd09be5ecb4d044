import { sortedIds } from './ids';
import { NodeId, PeerBody, StoreEntry } from './messages';

/** What the flood needs from its server. */
export interface FloodServer {
  linkedServers(): readonly NodeId[];
  request(to: NodeId, body: PeerBody, cont: (reply: PeerBody) => void): void;
  requestAll(requests: { to: NodeId; body: PeerBody }[], cont: (replies: PeerBody[]) => void): void;
}

/**
 * Floods a write from this server, in two steps that keep every node's message order fixed:
 * 1. a wave: `gossip` to every linked server not yet reached, all at once (each receiver gets exactly
 *    one message, and the acknowledgements are counted in id order), each answering with its own
 *    unreached neighbours;
 * 2. then, one at a time in ascending id order, `spread` to each receiver that still has unreached
 *    neighbours, which floods them the same way and reports who it reached.
 * On a complete graph this is one round trip; on a chain it is the depth-first walk.
 */
export function flood(server: FloodServer, entry: StoreEntry, visited: Set<NodeId>, done: (visited: ReadonlySet<NodeId>) => void): void {
  const targets = server.linkedServers().filter((s) => !visited.has(s));
  for (const t of targets) visited.add(t);
  const reached = sortedIds(visited);
  const wave = targets.map((to) => ({ to, body: { type: 'gossip', entry, visited: reached } as PeerBody }));
  server.requestAll(wave, (replies) => {
    const frontiers = new Map<NodeId, NodeId[]>();
    replies.forEach((r, i) => {
      if (r.type !== 'gossipAck') return;
      for (const v of r.visited) visited.add(v);
      if (r.frontier.length > 0) frontiers.set(targets[i], r.frontier);
    });
    const step = (): void => {
      const next = targets.find((t) => frontiers.get(t)?.some((s) => !visited.has(s)));
      if (next === undefined) {
        done(visited);
        return;
      }
      frontiers.delete(next);
      server.request(next, { type: 'spread', entry, visited: sortedIds(visited) }, (reply) => {
        if (reply.type === 'gossipAck') for (const v of reply.visited) visited.add(v);
        step();
      });
    };
    step();
  });
}
