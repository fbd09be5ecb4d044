import { NodeId, PeerBody, StoreEntry } from './messages';
import { sortedIds } from './ids';
import { Store } from './store';

export interface StabilizeHost {
  readonly id: NodeId;
  linkedServers(): NodeId[];
  request(to: NodeId, body: PeerBody, cont: (reply: PeerBody) => void): void;
  /** Merges into the server's own store, reporting what it kept. */
  adopt(entries: StoreEntry[]): void;
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
export function gather(host: StabilizeHost, own: Store, epoch: number, visited: Set<NodeId>, done: (tree: Subtree) => void): void {
  const tree: Subtree = { merged: own.copy(), members: [host.id], children: [] };
  visited.add(host.id);
  const step = (): void => {
    const next = host.linkedServers().find((s) => !visited.has(s));
    if (next === undefined) {
      done(tree);
      return;
    }
    visited.add(next);
    host.request(next, { type: 'explore', epoch, visited: sortedIds(visited) }, (reply) => {
      if (reply.type === 'exploreReply') {
        for (const v of reply.visited) visited.add(v);
        if (reply.joined) {
          tree.children.push({ id: next, store: Store.of(reply.entries) });
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
 * Broadcast: adopt the final store, then send each child, in order, only what its subtree lacks.
 */
export function install(host: StabilizeHost, tree: Subtree, epoch: number, done: () => void): void {
  host.adopt(tree.merged.sorted());
  let i = 0;
  const step = (): void => {
    if (i === tree.children.length) {
      done();
      return;
    }
    const child = tree.children[i++];
    host.request(child.id, { type: 'install', epoch, entries: sortById(tree.merged.newerThan(child.store)) }, () => step());
  };
  step();
}

function sortById(entries: StoreEntry[]): StoreEntry[] {
  return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
