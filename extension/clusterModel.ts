// The cluster as a run leaves it, rebuilt from the event stream while the run goes on and replaced
// by the final ClusterSnapshot when it ends. Pure (no vscode import): the tree view renders it.
import type { ClusterEvent, ClusterSnapshot } from '../record/events';
import { compareStamps } from '../protocol/stamp';
import type { NodeId, Stamp } from '../protocol/messages';

export type PutEvent = Extract<ClusterEvent, { type: 'put' }>;

export interface KeyState {
  key: string;
  value: string;
  stamp: Stamp;
}

export interface ServerState {
  id: NodeId;
  alive: boolean;
  links: Set<NodeId>;
  /** Known from the final snapshot only (servers report no counter while running untraced). */
  counter?: number;
  store: Map<string, KeyState>;
  startedLine: number;
  killedLine?: number;
  pid?: number;
}

export interface DepState {
  key: string;
  stamp: Stamp;
  /** The line of the put or get that last raised it (unknown after a snapshot-only refresh). */
  line?: number;
}

export interface ClientState {
  id: NodeId;
  links: Set<NodeId>;
  counter: number;
  deps: Map<string, DepState>;
  startedLine: number;
  pid?: number;
}

export const stampKey = (s: Stamp): string => `${s.counter},${s.server}`;

export class ClusterModel {
  readonly servers = new Map<NodeId, ServerState>();
  readonly clients = new Map<NodeId, ClientState>();
  /** Every accepted write by its stamp: a stamp names one write for ever (SPEC 5), so this is provenance. */
  readonly puts = new Map<string, PutEvent>();
  origin(stamp: Stamp): PutEvent | undefined {
    return this.puts.get(stampKey(stamp));
  }

  /** Applies one event; returns whether anything the tree shows changed. */
  apply(e: ClusterEvent): boolean {
    switch (e.type) {
      case 'nodeStarted':
        // Its links follow as linkCreated events, the implicit ones of a join included.
        if (e.role === 'server') this.servers.set(e.id, { id: e.id, alive: true, links: new Set(), store: new Map(), startedLine: e.line, pid: e.pid });
        else this.clients.set(e.id, { id: e.id, links: new Set(), counter: 0, deps: new Map(), startedLine: e.line, pid: e.pid });
        return true;
      case 'nodeKilled': {
        const s = this.servers.get(e.id);
        if (!s) return false;
        for (const p of s.links) this.node(p)?.links.delete(e.id);
        s.links.clear();
        s.store.clear();
        s.alive = false;
        s.killedLine = e.line;
        s.counter = undefined;
        return true;
      }
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
      case 'applied':
        this.store(e.server, e.key, e.value, e.stamp);
        return true;
      case 'put': {
        this.puts.set(stampKey(e.stamp), e);
        // The applying server may not report an `applied` notice; the put's answer is proof enough.
        this.store(e.server, e.key, e.value, e.stamp);
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
      case 'storePrinted': {
        const s = this.servers.get(e.server);
        if (!s) return false;
        s.store = new Map(e.entries.map((x) => [x.key, { key: x.key, value: x.value, stamp: x.stamp }]));
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
          id: n.id, alive: true, links: new Set(n.links), counter: n.counter,
          store: new Map(n.store.map((x) => [x.key, { key: x.key, value: x.value, stamp: x.stamp }])),
          startedLine: prev?.startedLine ?? 0, pid: prev?.pid,
        });
      } else {
        const prev = this.clients.get(n.id);
        const deps = new Map<string, DepState>();
        for (const d of n.deps) {
          const old = prev?.deps.get(d.key);
          deps.set(d.key, { key: d.key, stamp: d.stamp, line: old && compareStamps(old.stamp, d.stamp) === 0 ? old.line : undefined });
        }
        this.clients.set(n.id, { id: n.id, links: new Set(n.links), counter: n.counter, deps, startedLine: prev?.startedLine ?? 0, pid: prev?.pid });
      }
    }
  }

  sortedServers(): ServerState[] {
    return [...this.servers.values()].sort((a, b) => a.id - b.id);
  }

  sortedClients(): ClientState[] {
    return [...this.clients.values()].sort((a, b) => a.id - b.id);
  }

  private node(id: NodeId): ServerState | ClientState | undefined {
    return this.servers.get(id) ?? this.clients.get(id);
  }

  private store(server: NodeId, key: string, value: string, stamp: Stamp): void {
    const s = this.servers.get(server);
    if (!s || !s.alive) return;
    const held = s.store.get(key);
    // Last writer wins by stamp, as on the servers themselves: a late event cannot roll a key back.
    if (!held || compareStamps(stamp, held.stamp) > 0) s.store.set(key, { key, value, stamp });
  }

  private raiseDep(c: ClientState, key: string, stamp: Stamp, line: number): void {
    const held = c.deps.get(key);
    if (!held || compareStamps(stamp, held.stamp) >= 0) c.deps.set(key, { key, stamp, line });
  }
}
