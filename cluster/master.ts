import type { Command } from '../language/commands';
import { noOpOf } from '../language/noop';
import { addRule } from '../protocol/faults';
import {
  Cause, ControlBody, ControlResult, DEFAULT_PROTOCOL, FaultRule, FaultTable, GossipMode, NO_CAUSE, NodeId, NodeNotice, ProtocolName, Role, ServedNotice,
} from '../protocol/messages';
import { CausalOrder } from '../record/causalOrder';
import { ClusterState } from '../record/clusterState';
import type { ClusterEvent, ClusterSnapshot } from '../record/events';
import { formatGet, formatStore } from '../record/stdout';
import type { NodeHost } from './host';

export interface MasterOptions {
  seed: number;
  gossip: GossipMode;
  /** Ask nodes to report every message and every write they keep (the record); costs throughput. */
  trace: boolean;
  /** How writes are ordered (docs/protocol.md, "Protocols"); the default when absent. */
  protocol?: ProtocolName;
  /** Never go on at a server's word (RunSettings.waitForClients). */
  waitForClients?: boolean;
}

/** An event before the master has given it its time. */
type Untimed = ClusterEvent extends infer E ? (E extends ClusterEvent ? Omit<E, 't'> : never) : never;

/**
 * The rest of a command (a put or get without its answer, or a flood the master waits for) that
 * waits for a paused server: it goes on when that server is resumed (docs/protocol.md, "Faults").
 */
interface Blocked {
  server: NodeId;
  cause: Cause;
  go: () => Promise<void>;
}

/** A message a host holds for a paused server, as its `held` notice says. */
interface Held {
  from: NodeId;
  to: NodeId;
}

/**
 * Drives a script's commands against a NodeHost, one at a time, the way the original course's
 * master did: it starts, links, cuts and kills nodes and asks clients to put and get. It never
 * touches a store itself; stabilize is carried out by the servers. It keeps the record of the run:
 * its own events, and what the nodes report put in causal order (record/causalOrder.ts), and it
 * decides from the cluster state that record builds (record/clusterState.ts).
 */
export class Master {
  readonly state = new ClusterState({ provenance: false });
  private readonly order = new CausalOrder();
  private readonly listeners: ((e: ClusterEvent) => void)[] = [];
  /** Writes whose gossip flood has finished, as `server:counter`; settled mode waits on these. */
  private readonly settled = new Set<string>();
  private readonly settleWaiters = new Map<string, () => void>();
  /** Traced, settled mode: per step, the writes its put applied (`server:counter`), until the put is done. */
  private readonly putWrites = new Map<number, string[]>();
  /** Every wait in progress (a settle, a sleep, a quiet record), so that a shutdown or a lost node cuts it short. */
  private readonly interrupts = new Set<(err: Error) => void>();
  private quietWaiter: (() => void) | undefined;
  /** Why the run cannot go on: the cluster was shut down, or a node died on its own. */
  private stopped: Error | undefined;
  private cause: Cause = NO_CAUSE;
  private epoch = 0;
  private readonly startedAt: number | undefined;
  /** The faults of the network: the rules of the script's fault commands so far (protocol/faults.ts). */
  private rules: FaultRule[] = [];
  /** Per command step, what the hosts hold for paused servers; and who waits to hear of it. */
  private readonly held = new Map<number, Held[]>();
  private readonly heldWaiters = new Set<() => void>();
  /** What waits for a paused server, in the order it began to wait. */
  private blocked: Blocked[] = [];
  /** Controls sent to a paused server (links, unlinks): it takes them when it resumes, and only then answers. */
  private readonly deferred = new Map<NodeId, Promise<ControlResult>[]>();
  /** A paused server's Lamport counter when it was paused (it cannot answer a snapshot; the counter does not move). */
  private readonly pausedCounters = new Map<NodeId, number>();
  /** Per step, the put or get waiting for its server's `served` notice (servedOrAnswer). */
  private readonly servedWaiters = new Map<number, (n: ServedNotice) => void>();
  /** Clients' answers still to come for commands the master went on from at their server's word. */
  private readonly lateAnswers = new Set<Promise<void>>();

  constructor(private readonly host: NodeHost, private readonly options: MasterOptions) {
    this.startedAt = host.now();
    host.onNotices((notices, at) => {
      for (const n of notices) this.onNotice(n, at);
      // Only between two steps' reports: within one, a message may look closed before the next opens.
      if (this.quietWaiter && this.order.quiet()) this.quietWaiter();
    });
    host.onNodeLost((id, why) => {
      // A node died without being killed by the script: the run cannot be trusted any more.
      this.stop(new Error(`node ${id} ended unexpectedly (${why}) during line ${this.cause.line}`));
    });
  }

  onEvent(listener: (e: ClusterEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Announces the run; the runner calls it once, before the first command. */
  begin(): void {
    this.publish({ type: 'runStarted', format: 'kvcmd-record', version: 1, seed: this.options.seed, gossip: this.options.gossip, backend: this.host.backend, protocol: this.options.protocol ?? DEFAULT_PROTOCOL });
  }

  /**
   * Publishes now what the nodes have reported and may go next, without waiting for the record to
   * be quiet: a debugger paused in the middle of a command shows the run as far as it has got.
   */
  releaseRecorded(): void {
    for (const e of this.order.drain()) this.publish(e);
  }

  /** Announces the end; the runner calls it once, after close(). */
  finished(result: { ok: boolean; ms: number; error?: string }): void {
    this.publish({ type: 'runFinished', ok: result.ok, ms: result.ms, ...(result.error ? { error: result.error } : {}) });
  }

  async execute(cmd: Command): Promise<void> {
    if (this.stopped) throw this.stopped;
    // A command other than a put or get may look at the clients (their links, their state): the
    // answers the master did not wait for are in first.
    if (cmd.name !== 'put' && cmd.name !== 'get') {
      await this.lateAnswersIn();
      if (this.stopped) throw this.stopped;
    }
    this.cause = { line: cmd.line, step: this.cause.step + 1 };
    const s = this.state;
    // What the analyzer warns does nothing is skipped here by the same rule.
    const noOp = noOpOf(cmd, s);
    switch (cmd.name) {
      case 'joinServer': {
        const peers = s.liveServers();
        await this.startNode(cmd.server, 'server');
        await this.link(cmd.server, ...peers);
        break;
      }
      case 'joinClient':
        await this.startNode(cmd.client, 'client');
        if (!noOp) await this.link(cmd.client, cmd.server);
        break;
      case 'killServer': {
        if (noOp) break;
        const peers = s.linksOf(cmd.server);
        const wasPaused = s.isPaused(cmd.server);
        await this.emit({ type: 'nodeKilled', ...this.at(), id: cmd.server });
        // From here the record waits for what its death sets off (CausalOrder.killed).
        this.killed(cmd.server);
        // Survivors forget the dead server, as a failure detector would tell them; before it goes, so
        // that what they learn of its death (a call of theirs breaking) finds it forgotten, in real
        // runs (at once) and in the model (as it kills) alike.
        await Promise.all(peers.map((p) => this.control(p, { type: 'unlink', peer: cmd.server })));
        await this.host.kill(cmd.server);
        // What waited for it goes on: it finds the server gone.
        if (wasPaused) await this.unpaused(cmd.server);
        break;
      }
      case 'breakConnection':
        if (noOp) break;
        await Promise.all([this.control(cmd.a, { type: 'unlink', peer: cmd.b }), this.control(cmd.b, { type: 'unlink', peer: cmd.a })]);
        await this.emit({ type: 'linkCut', ...this.at(), a: cmd.a, b: cmd.b });
        break;
      case 'createConnection':
        if (!noOp) await this.link(cmd.a, cmd.b);
        break;
      case 'stabilize':
        await this.stabilize();
        break;
      case 'printStore':
        if (!noOp) await this.printStore(cmd.server);
        break;
      case 'put':
        await this.put(cmd.client, cmd.key, cmd.value);
        break;
      case 'get':
        await this.get(cmd.client, cmd.key);
        break;
      case 'sleep':
        await this.pause(cmd.ms);
        break;
      case 'delay':
        await this.fault({ kind: 'delay', from: cmd.from, to: cmd.to, min: cmd.ms, max: cmd.maxMs },
          { ms: cmd.ms, ...(cmd.maxMs === cmd.ms ? {} : { maxMs: cmd.maxMs }) });
        break;
      case 'drop':
      case 'duplicate':
        await this.fault({ kind: cmd.name, from: cmd.from, to: cmd.to, p: cmd.p }, { p: cmd.p });
        break;
      case 'heal':
        await this.fault({ kind: 'heal', from: cmd.from, to: cmd.to }, {});
        break;
      case 'pauseServer':
        if (!noOp) await this.pauseServer(cmd.server);
        break;
      case 'resumeServer':
        if (!noOp) await this.resumeServer(cmd.server);
        break;
    }
    if (!this.order.idle()) await this.flush();
    if (this.stopped) throw this.stopped;
  }

  /**
   * Every node as the run leaves it. A server still paused is resumed first, on the last command's
   * line: a stopped process answers no snapshot, and what waits for it finishes.
   */
  async snapshot(): Promise<ClusterSnapshot> {
    await this.lateAnswersIn();
    if (this.stopped) throw this.stopped;
    for (const id of [...this.state.paused.keys()].sort((a, b) => a - b)) await this.resumeServer(id);
    if (!this.order.idle()) await this.flush();
    const snap: ClusterSnapshot = { nodes: [], dead: [] };
    for (const id of this.state.ids()) {
      if (!this.state.isAlive(id)) {
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
    // What nodes reported and is still held (messages in flight in async mode) is not lost.
    for (const e of this.order.drain(true)) this.publish(e);
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

  private pause(ms: number): Promise<void> {
    return this.interruptible((done) => {
      const abort = new AbortController();
      void this.host.pause(ms, abort.signal).then(done);
      return () => abort.abort();
    });
  }

  private at(): { line: number; step: number } {
    return { line: this.cause.line, step: this.cause.step };
  }

  private async startNode(id: NodeId, role: Role): Promise<void> {
    const { seed, gossip, trace, protocol } = this.options;
    const clock = role === 'server' && this.state.servers.has(id) ? await this.clusterClock() : 0;
    this.order.joined(id);
    const { port, pid } = await this.host.start({ type: 'init', id, role, seed, gossip, trace, ...(clock ? { clock } : {}), ...(protocol && protocol !== DEFAULT_PROTOCOL ? { protocol } : {}) });
    await this.emit({ type: 'nodeStarted', ...this.at(), id, role, port, pid });
  }

  /**
   * A server id that joins again starts its counter at the greatest counter of any live node: every
   * surviving write of its earlier life was received by someone, whose counter then passed that
   * write's stamp, so the new life's stamps are new and two writes never share one.
   */
  private async clusterClock(): Promise<number> {
    let max = 0;
    for (const id of this.state.ids()) {
      if (!this.state.isAlive(id)) continue;
      const paused = this.pausedCounters.get(id);
      if (paused !== undefined) {
        max = Math.max(max, paused);
        continue;
      }
      const r = await this.host.control(id, { type: 'snapshot' });
      if (r.type === 'snapshot') max = Math.max(max, r.snapshot.counter);
    }
    return max;
  }

  /**
   * Links `a` to each of `peers` (all at once), then announces each link in the peers' order.
   * Every link, the implicit ones of a join included, is announced: the events alone tell the topology.
   */
  private async link(a: NodeId, ...peers: NodeId[]): Promise<void> {
    const s = this.state;
    await Promise.all(peers.flatMap((b) => [
      this.control(a, { type: 'link', peer: b, peerRole: s.roleOf(b), port: s.portOf(b) }),
      this.control(b, { type: 'link', peer: a, peerRole: s.roleOf(a), port: s.portOf(a) }),
    ]));
    for (const b of peers) await this.emit({ type: 'linkCreated', ...this.at(), a, b });
  }

  private async stabilize(): Promise<void> {
    const epoch = ++this.epoch;
    const started = performance.now();
    await this.emit({ type: 'stabilizeBegun', ...this.at(), epoch });
    // Each live server is asked in ascending order; the first one of each connected group becomes
    // its root and the others find they were already reached.
    for (const server of this.state.liveServers()) {
      const r = await this.host.control(server, { type: 'stabilize', epoch, cause: this.cause });
      if (r.type === 'stabilizeDone' && r.root) await this.emit({ type: 'stabilizeGroup', ...this.at(), epoch, root: server, members: r.members });
    }
    await this.emit({ type: 'stabilizeDone', ...this.at(), epoch, ms: performance.now() - started });
  }

  private async printStore(server: NodeId): Promise<void> {
    const r = await this.host.control(server, { type: 'snapshot' });
    if (r.type !== 'snapshot') return;
    await this.emit({ type: 'storePrinted', ...this.at(), server, entries: r.snapshot.store });
    for (const text of formatStore(r.snapshot.store)) await this.emit({ type: 'stdout', ...this.at(), text });
  }

  private async put(client: NodeId, key: string, value: string): Promise<void> {
    const cause = this.cause;
    const answer = this.host.control(client, { type: 'put', key, value, cause });
    const done = async (r: ControlResult, at: Cause): Promise<void> => {
      if (r.type !== 'putDone') return this.fail(client, 'put', key, describeFailure(r), at);
      if (!r.ok) return this.fail(client, 'put', key, r.reason, at);
      await this.emit({ type: 'put', line: at.line, step: at.step, client, key, value, server: r.server, stamp: r.stamp, counter: r.counter });
    };
    const served = await this.servedOrAnswer(cause.step, answer);
    if (served?.reply.type === 'putReply') {
      // The write is applied and answered: the client's own account of it comes when it comes.
      this.late(answer, (r) => done(r, cause));
      if (this.options.gossip === 'settled') await this.settledWrite(`${served.server}:${served.reply.stamp.counter}`);
      return;
    }
    await this.unlessHeld(cause, client, answer, async (r) => {
      await done(r, cause);
      if (this.options.gossip !== 'settled') return;
      const own = r.type === 'putDone' && r.ok ? `${r.server}:${r.stamp.counter}` : undefined;
      // One wait for all of them: whichever is held for a paused server sets the whole wait aside.
      const floods = await this.floodsOf(cause, own);
      if (floods.length > 0) await this.unlessHeld(cause, undefined, Promise.all(floods.map((id) => this.settledWrite(id))), () => undefined);
    });
  }

  private async get(client: NodeId, key: string): Promise<void> {
    const cause = this.cause;
    const answer = this.host.control(client, { type: 'get', key, cause });
    const done = async (r: ControlResult, at: Cause, printed: boolean): Promise<void> => {
      if (r.type !== 'getDone') return this.fail(client, 'get', key, describeFailure(r), at);
      if (!r.ok) return this.fail(client, 'get', key, r.reason, at);
      await this.emit({ type: 'get', line: at.line, step: at.step, client, key, server: r.server, result: r.result, depBefore: r.depBefore, depAfter: r.depAfter, counter: r.counter });
      if (!printed) await this.emit({ type: 'stdout', line: at.line, step: at.step, text: formatGet(key, r.result) });
    };
    const served = await this.servedOrAnswer(cause.step, answer);
    if (served?.reply.type === 'getReply') {
      // What the client reads is what its server answered: printed now, in script order.
      await this.emit({ type: 'stdout', ...this.at(), text: formatGet(key, served.reply.result) });
      this.late(answer, (r) => done(r, cause, true));
      return;
    }
    await this.unlessHeld(cause, client, answer, (r) => done(r, cause, false));
  }

  /**
   * A put or get is done, as far as the rest of the cluster can tell, once its server has applied
   * it and sent the client its answer. In runs of kvcmd's own processes that record nothing and
   * have no faults and no paused server, the server's host says so (`served`) and the master goes on
   * from there, while the client reads the answer: one process hop fewer per command
   * (docs/protocol.md, "Processes"). The client takes no other command before it has read it, so
   * nothing any node does changes. Otherwise, or when the client's answer comes first (it failed,
   * or had to try another server), undefined: the master uses the client's answer.
   */
  private async servedOrAnswer(step: number, answer: Promise<ControlResult>): Promise<ServedNotice | undefined> {
    const { trace, waitForClients } = this.options;
    if (trace || waitForClients || this.rules.length > 0 || this.state.paused.size > 0 || !this.host.servesNotices) return undefined;
    try {
      return await Promise.race([
        answer.then(() => undefined),
        new Promise<ServedNotice>((resolve) => this.servedWaiters.set(step, resolve)),
      ]);
    } finally {
      this.servedWaiters.delete(step);
    }
  }

  /**
   * A client's answer the master did not wait for: published when it comes, unless the run has
   * stopped by then (a cancelled run's clients answer "exited" for commands their servers applied).
   */
  private late(answer: Promise<ControlResult>, publish: (r: ControlResult) => Promise<void>): void {
    const settled = answer.then((r) => (this.stopped ? undefined : publish(r)));
    this.lateAnswers.add(settled);
    // Awaited by lateAnswersIn; a failure meanwhile must not count as unhandled.
    settled.then(() => this.lateAnswers.delete(settled), () => this.lateAnswers.delete(settled));
  }

  /** Waits for the clients' answers the master went on without; what they say is published then. */
  private async lateAnswersIn(): Promise<void> {
    while (this.lateAnswers.size > 0) await Promise.all([...this.lateAnswers]);
  }

  /** The faults of the network as every host gets them: the run's seed, the rules, the paused servers. */
  private faultTable(): FaultTable {
    return { seed: this.options.seed, rules: this.rules, paused: [...this.state.paused.keys()].sort((a, b) => a - b) };
  }

  private async fault(rule: FaultRule, values: { ms?: number; maxMs?: number; p?: number }): Promise<void> {
    this.rules = addRule(this.rules, rule);
    await this.host.setFaults(this.faultTable());
    const fault = rule.kind;
    await this.emit({ type: 'fault', ...this.at(), fault, from: rule.from, to: rule.to, ...values });
  }

  /** Every host holds what it sends the server from now on, then the server's process stops (SIGSTOP). */
  private async pauseServer(server: NodeId): Promise<void> {
    const r = await this.host.control(server, { type: 'snapshot' });
    if (r.type === 'snapshot') this.pausedCounters.set(server, r.snapshot.counter);
    await this.emit({ type: 'serverPaused', ...this.at(), server });
    this.order.suspend(server);
    await this.host.setFaults(this.faultTable());
    await this.host.suspend(server);
  }

  /**
   * The server runs again (SIGCONT) and takes the controls sent to it meanwhile; then what waited
   * for it goes on, one command at a time in script order (each waited for as its command would
   * have been), and last whatever else the hosts held for it (async floods).
   */
  private async resumeServer(server: NodeId): Promise<void> {
    await this.host.resume(server);
    await Promise.all(this.deferred.get(server) ?? []);
    this.deferred.delete(server);
    await this.emit({ type: 'serverResumed', ...this.at(), server });
    await this.unpaused(server);
  }

  /**
   * A paused server was resumed or killed: the hosts stop holding for it, and what they held goes
   * on one command at a time, in script order. What a command of the script waits for (its answer,
   * its flood in settled mode) is waited for then, as the command would have; the rest (an async
   * flood) is only sent on. Last, whatever else was held for it.
   */
  private async unpaused(server: NodeId): Promise<void> {
    this.pausedCounters.delete(server);
    this.deferred.delete(server);
    await this.host.setFaults(this.faultTable());
    const waiting = this.blocked.filter((b) => b.server === server);
    this.blocked = this.blocked.filter((b) => b.server !== server);
    const steps = new Set(waiting.map((b) => b.cause.step));
    for (const [step, list] of this.held) if (list.some((h) => h.to === server)) steps.add(step);
    const own = this.cause;
    for (const step of [...steps].sort((a, b) => a - b)) {
      this.forgetHeld(server, step);
      this.order.resumed(server, step);
      await this.host.release(server, step);
      for (const b of waiting.filter((w) => w.cause.step === step)) {
        this.cause = b.cause;
        try {
          await b.go();
          if (!this.order.idle()) await this.flush();
        } finally {
          this.cause = own;
        }
      }
      // What nobody waits for (the flood of a put whose client heard no answer) is over too before
      // the next step's messages go: the model runs each release to its end (traced runs only:
      // a script with faults always is).
      if (!this.order.idle()) await this.flush();
    }
    this.forgetHeld(server);
    this.order.resumed(server);
    await this.host.release(server);
  }

  /** A control to a node; one to a paused server is taken when it resumes, and nobody waits for it. */
  private control(id: NodeId, body: ControlBody): Promise<ControlResult> {
    const answer = this.host.control(id, body);
    if (!this.state.isPaused(id)) return answer;
    let list = this.deferred.get(id);
    if (!list) this.deferred.set(id, (list = []));
    list.push(answer);
    return Promise.resolve({ type: 'ok' });
  }

  /**
   * Goes on with `then` once `answer` is in; but if first a message of this command (from `from`,
   * or from anyone) is held for a paused server, the answer waits for that server: the command is
   * set aside until it is resumed, and the script goes on.
   */
  private async unlessHeld<T>(cause: Cause, from: NodeId | undefined, answer: Promise<T>, then: (value: T) => Promise<void> | void): Promise<void> {
    // With no server paused nothing of this command can be held: the plain wait (every put and get of a run).
    if (this.state.paused.size === 0) return then(await answer);
    const r = await this.answerOrHeld(cause.step, from, answer);
    if ('value' in r) return then(r.value);
    this.blocked.push({ server: r.held, cause, go: () => this.unlessHeld(cause, from, answer, then) });
  }

  private answerOrHeld<T>(step: number, from: NodeId | undefined, answer: Promise<T>): Promise<{ value: T } | { held: NodeId }> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise((resolve, reject) => {
      let over = false;
      const end = (): boolean => {
        if (over) return false;
        over = true;
        this.heldWaiters.delete(look);
        this.interrupts.delete(interrupt);
        return true;
      };
      const look = (): void => {
        const list = this.held.get(step);
        const i = over || !list ? -1 : list.findIndex((h) => from === undefined || h.from === from);
        if (i === -1 || !end()) return;
        const [h] = list!.splice(i, 1);
        resolve({ held: h.to });
      };
      const interrupt = (err: Error): void => {
        if (end()) reject(err);
      };
      // A failed answer fails the command as before (an explorer's schedule ends a run so).
      answer.then((value) => end() && resolve({ value }), (err: unknown) => end() && reject(err));
      this.interrupts.add(interrupt);
      this.heldWaiters.add(look);
      look();
    });
  }

  /** The hosts send what they held for `server` (of one step, or all): nobody waits for it as held any more. */
  private forgetHeld(server: NodeId, step?: number): void {
    for (const [s, list] of this.held) {
      if (step !== undefined && s !== step) continue;
      const rest = list.filter((h) => h.to !== server);
      if (rest.length > 0) this.held.set(s, rest);
      else this.held.delete(s);
    }
  }

  private fail(client: NodeId, op: 'put' | 'get', key: string, reason: string, at: Cause = this.cause): Promise<void> | void {
    return this.emit({ type: 'failed', line: at.line, step: at.step, client, op, key, reason });
  }

  /**
   * Settled mode: the floods to wait for after a put, as `server:counter`: its client's write, and
   * in traced runs every other write the put's step applied. With faults a server may apply the
   * put and its answer be lost (the client tries another server, or fails); nobody else waits for
   * that flood, while the model runs it to its end before the next command. Every run with faults
   * is traced, and the writes are known from the servers' reports.
   */
  private async floodsOf(cause: Cause, own: string | undefined): Promise<string[]> {
    if (!this.options.trace) return own ? [own] : [];
    if (!this.order.idle()) await this.flush();
    const writes = new Set(this.putWrites.get(cause.step));
    this.putWrites.delete(cause.step);
    if (own) writes.add(own);
    return [...writes];
  }

  /**
   * A server's process is gone, and with it what it held for a paused server (docs/protocol.md,
   * "Faults"): a flood it started ends there, and the record expects no end of those messages.
   */
  private killed(server: NodeId): void {
    for (const [id, done] of [...this.settleWaiters]) {
      if (!id.startsWith(`${server}:`)) continue;
      this.settleWaiters.delete(id);
      done();
    }
    this.order.killed(server);
  }

  private settledWrite(id: string): Promise<void> {
    if (this.settled.delete(id)) return Promise.resolve();
    return this.interruptible((done) => {
      this.settleWaiters.set(id, done);
      return () => this.settleWaiters.delete(id);
    });
  }

  private onNotice(n: NodeNotice, at: number | undefined): void {
    if (n.type === 'held') {
      this.order.park(n.msg.from, n.msg.id);
      const step = n.msg.cause.step;
      let list = this.held.get(step);
      if (!list) this.held.set(step, (list = []));
      list.push({ from: n.msg.from, to: n.msg.to });
      for (const look of [...this.heldWaiters]) look();
      return;
    }
    if (n.type === 'served') {
      this.servedWaiters.get(n.step)?.(n);
      return;
    }
    if (n.type === 'applied' && n.via === 'put' && this.options.gossip === 'settled') {
      const id = `${n.node}:${n.stamp.counter}`;
      const list = this.putWrites.get(n.cause.step);
      if (list) list.push(id);
      else this.putWrites.set(n.cause.step, [id]);
    }
    if (n.type !== 'gossipSettled') {
      this.order.add(n, at === undefined || this.startedAt === undefined ? undefined : at - this.startedAt);
      return;
    }
    const id = `${n.server}:${n.stamp.counter}`;
    const waiter = this.settleWaiters.get(id);
    if (waiter) {
      this.settleWaiters.delete(id);
      waiter();
    } else if (this.options.gossip === 'settled') {
      this.settled.add(id);
    }
  }

  /**
   * Releases what the nodes have reported, in causal order. In `settled` and `off` modes it first
   * waits until no message is half reported, so that the same run always releases the same events
   * at the same point; in `async` mode gossip is still under way and only what is ready goes.
   */
  private async flush(): Promise<void> {
    if (this.order.idle()) return;
    if (this.options.gossip !== 'async' && !this.order.quiet()) {
      await this.interruptible((done) => {
        this.quietWaiter = done;
        return () => (this.quietWaiter = undefined);
      });
      this.quietWaiter = undefined;
    }
    for (const e of this.order.drain()) this.publish(e);
  }

  /**
   * Publishes after what the nodes reported, once no message is half reported (a request's send
   * may have gone out long before its end comes: held for a paused server, then refused); at once
   * when there is nothing of the kind (an untraced run).
   */
  private emit(e: Untimed): Promise<void> | void {
    if (this.order.idle()) return this.publish(e);
    return this.flush().then(() => this.publish(e));
  }

  private publish(e: Untimed | ClusterEvent): void {
    const now = this.host.now();
    const event = (now === undefined || this.startedAt === undefined || 't' in e ? e : { ...e, t: now - this.startedAt }) as ClusterEvent;
    this.state.apply(event);
    for (const l of this.listeners) l(event);
  }
}

function describeFailure(r: ControlResult): string {
  return r.type === 'error' ? r.message : `unexpected answer ${r.type}`;
}
