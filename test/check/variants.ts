// Deliberately broken servers, to show that the history checker (check/) catches real bugs.
// Each runs in the in-process model through ModelHostOptions.createNode; clients stay protocol's.
//
// ServerNode keeps its store logic private (`adopt`, `read`), so only the first variant is a plain
// subclass of it. The others subclass CopiedServer: ServerNode, gossip.ts and stabilize.ts copied
// here with a hook at each point a variant breaks. With no hook overridden it behaves exactly like
// ServerNode (variants.test.ts checks that on every sample).
import { createNode, ProtocolNode, ServerNode } from '../../protocol';
import type { ControlBody, Envelope, InitBody, NodeId, NodeSnapshot, PeerBody, Stamp, StoreEntry } from '../../protocol/messages';
import type { NodeConfig } from '../../protocol/node';

/** Ignores the client's dependency: answers whatever it holds, never ERR_DEP. */
export class IgnoreDepServer extends ServerNode {
  protected override onRequest(env: Envelope): void {
    if (env.body.type !== 'get') return super.onRequest(env);
    const held = this.store.get(env.body.key);
    this.reply(env, { type: 'getReply', key: env.body.key, result: held ? { kind: 'value', value: held.value, stamp: held.stamp } : { kind: 'ERR_KEY' } });
  }
}

function compareStamps(a: Stamp, b: Stamp): number {
  return a.counter !== b.counter ? a.counter - b.counter : a.server - b.server;
}

function sortedIds(ids: Iterable<NodeId>): NodeId[] {
  return [...ids].sort((a, b) => a - b);
}

function byKey(entries: StoreEntry[]): StoreEntry[] {
  return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** protocol/store.ts, with the keep-or-drop decision left to its server. */
class CopiedStore {
  readonly entries = new Map<string, StoreEntry>();

  constructor(private readonly keeps: (held: StoreEntry | undefined, incoming: StoreEntry) => boolean) {}

  merge(entries: Iterable<StoreEntry>): StoreEntry[] {
    const kept: StoreEntry[] = [];
    for (const e of entries) {
      if (!this.keeps(this.entries.get(e.key), e)) continue;
      this.entries.set(e.key, e);
      kept.push(e);
    }
    return kept;
  }

  newerThan(other: CopiedStore): StoreEntry[] {
    return [...this.entries.values()].filter((e) => {
      const theirs = other.entries.get(e.key);
      return !theirs || compareStamps(theirs.stamp, e.stamp) < 0;
    });
  }

  copy(): CopiedStore {
    const s = new CopiedStore(this.keeps);
    for (const [k, e] of this.entries) s.entries.set(k, e);
    return s;
  }

  sorted(): StoreEntry[] {
    return byKey([...this.entries.values()]);
  }
}

/** Last writer wins: greatest stamp (protocol/store.ts). */
const lastWriterWins = (held: StoreEntry | undefined, incoming: StoreEntry): boolean => !held || compareStamps(held.stamp, incoming.stamp) < 0;

interface Subtree {
  merged: CopiedStore;
  members: NodeId[];
  children: { id: NodeId; store: CopiedStore }[];
}

/** protocol/serverNode.ts + gossip.ts + stabilize.ts, copied, with hooks for the variants. */
export class CopiedServer extends ProtocolNode {
  readonly store: CopiedStore;
  private epoch = 0;
  private tree: Subtree | null = null;

  constructor(config: NodeConfig) {
    super(config, 'server');
    this.store = new CopiedStore((held, incoming) => this.keeps(held, incoming));
  }

  /** Whether a write is kept over what the store holds for its key. */
  protected keeps(held: StoreEntry | undefined, incoming: StoreEntry): boolean {
    return lastWriterWins(held, incoming);
  }

  /** The children a stabilize installs to, in order. */
  protected installTargets(children: Subtree['children']): Subtree['children'] {
    return children;
  }

  /** The servers one gossip wave goes to (ascending, not yet reached). */
  protected floodTargets(targets: NodeId[]): NodeId[] {
    return targets;
  }

  protected onControl(seq: number, body: ControlBody): void {
    if (body.type !== 'stabilize') {
      this.answer(seq, { type: 'error', message: `a server cannot ${body.type}` });
      return;
    }
    const epoch = body.epoch;
    if (epoch <= this.epoch) {
      this.answer(seq, { type: 'stabilizeDone', epoch, root: false, members: [] });
      return;
    }
    this.epoch = epoch;
    this.gather(epoch, new Set(), (tree) => {
      this.install(tree, this.id, epoch, () => this.answer(seq, { type: 'stabilizeDone', epoch, root: true, members: sortedIds(tree.members) }));
    });
  }

  protected onRequest(env: Envelope): void {
    const b = env.body;
    switch (b.type) {
      case 'put': {
        const entry: StoreEntry = { key: b.key, value: b.value, stamp: { counter: this.clock.value, server: this.id } };
        this.adopt([entry], 'put', env.from);
        this.reply(env, { type: 'putReply', key: b.key, stamp: entry.stamp });
        if (this.config.gossip !== 'off') {
          this.flood(entry, new Set([this.id]), () => this.notice({ type: 'gossipSettled', server: this.id, key: entry.key, stamp: entry.stamp }));
        }
        return;
      }
      case 'get': {
        const held = this.store.entries.get(b.key);
        const dep = b.dep;
        const result = dep === null
          ? (held ? { kind: 'value' as const, value: held.value, stamp: held.stamp } : { kind: 'ERR_KEY' as const })
          : (!held || compareStamps(held.stamp, dep) < 0 ? { kind: 'ERR_DEP' as const, held: held?.stamp ?? null, dep } : { kind: 'value' as const, value: held.value, stamp: held.stamp });
        this.reply(env, { type: 'getReply', key: b.key, result });
        return;
      }
      case 'gossip': {
        const visited = b.visited.includes(this.id) ? [...b.visited] : sortedIds([...b.visited, this.id]);
        const kept = this.adopt([b.entry], 'gossip', env.from).length > 0;
        const frontier = kept ? this.linked('server').filter((s) => !visited.includes(s)) : [];
        this.reply(env, { type: 'gossipAck', visited, frontier });
        return;
      }
      case 'spread': {
        const visited = new Set(b.visited);
        visited.add(this.id);
        this.flood(b.entry, visited, (reached) => this.reply(env, { type: 'gossipAck', visited: sortedIds(reached), frontier: [] }));
        return;
      }
      case 'explore': {
        if (b.epoch <= this.epoch) {
          this.reply(env, { type: 'exploreReply', epoch: b.epoch, joined: false, visited: b.visited, members: [], entries: [] });
          return;
        }
        this.epoch = b.epoch;
        this.gather(b.epoch, new Set(b.visited), (tree) => {
          this.tree = tree;
          this.reply(env, {
            type: 'exploreReply', epoch: b.epoch, joined: true, visited: sortedIds(new Set([...b.visited, ...tree.members])),
            members: sortedIds(tree.members), entries: tree.merged.sorted(),
          });
        });
        return;
      }
      case 'install': {
        const tree = this.tree ?? { merged: this.store.copy(), members: [this.id], children: [] };
        this.tree = null;
        tree.merged.merge(b.entries);
        this.install(tree, env.from, b.epoch, () => this.reply(env, { type: 'installAck', epoch: b.epoch }));
        return;
      }
      default:
        this.reply(env, { type: 'refused' });
    }
  }

  private adopt(entries: StoreEntry[], via: 'put' | 'gossip' | 'stabilize', from: NodeId): StoreEntry[] {
    const kept = this.store.merge(entries);
    for (const e of kept) this.record({ type: 'applied', node: this.id, counter: this.clock.value, cause: this.cause, key: e.key, value: e.value, stamp: e.stamp, via, from });
    return kept;
  }

  private ask(to: NodeId, body: PeerBody, cont: (reply: PeerBody) => void): void {
    this.request(to, body, (env) => cont(env.body));
  }

  /** gossip.ts's flood. */
  private flood(entry: StoreEntry, visited: Set<NodeId>, done: (visited: ReadonlySet<NodeId>) => void): void {
    const targets = this.floodTargets(this.linked('server').filter((s) => !visited.has(s)));
    for (const t of targets) visited.add(t);
    const reached = sortedIds(visited);
    this.requestAll(targets.map((to) => ({ to, body: { type: 'gossip', entry, visited: reached } as PeerBody })), (envs) => {
      const frontiers = new Map<NodeId, NodeId[]>();
      envs.forEach((env, i) => {
        const r = env.body;
        if (r.type !== 'gossipAck') return;
        for (const v of r.visited) visited.add(v);
        if (r.frontier.length > 0) frontiers.set(targets[i], r.frontier);
      });
      const step = (): void => {
        const next = targets.find((t) => frontiers.get(t)?.some((s) => !visited.has(s)));
        if (next === undefined) return done(visited);
        frontiers.delete(next);
        this.ask(next, { type: 'spread', entry, visited: sortedIds(visited) }, (reply) => {
          if (reply.type === 'gossipAck') for (const v of reply.visited) visited.add(v);
          step();
        });
      };
      step();
    });
  }

  /** stabilize.ts's gather. */
  private gather(epoch: number, visited: Set<NodeId>, done: (tree: Subtree) => void): void {
    const tree: Subtree = { merged: this.store.copy(), members: [this.id], children: [] };
    visited.add(this.id);
    const step = (): void => {
      const next = this.linked('server').find((s) => !visited.has(s));
      if (next === undefined) return done(tree);
      visited.add(next);
      this.ask(next, { type: 'explore', epoch, visited: sortedIds(visited) }, (reply) => {
        if (reply.type === 'exploreReply') {
          for (const v of reply.visited) visited.add(v);
          if (reply.joined) {
            const store = new CopiedStore(lastWriterWins);
            store.merge(reply.entries);
            tree.children.push({ id: next, store });
            tree.merged.merge(reply.entries);
            tree.members.push(...reply.members);
          }
        }
        step();
      });
    };
    step();
  }

  /** stabilize.ts's install. */
  private install(tree: Subtree, parent: NodeId, epoch: number, done: () => void): void {
    this.adopt(tree.merged.sorted(), 'stabilize', parent);
    const children = this.installTargets(tree.children);
    let i = 0;
    const step = (): void => {
      if (i === children.length) return done();
      const child = children[i++];
      this.ask(child.id, { type: 'install', epoch, entries: byKey(tree.merged.newerThan(child.store)) }, () => step());
    };
    step();
  }

  snapshot(): NodeSnapshot {
    return { id: this.id, role: 'server', counter: this.clock.value, links: sortedIds(this.links.keys()), store: this.store.sorted(), deps: [] };
  }
}

/** Inverted last writer wins: keeps the older write (a key's first write stays for ever, a newer one is dropped). */
export class KeepOlderServer extends CopiedServer {
  protected override keeps(held: StoreEntry | undefined, incoming: StoreEntry): boolean {
    return !held || compareStamps(held.stamp, incoming.stamp) > 0;
  }
}

/** A stabilize that never installs to its last child: that subtree keeps its old stores. */
export class SkipLastChildServer extends CopiedServer {
  protected override installTargets(children: Subtree['children']): Subtree['children'] {
    return children.slice(0, -1);
  }
}

/** Gossip that forgets a neighbour: each wave skips its highest-id target. */
export class ForgetfulGossipServer extends CopiedServer {
  protected override floodTargets(targets: NodeId[]): NodeId[] {
    return targets.slice(0, -1);
  }
}

export const VARIANTS = {
  correct: ServerNode,
  copied: CopiedServer,
  ignoreDep: IgnoreDepServer,
  keepOlder: KeepOlderServer,
  skipLastChild: SkipLastChildServer,
  forgetfulGossip: ForgetfulGossipServer,
} as const;

export type VariantName = keyof typeof VARIANTS;

/** A node factory for ModelHostOptions.createNode: the variant's servers, protocol's clients. */
export function variantFactory(name: VariantName): (init: InitBody) => ProtocolNode {
  const Server = VARIANTS[name];
  return (init) => (init.role === 'server' ? new Server({ id: init.id, seed: init.seed, gossip: init.gossip, trace: init.trace, clock: init.clock ?? 0, protocol: init.protocol }) : createNode(init));
}
