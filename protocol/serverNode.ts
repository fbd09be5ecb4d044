import { flood, FloodServer } from './gossip';
import { sortedIds, withId } from './ids';
import { ApplyVia, ControlBody, Envelope, GetResult, NodeId, NodeSnapshot, PeerBody, StoreEntry } from './messages';
import { NodeConfig, ProtocolNode } from './node';
import { WriteClock } from './schemes';
import { gather, install, StabilizeServer, Subtree } from './stabilize';
import { Store } from './store';

/**
 * A server: applies puts with a fresh Lamport stamp, answers gets with the session checks (docs/protocol.md),
 * floods new writes to its linked servers, and takes part in stabilize.
 */
export class ServerNode extends ProtocolNode {
  readonly store: Store;
  /** Where this server's write stamps come from (its scheme's). */
  private readonly writes: WriteClock;
  /** The newest stabilize epoch this server has joined: a second explore in it is turned away. */
  private epoch = 0;
  /** This server's part of the spanning tree of the current stabilize, kept between gather and install. */
  private tree: Subtree | null = null;
  /** What gossip.ts and stabilize.ts may do with this server. */
  private readonly self: StabilizeServer & FloodServer;

  constructor(config: NodeConfig) {
    super(config, 'server');
    this.store = new Store(this.scheme);
    this.writes = this.scheme.writeClock(this.id, config.clock ?? 0);
    this.self = {
      id: this.id,
      linkedServers: () => this.linked('server'),
      request: (to, body, cont) => this.request(to, body, (env) => cont(env.body)),
      requestAll: (requests, cont) => this.requestAll(requests, (envs) => cont(envs.map((e) => e.body))),
      adopt: (entries, from) => this.adopt(entries, 'stabilize', from),
    };
  }

  protected onControl(seq: number, body: ControlBody): void {
    if (body.type !== 'stabilize') {
      this.answer(seq, { type: 'error', message: `a server cannot ${body.type}` });
      return;
    }
    const epoch = body.epoch;
    // Already reached by another root's spanning tree in this round: its group is being handled.
    if (epoch <= this.epoch) {
      this.answer(seq, { type: 'stabilizeDone', epoch, root: false, members: [] });
      return;
    }
    this.epoch = epoch;
    gather(this.self, this.store, epoch, new Set(), (tree) => {
      install(this.self, tree, this.id, epoch, () => {
        this.answer(seq, { type: 'stabilizeDone', epoch, root: true, members: sortedIds(tree.members) });
      });
    });
  }

  protected onRequest(env: Envelope): void {
    const b = env.body;
    switch (b.type) {
      case 'put': {
        const entry: StoreEntry = { key: b.key, value: b.value, stamp: this.writes.next(this.clock.value) };
        this.adopt([entry], 'put', env.from);
        this.reply(env, { type: 'putReply', key: b.key, stamp: entry.stamp });
        if (this.config.gossip !== 'off') {
          // Only settled mode waits for the flood to end: in async mode nobody is told.
          const settled = this.config.gossip === 'settled';
          flood(this.self, entry, new Set([this.id]), () => {
            if (settled) this.notice({ type: 'gossipSettled', server: this.id, key: entry.key, stamp: entry.stamp });
          });
        }
        return;
      }
      case 'get':
        this.reply(env, { type: 'getReply', key: b.key, result: this.read(b.key, b.dep) });
        return;
      case 'gossip': {
        // The sender counts this server as reached already (gossip.ts), so `visited` holds it.
        const visited = withId(b.visited, this.id);
        // Newer: keep it and tell the sender which neighbours still lack it. Older or equal: drop it.
        const kept = this.adopt([b.entry], 'gossip', env.from).length > 0;
        const frontier = kept ? this.linked('server').filter((s) => !visited.includes(s)) : [];
        this.reply(env, { type: 'gossipAck', visited, frontier });
        return;
      }
      case 'spread': {
        const visited = new Set(b.visited);
        visited.add(this.id);
        flood(this.self, b.entry, visited, (reached) => this.reply(env, { type: 'gossipAck', visited: sortedIds(reached), frontier: [] }));
        return;
      }
      case 'explore': {
        if (b.epoch <= this.epoch) {
          this.reply(env, { type: 'exploreReply', epoch: b.epoch, joined: false, visited: b.visited, members: [], entries: [] });
          return;
        }
        this.epoch = b.epoch;
        gather(this.self, this.store, b.epoch, new Set(b.visited), (tree) => {
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
        install(this.self, tree, env.from, b.epoch, () => this.reply(env, { type: 'installAck', epoch: b.epoch }));
        return;
      }
      default:
        this.reply(env, { type: 'refused' });
    }
  }

  /** ERR_DEP (docs/protocol.md) when this server's copy does not cover the client's dependency (the scheme says). */
  private read(key: string, dep: PeerBodyDep): GetResult {
    const held = this.store.get(key);
    if (dep === null) return held ? { kind: 'value', value: held.value, stamp: held.stamp } : { kind: 'ERR_KEY' };
    if (!held || !this.scheme.covers(held.stamp, dep)) return { kind: 'ERR_DEP', held: held?.stamp ?? null, dep };
    return { kind: 'value', value: held.value, stamp: held.stamp };
  }

  /** Keeps what is newer; `from` is the node the entries came from (for a put, the client). */
  private adopt(entries: StoreEntry[], via: ApplyVia, from: NodeId): StoreEntry[] {
    const kept = this.store.merge(entries);
    for (const e of kept) {
      this.writes.observe(e.stamp);
      this.record({ type: 'applied', node: this.id, counter: this.clock.value, cause: this.cause, key: e.key, value: e.value, stamp: e.stamp, via, from });
    }
    return kept;
  }

  snapshot(): NodeSnapshot {
    return { id: this.id, role: 'server', counter: this.clock.value, links: sortedIds(this.links.keys()), store: this.store.sorted(), deps: [] };
  }
}

type PeerBodyDep = Extract<PeerBody, { type: 'get' }>['dep'];
