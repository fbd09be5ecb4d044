import { flood, FloodHost } from './gossip';
import { sortedIds } from './ids';
import { ControlBody, Envelope, GetResult, NodeSnapshot, PeerBody, StoreEntry } from './messages';
import { NodeConfig, ProtocolNode } from './node';
import { compareStamps } from './stamp';
import { gather, install, StabilizeHost, Subtree } from './stabilize';
import { Store } from './store';

/**
 * A server: applies puts with a fresh Lamport stamp, answers gets with the session checks of SPEC 5,
 * floods new writes to its linked servers, and takes part in stabilize.
 */
export class ServerNode extends ProtocolNode {
  readonly store = new Store();
  /** The newest stabilize epoch this server has joined: a second explore in it is turned away. */
  private epoch = 0;
  /** This server's part of the spanning tree of the current stabilize, kept between gather and install. */
  private tree: Subtree | null = null;
  private readonly host: StabilizeHost & FloodHost;

  constructor(config: NodeConfig) {
    super(config, 'server');
    this.host = {
      id: this.id,
      linkedServers: () => this.linked('server'),
      request: (to, body, cont) => this.request(to, body, (env) => cont(env.body)),
      requestAll: (requests, cont) => this.requestAll(requests, (envs) => cont(envs.map((e) => e.body))),
      adopt: (entries) => this.adopt(entries, 'stabilize'),
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
    gather(this.host, this.store, epoch, new Set(), (tree) => {
      install(this.host, tree, epoch, () => {
        this.answer(seq, { type: 'stabilizeDone', epoch, root: true, members: sortedIds(tree.members) });
      });
    });
  }

  protected onRequest(env: Envelope): void {
    const b = env.body;
    switch (b.type) {
      case 'put': {
        const entry: StoreEntry = { key: b.key, value: b.value, stamp: { counter: this.clock.value, server: this.id } };
        this.adopt([entry], 'put');
        this.reply(env, { type: 'putReply', key: b.key, stamp: entry.stamp });
        if (this.config.gossip !== 'off') {
          flood(this.host, entry, new Set([this.id]), () => {
            this.notice({ type: 'gossipSettled', server: this.id, key: entry.key, stamp: entry.stamp });
          });
        }
        return;
      }
      case 'get':
        this.reply(env, { type: 'getReply', key: b.key, result: this.read(b.key, b.dep) });
        return;
      case 'gossip': {
        const visited = new Set(b.visited);
        visited.add(this.id);
        // Newer: keep it and tell the sender which neighbours still lack it. Older or equal: drop it.
        const kept = this.adopt([b.entry], 'gossip').length > 0;
        const frontier = kept ? this.linked('server').filter((s) => !visited.has(s)) : [];
        this.reply(env, { type: 'gossipAck', visited: sortedIds(visited), frontier });
        return;
      }
      case 'spread': {
        const visited = new Set(b.visited);
        visited.add(this.id);
        flood(this.host, b.entry, visited, (reached) => this.reply(env, { type: 'gossipAck', visited: reached, frontier: [] }));
        return;
      }
      case 'explore': {
        if (b.epoch <= this.epoch) {
          this.reply(env, { type: 'exploreReply', epoch: b.epoch, joined: false, visited: b.visited, members: [], entries: [] });
          return;
        }
        this.epoch = b.epoch;
        gather(this.host, this.store, b.epoch, new Set(b.visited), (tree) => {
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
        install(this.host, tree, b.epoch, () => this.reply(env, { type: 'installAck', epoch: b.epoch }));
        return;
      }
      default:
        this.reply(env, { type: 'refused' });
    }
  }

  /** SPEC 5: ERR_DEP when this server's copy is missing or older than the client's dependency. */
  private read(key: string, dep: PeerBodyDep): GetResult {
    const held = this.store.get(key);
    if (dep === null) return held ? { kind: 'value', value: held.value, stamp: held.stamp } : { kind: 'ERR_KEY' };
    if (!held || compareStamps(held.stamp, dep) < 0) return { kind: 'ERR_DEP', held: held?.stamp ?? null, dep };
    return { kind: 'value', value: held.value, stamp: held.stamp };
  }

  private adopt(entries: StoreEntry[], via: 'put' | 'gossip' | 'stabilize'): StoreEntry[] {
    const kept = this.store.merge(entries);
    // Like message traces, applies are reported only when asked: each is an IPC message in a real run.
    if (this.config.trace) for (const e of kept) this.notice({ type: 'applied', server: this.id, key: e.key, value: e.value, stamp: e.stamp, via });
    return kept;
  }

  snapshot(): NodeSnapshot {
    return { id: this.id, role: 'server', counter: this.clock.value, links: [...this.links.keys()].sort((a, b) => a - b), store: this.store.sorted(), deps: [] };
  }
}

type PeerBodyDep = Extract<PeerBody, { type: 'get' }>['dep'];
