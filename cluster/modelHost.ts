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
}

export class ModelHost implements NodeHost {
  readonly backend = 'model';
  private readonly nodes = new Map<NodeId, ProtocolNode>();
  private readonly queue: Envelope[] = [];
  private readonly listeners: ((notices: NodeNotice[], at: undefined) => void)[] = [];
  private readonly answers = new Map<number, ControlResult>();
  private seq = 0;

  constructor(private readonly options: ModelHostOptions = {}) {}

  async start(init: InitBody): Promise<{ port: number; pid: number }> {
    this.nodes.set(init.id, (this.options.createNode ?? createNode)(init));
    return { port: 0, pid: 0 };
  }

  async kill(id: NodeId): Promise<void> {
    this.nodes.delete(id);
  }

  async control(id: NodeId, body: ControlBody): Promise<ControlResult> {
    const node = this.nodes.get(id);
    if (!node) return { type: 'error', message: `node ${id} is not running` };
    const seq = ++this.seq;
    this.absorb(node.handleControl({ seq, body }));
    if (this.options.beforeDelivery) await this.drainStepping(this.options.beforeDelivery);
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
    const dest = this.nodes.get(env.to);
    if (dest) {
      this.absorb(dest.handleMessage(env));
    } else if (env.replyTo === 0) {
      // A request to a gone node fails at once, as a refused TCP connection does on loopback.
      this.queue.push(lostReply(env, 'unreachable'));
    }
  }

  private absorb(fx: Effects): void {
    this.queue.push(...fx.sends);
    for (const r of fx.replies) this.answers.set(r.seq, r.result);
    if (fx.notices.length > 0) for (const l of this.listeners) l(fx.notices, undefined);
  }
}
