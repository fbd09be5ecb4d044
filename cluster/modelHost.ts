import { createNode, ProtocolNode } from '../protocol';
import { ControlBody, ControlResult, Envelope, InitBody, lostReply, NodeId, NodeNotice, NodeSnapshot } from '../protocol/messages';
import { Effects } from '../protocol/node';
import { NodeHost } from './host';

/**
 * The in-process model: the same state machines as the real processes, on a simulated network that
 * delivers one message at a time in send order. Runs to quiescence after every control message, so
 * it matches a real run in `settled` and `off` modes, where only one message is ever in flight.
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
   * sent is treated as sent to a gone node.
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

  constructor(private readonly options: ModelHostOptions = {}) {}

  async start(init: InitBody): Promise<{ port: number; pid: number }> {
    this.nodes.set(init.id, (this.options.createNode ?? createNode)(init));
    this.lives.set(init.id, (this.lives.get(init.id) ?? 0) + 1);
    return { port: 0, pid: 0 };
  }

  async kill(id: NodeId): Promise<void> {
    this.nodes.delete(id);
    this.lives.set(id, (this.lives.get(id) ?? 0) + 1);
  }

  async control(id: NodeId, body: ControlBody): Promise<ControlResult> {
    const node = this.nodes.get(id);
    if (!node) return { type: 'error', message: `node ${id} is not running` };
    const seq = ++this.seq;
    this.absorb(node.handleControl({ seq, body }));
    if (this.options.schedule) await this.drainScheduled(this.options.schedule, seq);
    else if (this.options.beforeDelivery) await this.drainStepping(this.options.beforeDelivery);
    else this.drain();
    const result = this.answers.get(seq);
    this.answers.delete(seq);
    return result ?? { type: 'error', message: `node ${id} did not answer ${body.type}` };
  }

  async pause(): Promise<void> {
    // The model has no time: a sleep changes nothing in it.
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
  }

  /** Messages sent and not yet delivered, in the order they will be (for a debugger's view). */
  inFlight(): readonly Envelope[] {
    return this.queue;
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

  private async drainScheduled(schedule: (point: DeliveryPoint) => DeliveryChoice, seq: number | undefined): Promise<void> {
    const q = this.queue;
    while (q.length > 0) {
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

  private async drainStepping(before: (env: Envelope) => Promise<void>): Promise<void> {
    while (this.queue.length > 0) {
      await before(this.queue[0]);
      this.deliver(this.queue.shift()!);
    }
  }

  private deliver(env: Envelope): void {
    const life = this.options.schedule ? this.sentToLife.get(env) : undefined;
    const dest = life === undefined || life === this.lives.get(env.to) ? this.nodes.get(env.to) : undefined;
    if (dest) {
      this.absorb(dest.handleMessage(env));
    } else if (env.replyTo === 0) {
      // A request to a gone node fails at once, as a refused TCP connection does on loopback.
      const lost = lostReply(env, 'unreachable');
      this.queue.push(lost);
      if (this.options.schedule) this.sentToLife.set(lost, this.lives.get(lost.to) ?? 0);
    }
  }

  private absorb(fx: Effects): void {
    this.queue.push(...fx.sends);
    if (this.options.schedule) for (const env of fx.sends) this.sentToLife.set(env, this.lives.get(env.to) ?? 0);
    for (const r of fx.replies) this.answers.set(r.seq, r.result);
    if (fx.notices.length > 0) for (const l of this.listeners) l(fx.notices, undefined);
  }
}
