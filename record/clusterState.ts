// The cluster as the record of a run says it is after each event: who is alive, who is linked to
// whom (and on which port), each server's store with the way every key arrived, each client's
// counter and dependencies. The master decides with it and the editor's views show it: both build
// it from the same events, so they cannot disagree. It re-implements no protocol rule: a server's
// store changes only through `applied` events, which the server reports for what it kept.
import type { LinkView } from '../language/noop';
import type { ApplyVia, NodeId, Role, Stamp } from '../protocol/messages';
import { sortedIds } from '../protocol/ids';
import { sameStamp, writeKey } from '../protocol/stamp';
import { Scheme, schemeOf } from '../protocol/schemes';
import type { ClusterEvent, ClusterSnapshot, EventOf } from './events';

export type PutEvent = EventOf<'put'>;

export interface KeyState {
  key: string;
  value: string;
  stamp: Stamp;
  /** How the write reached this server, when the record says (traced runs). */
  arrival?: { via: ApplyVia; from: NodeId; line: number };
}

interface NodeBase {
  id: NodeId;
  links: Set<NodeId>;
  /** Lamport counter: known from the events of a traced run, and from the final snapshot. */
  counter?: number;
  startedLine: number;
  pid?: number;
  port?: number;
}

export interface ServerState extends NodeBase {
  alive: boolean;
  store: Map<string, KeyState>;
  killedLine?: number;
}

export interface DepState {
  key: string;
  stamp: Stamp;
  /** The line of the put or get that last raised it (unknown after a snapshot-only refresh). */
  line?: number;
}

export interface ClientState extends NodeBase {
  deps: Map<string, DepState>;
}


export class ClusterState implements LinkView {
  readonly servers = new Map<NodeId, ServerState>();
  readonly clients = new Map<NodeId, ClientState>();
  /** Every accepted write by its stamp: a stamp names one write for ever, so this is provenance. */
  readonly puts = new Map<string, PutEvent>();
  /** Live servers that are paused, with the line that paused each. */
  readonly paused = new Map<NodeId, number>();

  /**
   * `provenance: false` keeps no put history (the master needs none): then the state grows with
   * the cluster and its stores, not with the number of commands run.
   */
  constructor(private readonly options: { provenance?: boolean } = {}) {}

  /** The run's ordering of writes (its runStarted says which). */
  private scheme: Scheme = schemeOf(undefined);

  origin(stamp: Stamp): PutEvent | undefined {
    return this.puts.get(writeKey(stamp));
  }

  /** Applies one event; returns whether anything a view shows changed. */
  apply(e: ClusterEvent): boolean {
    switch (e.type) {
      case 'runStarted':
        this.scheme = schemeOf(e.protocol);
        return false;
      case 'nodeStarted': {
        // Its links follow as linkCreated events, the implicit ones of a join included.
        const base = { id: e.id, links: new Set<NodeId>(), counter: 0, startedLine: e.line, pid: e.pid, port: e.port };
        if (e.role === 'server') this.servers.set(e.id, { ...base, alive: true, store: new Map() });
        else this.clients.set(e.id, { ...base, deps: new Map() });
        return true;
      }
      case 'nodeKilled': {
        const s = this.servers.get(e.id);
        if (!s) return false;
        for (const p of s.links) this.node(p)?.links.delete(e.id);
        s.links.clear();
        s.store.clear();
        s.alive = false;
        s.killedLine = e.line;
        s.counter = undefined;
        this.paused.delete(e.id);
        return true;
      }
      case 'serverPaused':
        if (!this.isLiveServer(e.server)) return false;
        this.paused.set(e.server, e.line);
        return true;
      case 'serverResumed':
        return this.paused.delete(e.server);
      case 'linkCut':
      case 'linkCreated': {
        const a = this.node(e.a), b = this.node(e.b);
        if (!a || !b) return false;
        if (e.type === 'linkCut') {
          a.links.delete(e.b);
          b.links.delete(e.a);
        } else {
          a.links.add(e.b);
          b.links.add(e.a);
        }
        return true;
      }
      case 'applied': {
        const s = this.servers.get(e.node);
        if (!s?.alive) return false;
        s.store.set(e.key, { key: e.key, value: e.value, stamp: e.stamp, arrival: { via: e.via, from: e.from, line: e.line } });
        return true;
      }
      case 'send':
      case 'deliver':
      case 'lost': {
        const n = this.node(e.node);
        if (!n) return false;
        n.counter = e.counter;
        return false;
      }
      case 'put': {
        if (this.options.provenance !== false) this.puts.set(writeKey(e.stamp), e);
        // An untraced run reports no `applied`: then the put's answer is what its server holds.
        const s = this.servers.get(e.server);
        if (s?.alive && !s.store.get(e.key)?.arrival) s.store.set(e.key, { key: e.key, value: e.value, stamp: e.stamp });
        const c = this.clients.get(e.client);
        if (c) {
          c.counter = e.counter;
          this.raiseDep(c, e.key, e.stamp, e.line);
        }
        return true;
      }
      case 'get': {
        const c = this.clients.get(e.client);
        if (!c) return false;
        c.counter = e.counter;
        if (e.depAfter) this.raiseDep(c, e.key, e.depAfter, e.line);
        return true;
      }
      default:
        return false;
    }
  }

  /** The authoritative end state: stores, links, counters and dependencies as the nodes report them. */
  applySnapshot(snap: ClusterSnapshot): void {
    for (const d of snap.dead) {
      const s = this.servers.get(d.id);
      if (s) {
        s.alive = false;
        s.links.clear();
        s.store.clear();
        s.counter = undefined;
      } else {
        this.servers.set(d.id, { id: d.id, alive: false, links: new Set(), store: new Map(), startedLine: 0 });
      }
    }
    for (const n of snap.nodes) {
      if (n.role === 'server') {
        const prev = this.servers.get(n.id);
        this.servers.set(n.id, {
          ...prev, id: n.id, alive: true, links: new Set(n.links), counter: n.counter, startedLine: prev?.startedLine ?? 0,
          store: new Map(n.store.map((x) => {
            const known = prev?.store.get(x.key);
            const arrival = known && sameStamp(known.stamp, x.stamp) ? known.arrival : undefined;
            return [x.key, { key: x.key, value: x.value, stamp: x.stamp, ...(arrival ? { arrival } : {}) }];
          })),
        });
      } else {
        const prev = this.clients.get(n.id);
        const deps = new Map<string, DepState>();
        for (const d of n.deps) {
          const old = prev?.deps.get(d.key);
          deps.set(d.key, { key: d.key, stamp: d.stamp, line: old && sameStamp(old.stamp, d.stamp) ? old.line : undefined });
        }
        this.clients.set(n.id, { ...prev, id: n.id, links: new Set(n.links), counter: n.counter, deps, startedLine: prev?.startedLine ?? 0 });
      }
    }
  }

  sortedServers(): ServerState[] {
    return [...this.servers.values()].sort((a, b) => a.id - b.id);
  }

  sortedClients(): ClientState[] {
    return [...this.clients.values()].sort((a, b) => a.id - b.id);
  }

  isLiveServer(id: NodeId): boolean {
    return this.servers.get(id)?.alive === true;
  }

  isClient(id: NodeId): boolean {
    return this.clients.has(id);
  }

  isPaused(id: NodeId): boolean {
    return this.paused.has(id);
  }

  isAlive(id: NodeId): boolean {
    return this.isClient(id) || this.isLiveServer(id);
  }

  roleOf(id: NodeId): Role {
    return this.isClient(id) ? 'client' : 'server';
  }

  linked(a: NodeId, b: NodeId): boolean {
    return this.node(a)?.links.has(b) === true;
  }

  /** Ascending. */
  linksOf(id: NodeId): NodeId[] {
    return sortedIds(this.node(id)?.links ?? []);
  }

  /** Ascending. */
  liveServers(): NodeId[] {
    return this.sortedServers().filter((s) => s.alive).map((s) => s.id);
  }

  portOf(id: NodeId): number {
    return this.node(id)?.port ?? 0;
  }

  /** Every id that ever joined, ascending. */
  ids(): NodeId[] {
    return sortedIds([...this.servers.keys(), ...this.clients.keys()]);
  }

  private node(id: NodeId): ServerState | ClientState | undefined {
    return this.servers.get(id) ?? this.clients.get(id);
  }

  private raiseDep(c: ClientState, key: string, stamp: Stamp, line: number): void {
    const held = c.deps.get(key);
    const dep = this.scheme.depend(held?.stamp ?? null, stamp);
    if (!held || !sameStamp(dep, held.stamp)) c.deps.set(key, { key, stamp: dep, line });
  }
}
