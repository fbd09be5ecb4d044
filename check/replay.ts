import type { NodeId, Role, Stamp } from '../protocol/messages';
import type { ClusterEvent } from '../record/events';
import type { Order } from './stamp';

/** One entry of a replayed store, with the index of the `applied` event that put it there. */
export interface HeldEntry {
  value: string;
  stamp: Stamp;
  at: number;
}

export type ReplayedStore = Map<string, HeldEntry>;

/**
 * The cluster rebuilt from the record alone, one event at a time: which nodes live, which pairs are
 * linked, and what each server's store holds according to its `applied` events (a join starts
 * empty, a kill loses everything). It believes the record; it never asks protocol/ what should be.
 */
export class Replay {
  private readonly roles = new Map<NodeId, Role>();
  private readonly alive = new Set<NodeId>();
  private readonly stores = new Map<NodeId, ReplayedStore>();
  /** Live links, as `a,b` with a < b, and the index of the event that made each. */
  private readonly links = new Map<string, number>();

  /**
   * `onOlder` hears of an `applied` write that is not newer than what the server held (the record
   * says the server kept it, so the replay keeps it too).
   */
  constructor(private readonly order: Order, private readonly onOlder: (index: number, node: NodeId, held: HeldEntry, kept: Stamp) => void) {}

  apply(index: number, e: ClusterEvent): void {
    switch (e.type) {
      case 'nodeStarted':
        this.roles.set(e.id, e.role);
        this.alive.add(e.id);
        if (e.role === 'server') this.stores.set(e.id, new Map());
        break;
      case 'nodeKilled':
        this.alive.delete(e.id);
        this.stores.delete(e.id);
        for (const pair of [...this.links.keys()]) if (pairHas(pair, e.id)) this.links.delete(pair);
        break;
      case 'linkCreated':
        this.links.set(pairKey(e.a, e.b), index);
        break;
      case 'linkCut':
        this.links.delete(pairKey(e.a, e.b));
        break;
      case 'applied': {
        let store = this.stores.get(e.node);
        if (!store) this.stores.set(e.node, (store = new Map()));
        const held = store.get(e.key);
        if (held && this.order.compare(e.stamp, held.stamp) <= 0) this.onOlder(index, e.node, held, e.stamp);
        store.set(e.key, { value: e.value, stamp: e.stamp, at: index });
        break;
      }
    }
  }

  held(server: NodeId, key: string): HeldEntry | undefined {
    return this.stores.get(server)?.get(key);
  }

  /** A copy of a server's store as it is now (empty for a dead or unknown one). */
  storeOf(server: NodeId): ReplayedStore {
    return new Map(this.stores.get(server) ?? []);
  }

  liveServers(): NodeId[] {
    return [...this.alive].filter((id) => this.roles.get(id) === 'server').sort((a, b) => a - b);
  }

  /** Live servers linked to `server` now, each with the index of the event that linked them. */
  serverNeighbours(server: NodeId): { id: NodeId; linkedAt: number }[] {
    const out: { id: NodeId; linkedAt: number }[] = [];
    for (const [pair, at] of this.links) {
      if (!pairHas(pair, server)) continue;
      const [a, b] = pair.split(',').map(Number);
      const other = a === server ? b : a;
      if (this.alive.has(other) && this.roles.get(other) === 'server') out.push({ id: other, linkedAt: at });
    }
    return out.sort((x, y) => x.id - y.id);
  }
}

function pairKey(a: NodeId, b: NodeId): string {
  return a < b ? `${a},${b}` : `${b},${a}`;
}

function pairHas(pair: string, id: NodeId): boolean {
  const [a, b] = pair.split(',');
  return Number(a) === id || Number(b) === id;
}
