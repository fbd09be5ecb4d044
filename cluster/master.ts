import { Command } from '../language/commands';
import { Topology } from '../language/topology';
import { ControlResult, GossipMode, NodeId, NodeNotice, Role } from '../protocol/messages';
import { ClusterEvent, ClusterSnapshot } from '../record/events';
import { NodeHost } from './host';
import { formatGet, formatStore } from './output';

export interface MasterOptions {
  seed: number;
  gossip: GossipMode;
  /** Ask nodes to report every message they receive (the events stream); costs throughput. */
  trace: boolean;
}

/**
 * Drives a script's commands against a NodeHost, one at a time, the way the original course's
 * master did: it starts, links, cuts and kills nodes and asks clients to put and get. It never
 * touches a store itself; stabilize is carried out by the servers.
 */
export class Master {
  private readonly topology = new Topology();
  private readonly ports = new Map<NodeId, number>();
  private readonly listeners: ((e: ClusterEvent) => void)[] = [];
  /** Writes whose gossip flood has finished, as `server:counter`; settled mode waits on these. */
  private readonly settled = new Set<string>();
  private readonly settleWaiters = new Map<string, () => void>();
  /** Every wait in progress (a settle, a sleep), so that a shutdown or a lost node cuts it short. */
  private readonly interrupts = new Set<(err: Error) => void>();
  /** Why the run cannot go on: the cluster was shut down, or a node died on its own. */
  private stopped: Error | undefined;
  private line = 0;
  private epoch = 0;

  constructor(private readonly host: NodeHost, private readonly options: MasterOptions) {
    host.onNotice((n) => this.onNotice(n));
    host.onNodeLost((id, why) => {
      // A node died without being killed by the script: the run cannot be trusted any more.
      this.stop(new Error(`node ${id} ended unexpectedly (${why}) during line ${this.line}`));
    });
  }

  onEvent(listener: (e: ClusterEvent) => void): void {
    this.listeners.push(listener);
  }

  async run(commands: readonly Command[], signal?: AbortSignal): Promise<void> {
    for (const cmd of commands) {
      if (signal?.aborted) throw new Error('run cancelled');
      await this.execute(cmd);
      if (this.stopped) throw this.stopped;
    }
  }

  async execute(cmd: Command): Promise<void> {
    this.line = cmd.line;
    const t = this.topology;
    switch (cmd.name) {
      case 'joinServer': {
        const peers = t.liveServers();
        await this.startNode(cmd.server, 'server');
        await Promise.all(peers.map((p) => this.link(cmd.server, 'server', p, 'server')));
        break;
      }
      case 'joinClient':
        await this.startNode(cmd.client, 'client');
        if (t.isLiveServer(cmd.server)) await this.link(cmd.client, 'client', cmd.server, 'server');
        break;
      case 'killServer':
        if (!t.isLiveServer(cmd.server)) break;
        await this.host.kill(cmd.server);
        this.emit({ type: 'nodeKilled', line: this.line, id: cmd.server });
        // Survivors forget the dead server, as a failure detector would tell them.
        await Promise.all(t.linksOf(cmd.server).map((p) => this.host.control(p, { type: 'unlink', peer: cmd.server })));
        break;
      case 'breakConnection':
        if (!t.linked(cmd.a, cmd.b)) break;
        await Promise.all([this.host.control(cmd.a, { type: 'unlink', peer: cmd.b }), this.host.control(cmd.b, { type: 'unlink', peer: cmd.a })]);
        this.emit({ type: 'linkCut', line: this.line, a: cmd.a, b: cmd.b });
        break;
      case 'createConnection':
        if (t.linked(cmd.a, cmd.b) || !this.alive(cmd.a) || !this.alive(cmd.b)) break;
        await this.link(cmd.a, this.roleOf(cmd.a), cmd.b, this.roleOf(cmd.b));
        break;
      case 'stabilize':
        await this.stabilize();
        break;
      case 'printStore':
        if (t.isLiveServer(cmd.server)) await this.printStore(cmd.server);
        break;
      case 'put':
        await this.put(cmd.client, cmd.key, cmd.value);
        break;
      case 'get':
        await this.get(cmd.client, cmd.key);
        break;
      case 'sleep':
        if (this.host.kind === 'processes') await this.sleep(cmd.ms);
        break;
    }
    t.apply(cmd, cmd.line - 1);
  }

  async snapshot(): Promise<ClusterSnapshot> {
    const t = this.topology;
    const snap: ClusterSnapshot = { nodes: [], dead: [] };
    const ids = [...t.servers.keys(), ...t.clients.keys()].sort((a, b) => a - b);
    for (const id of ids) {
      if (!this.alive(id)) {
        snap.dead.push({ id, role: 'server', alive: false });
        continue;
      }
      const r = await this.host.control(id, { type: 'snapshot' });
      if (r.type === 'snapshot') snap.nodes.push({ ...r.snapshot, alive: true });
    }
    return snap;
  }

  /** Ends every node; a command still waiting fails at once instead of waiting for ever. */
  async close(): Promise<void> {
    this.stop(new Error('the cluster was shut down'));
    await this.host.close();
  }

  private stop(err: Error): void {
    this.stopped ??= err;
    for (const interrupt of [...this.interrupts]) interrupt(this.stopped);
  }

  /**
   * Waits until `begin` calls `done`; a shutdown or a lost node ends the wait with an error.
   * `begin` returns how to cancel what it set up.
   */
  private interruptible(begin: (done: () => void) => () => void): Promise<void> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise((resolve, reject) => {
      const interrupt = (err: Error): void => {
        this.interrupts.delete(interrupt);
        cancel();
        reject(err);
      };
      const cancel = begin(() => {
        this.interrupts.delete(interrupt);
        resolve();
      });
      this.interrupts.add(interrupt);
    });
  }

  private sleep(ms: number): Promise<void> {
    return this.interruptible((done) => {
      const timer = setTimeout(done, ms);
      return () => clearTimeout(timer);
    });
  }

  private async startNode(id: NodeId, role: Role): Promise<void> {
    const { seed, gossip, trace } = this.options;
    const { port, pid } = await this.host.start({ type: 'init', id, role, seed, gossip, trace });
    this.ports.set(id, port);
    this.emit({ type: 'nodeStarted', line: this.line, id, role, port, pid });
  }

  /** Every link, the implicit ones of a join included, is announced: the events alone tell the topology. */
  private async link(a: NodeId, aRole: Role, b: NodeId, bRole: Role): Promise<void> {
    await Promise.all([
      this.host.control(a, { type: 'link', peer: b, peerRole: bRole, port: this.ports.get(b) ?? 0 }),
      this.host.control(b, { type: 'link', peer: a, peerRole: aRole, port: this.ports.get(a) ?? 0 }),
    ]);
    this.emit({ type: 'linkCreated', line: this.line, a, b });
  }

  private async stabilize(): Promise<void> {
    const epoch = ++this.epoch;
    const started = performance.now();
    this.emit({ type: 'stabilizeBegun', line: this.line, epoch });
    // Each live server is asked in ascending order; the first one of each connected group becomes
    // its root and the others find they were already reached.
    for (const s of this.topology.liveServers()) {
      const r = await this.host.control(s, { type: 'stabilize', epoch, line: this.line });
      if (r.type === 'stabilizeDone' && r.root) this.emit({ type: 'stabilizeGroup', line: this.line, epoch, root: s, members: r.members });
    }
    this.emit({ type: 'stabilizeDone', line: this.line, epoch, ms: performance.now() - started });
  }

  private async printStore(server: NodeId): Promise<void> {
    const r = await this.host.control(server, { type: 'snapshot' });
    if (r.type !== 'snapshot') return;
    this.emit({ type: 'storePrinted', line: this.line, server, entries: r.snapshot.store });
    for (const text of formatStore(r.snapshot.store)) this.emit({ type: 'stdout', line: this.line, text });
  }

  private async put(client: NodeId, key: string, value: string): Promise<void> {
    const line = this.line;
    const r = await this.host.control(client, { type: 'put', key, value, line });
    if (r.type !== 'putDone') return this.fail(client, 'put', key, describeFailure(r));
    if (!r.ok) return this.fail(client, 'put', key, r.reason);
    this.emit({ type: 'put', line, client, key, value, server: r.server, stamp: r.stamp, counter: r.counter });
    if (this.options.gossip === 'settled') await this.settledWrite(`${r.server}:${r.stamp.counter}`);
  }

  private async get(client: NodeId, key: string): Promise<void> {
    const line = this.line;
    const r = await this.host.control(client, { type: 'get', key, line });
    if (r.type !== 'getDone') return this.fail(client, 'get', key, describeFailure(r));
    if (!r.ok) return this.fail(client, 'get', key, r.reason);
    this.emit({ type: 'get', line, client, key, server: r.server, result: r.result, depBefore: r.depBefore, depAfter: r.depAfter, counter: r.counter });
    this.emit({ type: 'stdout', line, text: formatGet(key, r.result) });
  }

  private fail(client: NodeId, op: 'put' | 'get', key: string, reason: string): void {
    this.emit({ type: 'failed', line: this.line, client, op, key, reason });
  }

  private settledWrite(id: string): Promise<void> {
    if (this.settled.delete(id)) return Promise.resolve();
    return this.interruptible((done) => {
      this.settleWaiters.set(id, done);
      return () => this.settleWaiters.delete(id);
    });
  }

  private onNotice(n: NodeNotice): void {
    switch (n.type) {
      case 'gossipSettled': {
        const id = `${n.server}:${n.stamp.counter}`;
        const waiter = this.settleWaiters.get(id);
        if (waiter) {
          this.settleWaiters.delete(id);
          waiter();
        } else if (this.options.gossip === 'settled') {
          this.settled.add(id);
        }
        return;
      }
      case 'delivered':
        this.emit({ type: 'message', line: this.line, from: n.from, to: n.to, msg: n.msg, sentCounter: n.sentCounter, counter: n.counter, detail: n.detail });
        return;
      case 'applied':
        this.emit({ type: 'applied', line: this.line, server: n.server, key: n.key, value: n.value, stamp: n.stamp, via: n.via });
        return;
    }
  }

  private alive(id: NodeId): boolean {
    return this.topology.clients.has(id) || this.topology.isLiveServer(id);
  }

  private roleOf(id: NodeId): Role {
    return this.topology.clients.has(id) ? 'client' : 'server';
  }

  private emit(e: ClusterEvent): void {
    for (const l of this.listeners) l(e);
  }
}

function describeFailure(r: ControlResult): string {
  return r.type === 'error' ? r.message : `unexpected answer ${r.type}`;
}
