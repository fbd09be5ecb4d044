import { NodeId, PeerBody, StoreEntry } from './messages';
import { sortedIds } from './ids';
import { sortByKey, Store } from './store';

/** What stabilize needs from its server. */
export interface StabilizeServer {
  readonly id: NodeId;
  linkedServers(): readonly NodeId[];
  request(to: NodeId, body: PeerBody, cont: (reply: PeerBody) => void): void;
  /** Merges into the server's own store, reporting what it kept and where it came from. */
  adopt(entries: StoreEntry[], from: NodeId): void;
}

export interface Subtree {
  /** Everything this server and its subtree hold, merged last-writer-wins. */
  merged: Store;
  members: NodeId[];
  children: { id: NodeId; store: Store }[];
}

/**
 * Gather: explore the linked servers depth-first (ascending ids, one at a time), each explored server
 * becoming a child in the spanning tree and answering with its subtree's merged store.
 */
export function gather(server: StabilizeServer, own: Store, epoch: number, visited: Set<NodeId>, done: (tree: Subtree) => void): void {
  const tree: Subtree = { merged: own.copy(), members: [server.id], children: [] };
  visited.add(server.id);
  const step = (): void => {
    const next = server.linkedServers().find((s) => !visited.has(s));
    if (next === undefined) {
      done(tree);
      return;
    }
    visited.add(next);
    server.request(next, { type: 'explore', epoch, visited: sortedIds(visited) }, (reply) => {
      if (reply.type === 'exploreReply') {
        for (const v of reply.visited) visited.add(v);
        if (reply.joined) {
          tree.children.push({ id: next, store: Store.of(reply.entries, own.scheme) });
          tree.merged.merge(reply.entries);
          tree.members.push(...reply.members);
        }
      }
      step();
    });
  };
  step();
}

/**
 * Broadcast: adopt the final store (it came from `parent`, or from this server's own gather at the
 * root), then send each child, in order, only what its subtree lacks.
 */
export function install(server: StabilizeServer, tree: Subtree, parent: NodeId, epoch: number, done: () => void): void {
  server.adopt(tree.merged.sorted(), parent);
  let i = 0;
  const step = (): void => {
    if (i === tree.children.length) {
      done();
      return;
    }
    const child = tree.children[i++];
    server.request(child.id, { type: 'install', epoch, entries: sortByKey(tree.merged.newerThan(child.store)) }, () => step());
  };
  step();
}
