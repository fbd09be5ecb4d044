import { createNode, ProtocolNode } from '../protocol';
import { Copies, messageFacts, NO_FAULTS, requesterOf, SenderFaults, noteDelay } from '../protocol/faults';
import { ControlBody, ControlResult, Envelope, FaultTable, GossipMode, InitBody, lostReply, NodeId, NodeNotice, NodeSnapshot } from '../protocol/messages';
import { Effects } from '../protocol/node';
import { NodeHost } from './host';

/**
 * The in-process model: the same state machines as the real processes, on a simulated network that
 * delivers one message at a time in send order. Runs to quiescence after every control message, so
 * it matches a real run in `settled` and `off` modes, where only one message is ever in flight.
 *
 * Faults (protocol/faults.ts) are decided for each message as its sender's host would, by the same
 * code. The model keeps a clock of its own for delays: a delayed message waits in `timed` until the
 * clock reaches it, and the clock moves only when the run would wait in real time: while a control
 * has no answer yet, in `settled` and `off` modes until everything has landed (the master waits for
 * floods there), and for `sleep`. So in `async` mode a command that follows a delayed gossip runs
 * before it lands, as it does between real processes. Messages for a suspended (paused) node are
 * parked until `release`.
 */
export interface ModelHostOptions {
  /**
   * Called before each message is delivered; the delivery waits for it. A debugger steps through a
   * run with this, one delivery at a time. Without it the network runs flat out, synchronously.
   */
  beforeDelivery?: (env: Envelope) => Promise<void>;
  /**
   * Builds each node's state machine (default: protocol's createNode). Tests supply their own to
   * run deliberately broken servers and show that the history checker (check/) catches them.
   */
  createNode?: (init: InitBody) => ProtocolNode;
  /**
   * An explorer's hook (explore/): when given, messages are no longer drained in send order. At each
   * delivery point the host asks which in-flight message goes next, or 'hold': leave every message
   * still in flight where it is and let the control return. Hold is offered only once the answer the
   * control waits for is in (`canHold`); held messages stay in flight across the following controls
   * and are chosen from at later points, and `deliverHeld()` (the runner calls it before the final
   * snapshot) delivers what is left, still asking the order. `beforeDelivery` is awaited as usual.
   * A held message addressed to a node that was killed (or killed and started again) since it was
   * sent is treated as sent to a gone node. A delayed message (a fault) joins `inFlight` when the
   * model's clock reaches it, as in a plain run.
   */
  schedule?: (point: DeliveryPoint) => DeliveryChoice;
}

/** What a schedule hook sees at a delivery point: the messages in flight, oldest first. */
export interface DeliveryPoint {
  readonly inFlight: readonly Envelope[];
  /** The answer the current control waits for is in: 'hold' is allowed. */
  readonly canHold: boolean;
}

/** An index into `inFlight`, or 'hold'. */
export type DeliveryChoice = number | 'hold';

/** A message the network holds back until the model's clock reaches `due` (ms). Those due together keep their send order. */
interface Timed {
  env: Envelope;
  due: number;
}

export class ModelHost implements NodeHost {
  readonly backend = 'model';
  private readonly nodes = new Map<NodeId, ProtocolNode>();
  private readonly queue: Envelope[] = [];
  private readonly listeners: ((notices: NodeNotice[], at: undefined) => void)[] = [];
  private readonly answers = new Map<number, ControlResult>();
  private seq = 0;
  /** Schedule mode only: each node's life (bumped at every start and kill), and the life each message was sent to. */
  private readonly lives = new Map<NodeId, number>();
  private readonly sentToLife = new WeakMap<Envelope, number>();
  // Faults: set once a table with anything in it arrives; until then the plain drain runs.
  private faulty = false;
  private table: FaultTable = NO_FAULTS;
  private gossip: GossipMode = 'settled';
  private readonly senders = new Map<NodeId, SenderFaults>();
  private readonly copies = new Map<NodeId, Copies>();
  /** Messages the network lost (the requester learns it when they are "delivered") or doubled. */
  private readonly dropped = new WeakSet<Envelope>();
  private readonly doubled = new WeakSet<Envelope>();
  /** The model's clock (ms) and what waits for it, by due time then send order. */
  private clock = 0;
  private readonly timed: Timed[] = [];
  /** Suspended nodes, and what arrived for them meanwhile, in arrival order. */
  private readonly suspended = new Set<NodeId>();
  private readonly parked: Envelope[] = [];
  /** With faults: per node, the requests it has taken and not answered (`from.id`). */
  private readonly taken = new Map<NodeId, Map<string, Envelope>>();
  /** Controls still without an answer once the network stopped (their answer waits for a paused node). */
  private readonly waiting = new Map<number, (r: ControlResult) => void>();

  constructor(private readonly options: ModelHostOptions = {}) {}

  async start(init: InitBody): Promise<{ port: number; pid: number }> {
    this.nodes.set(init.id, (this.options.createNode ?? createNode)(init));
    this.lives.set(init.id, (this.lives.get(init.id) ?? 0) + 1);
    this.gossip = init.gossip;
    // A new life sends with fresh generators, as a new process does.
    const faults = new SenderFaults(init.id);
    faults.set(this.table);
    this.senders.set(init.id, faults);
    this.copies.delete(init.id);
    return { port: 0, pid: 0 };
  }

  async kill(id: NodeId): Promise<void> {
    // What its process held back (delayed, or for a paused server) dies with it.
    keepOnly(this.timed, (t) => t.env.from !== id);
    keepOnly(this.parked, (env) => env.from !== id);
    this.nodes.delete(id);
    // Its requesters' calls break at once, as a killed process's connections do: it is unreachable.
    const broken = [...(this.taken.get(id)?.values() ?? [])];
    this.taken.delete(id);
    for (const req of broken) this.queue.push(lostReply(req, 'unreachable'));
    if (broken.length > 0) await this.run(undefined);
    this.lives.set(id, (this.lives.get(id) ?? 0) + 1);
    this.suspended.delete(id);
  }

  async control(id: NodeId, body: ControlBody): Promise<ControlResult> {
    const node = this.nodes.get(id);
    if (!node) return { type: 'error', message: `node ${id} is not running` };
    const seq = ++this.seq;
    this.absorb(id, node.handleControl({ seq, body }));
    // The plain network runs synchronously; `run` awaits a debugger's or an explorer's hook.
    if (!this.faulty && !this.options.schedule && !this.options.beforeDelivery) this.drain();
    else await this.run(seq);
    const result = this.answers.get(seq);
    this.answers.delete(seq);
    if (result) return result;
    // Its answer waits for a paused node, or for a delayed message: it comes in a later run of the network.
    if (this.parked.length > 0 || this.timed.length > 0) return new Promise((resolve) => this.waiting.set(seq, resolve));
    return { type: 'error', message: `node ${id} did not answer ${body.type}` };
  }

  /** The script's `sleep`: the model's clock moves on by `ms`, and what falls due meanwhile lands. */
  async pause(ms: number): Promise<void> {
    if (!this.faulty) return;
    const until = this.clock + ms;
    await this.run(undefined, until);
    this.clock = Math.max(this.clock, until);
  }

  async setFaults(table: FaultTable): Promise<void> {
    this.table = table;
    for (const s of this.senders.values()) s.set(table);
    if (table.rules.length > 0 || table.paused.length > 0) this.faulty = true;
  }

  async suspend(id: NodeId): Promise<void> {
    if (this.nodes.has(id)) this.suspended.add(id);
    this.faulty = true;
  }

  async resume(id: NodeId): Promise<void> {
    this.suspended.delete(id);
  }

  async release(to: NodeId, step?: number): Promise<void> {
    let kept = 0;
    for (const env of this.parked) {
      const target = this.dropped.has(env) ? requesterOf(env) : env.to;
      if (target === to && (step === undefined || env.cause.step === step) && !this.suspended.has(target)) this.queue.push(env);
      else this.parked[kept++] = env;
    }
    this.parked.length = kept;
    await this.run(undefined);
  }

  now(): undefined {
    return undefined;
  }

  onNotices(listener: (notices: NodeNotice[], at: undefined) => void): void {
    this.listeners.push(listener);
  }

  onNodeLost(): void {
    // State machines in this process cannot crash on their own.
  }

  async close(): Promise<void> {
    this.nodes.clear();
    this.queue.length = 0;
    this.timed.length = 0;
    this.parked.length = 0;
  }

  /** Messages sent and not yet delivered, in the order they will be (for a debugger's view): then the delayed and the parked ones. */
  inFlight(): readonly Envelope[] {
    if (this.timed.length === 0 && this.parked.length === 0) return this.queue;
    return [...this.queue, ...this.timed.map((t) => t.env), ...this.parked];
  }

  /** A node's state read directly, without a control message (a debugger looks while a delivery waits). */
  peek(id: NodeId): NodeSnapshot | undefined {
    return this.nodes.get(id)?.snapshot();
  }

  /**
   * Schedule mode: delivers every message still held in flight, asking the schedule for the order
   * (hold is not offered). Without a schedule nothing is ever left in flight between controls.
   */
  async deliverHeld(): Promise<void> {
    if (this.options.schedule) await this.drainScheduled(this.options.schedule, undefined);
  }

  /** Runs the network for a control (its `seq`) or for the script (sleep up to `until`, a release). */
  private async run(seq: number | undefined, until = Infinity): Promise<void> {
    if (this.options.schedule) await this.drainScheduled(this.options.schedule, seq);
    else if (this.options.beforeDelivery) await this.drainStepping(this.options.beforeDelivery, seq, until);
    else if (!this.faulty) this.drain();
    else {
      do {
        while (this.queue.length > 0) this.deliver(this.queue.shift()!);
      } while (this.tick(seq, until));
    }
  }

  /**
   * With nothing left to deliver now, moves the clock to the next delayed message and makes what
   * is due then deliverable; false when time stands still: nothing is delayed, it is not due by
   * `until`, or nobody waits (in async mode the master moves on once a control has its answer).
   */
  private tick(seq: number | undefined, until: number): boolean {
    if (this.timed.length === 0 || this.timed[0].due > until) return false;
    const waited = until !== Infinity || this.gossip !== 'async' || (seq !== undefined && !this.answers.has(seq)) || this.waiting.size > 0;
    if (!waited) return false;
    this.clock = this.timed[0].due;
    let n = 0;
    while (n < this.timed.length && this.timed[n].due <= this.clock) this.queue.push(this.timed[n++].env);
    this.timed.splice(0, n);
    return true;
  }

  private async drainScheduled(schedule: (point: DeliveryPoint) => DeliveryChoice, seq: number | undefined): Promise<void> {
    const q = this.queue;
    // Delayed messages are offered once the clock reaches them, as a plain run would deliver them.
    while (q.length > 0 || this.tick(seq, Infinity)) {
      const canHold = seq !== undefined && this.answers.has(seq);
      const choice = schedule({ inFlight: q, canHold });
      if (choice === 'hold') {
        if (!canHold) throw new Error('schedule: hold before the answer the master waits for is in');
        return;
      }
      if (!Number.isInteger(choice) || choice < 0 || choice >= q.length) throw new Error(`schedule: no message ${choice} in flight (${q.length})`);
      const [env] = q.splice(choice, 1);
      if (this.options.beforeDelivery) await this.options.beforeDelivery(env);
      this.deliver(env);
    }
  }

  private drain(): void {
    // By index, not shift(): deliveries append to the same queue, which empties once at the end.
    const q = this.queue;
    for (let i = 0; i < q.length; i++) this.deliver(q[i]);
    q.length = 0;
  }

  private async drainStepping(before: (env: Envelope) => Promise<void>, seq?: number, until = Infinity): Promise<void> {
    do {
      while (this.queue.length > 0) {
        await before(this.queue[0]);
        this.deliver(this.queue.shift()!);
      }
    } while (this.tick(seq, until));
  }

  private deliver(env: Envelope): void {
    const dropped = this.faulty && this.dropped.has(env);
    // A dropped message "arrives" at its requester, who learns that the exchange failed.
    const target = dropped ? requesterOf(env) : env.to;
    if (this.suspended.has(target) && this.nodes.has(target)) {
      this.parked.push(env);
      // The sender's host holds what it sends to a paused node, and says so (the master stops waiting on it).
      if (!dropped && env.id !== 0) this.notify([{ type: 'held', node: env.from, msg: messageFacts(env) }]);
      return;
    }
    const life = this.options.schedule ? this.sentToLife.get(env) : undefined;
    const dest = life === undefined || life === this.lives.get(target) ? this.nodes.get(target) : undefined;
    if (dropped) {
      if (!dest) return;
      this.absorb(target, dest.handleDropped(env));
    } else if (dest) {
      if (this.faulty && this.doubled.has(env) && dest.config.trace) this.copiesOf(target).expect(env);
      if (this.faulty && env.replyTo === 0 && env.id !== 0) {
        let list = this.taken.get(target);
        if (!list) this.taken.set(target, (list = new Map()));
        list.set(`${env.from}.${env.id}`, env);
      }
      this.absorb(target, dest.handleMessage(env));
    } else if (env.replyTo === 0) {
      // A request to a gone node fails at once, as a refused TCP connection does on loopback.
      const lost = lostReply(env, 'unreachable');
      this.queue.push(lost);
      if (this.options.schedule) this.sentToLife.set(lost, this.lives.get(lost.to) ?? 0);
    }
  }

  /** What one step of node `id` did: its sends enter the network (through its faults), its answers and notices go out. */
  private absorb(id: NodeId, fx: Effects): void {
    const taken = this.faulty ? this.taken.get(id) : undefined;
    if (taken) for (const env of fx.sends) if (env.replyTo !== 0) taken.delete(`${env.to}.${env.replyTo}`);
    const faults = this.faulty ? this.senders.get(id) : undefined;
    if (faults?.active) this.send(faults, fx);
    else this.queue.push(...fx.sends);
    if (this.options.schedule) for (const env of fx.sends) this.sentToLife.set(env, this.lives.get(env.to) ?? 0);
    for (const r of fx.replies) {
      const waiter = this.waiting.size > 0 ? this.waiting.get(r.seq) : undefined;
      if (waiter) {
        this.waiting.delete(r.seq);
        waiter(r.result);
      } else {
        this.answers.set(r.seq, r.result);
      }
    }
    const copies = this.faulty ? this.copies.get(id) : undefined;
    this.notify(copies && copies.size > 0 ? copies.mark(fx.notices) : fx.notices);
  }

  /** Sends under the network's faults: each message's fate decided as its sender's host would. */
  private send(faults: SenderFaults, fx: Effects): void {
    for (const env of fx.sends) {
      const fate = faults.fate(env);
      if (fate.dropped) this.dropped.add(env);
      if (fate.copies > 1) this.doubled.add(env);
      if (fate.delay > 0 && this.nodes.get(env.from)?.config.trace) noteDelay(fx.notices, env, fate.delay);
      if (fate.delay === 0) {
        this.queue.push(env);
        continue;
      }
      const t: Timed = { env, due: this.clock + fate.delay };
      let i = this.timed.length;
      while (i > 0 && this.timed[i - 1].due > t.due) i--;
      this.timed.splice(i, 0, t);
    }
  }

  private copiesOf(id: NodeId): Copies {
    let c = this.copies.get(id);
    if (!c) this.copies.set(id, (c = new Copies()));
    return c;
  }

  private notify(notices: NodeNotice[]): void {
    if (notices.length > 0) for (const l of this.listeners) l(notices, undefined);
  }
}

/** Removes, in place and in order, the items of `list` that `keep` refuses. */
function keepOnly<T>(list: T[], keep: (item: T) => boolean): void {
  let kept = 0;
  for (const item of list) if (keep(item)) list[kept++] = item;
  list.length = kept;
}
