import type { NodeId, RecordNotice } from '../protocol/messages';
import type { ClusterEvent, MessageRef } from './events';

interface Held {
  notice: RecordNotice;
  /** ms since the run started, when the node reported it; undefined in the model. */
  t: number | undefined;
}

/**
 * Turns what nodes report, stream by stream, into one sequence of events consistent with
 * happened-before: a node's own events keep their order, and a delivery or loss never comes
 * before its send. Among the events that may go next, the one with the smallest (Lamport counter,
 * node id) goes first, so the same reports give the same sequence however they arrived, which is
 * what makes a real run's record equal to the model's.
 */
export class CausalOrder {
  private readonly streams = new Map<NodeId, Held[]>();
  /** Messages whose send has been released and whose end (delivery or loss) has not. */
  private readonly sentOut = new Set<string>();
  /** Sends reported without their end, and ends reported before their send: while any, the run is not quiet. */
  private readonly open = new Set<string>();
  private held = 0;

  add(notice: RecordNotice, t?: number): void {
    let stream = this.streams.get(notice.node);
    if (!stream) this.streams.set(notice.node, (stream = []));
    stream.push({ notice, t });
    this.held++;
    if (notice.type === 'applied') return;
    const id = msgId(notice.msg.from, notice.msg.id);
    // A send opens a message and its end closes it, whichever is reported first.
    if (!this.open.delete(id)) this.open.add(id);
  }

  /** No message is half reported: every send has its end and every end its send. */
  quiet(): boolean {
    return this.open.size === 0;
  }

  get size(): number {
    return this.held;
  }

  /**
   * Releases every event whose causes have been released, in order. `all` releases the rest too
   * (at the end of a run, where a message's other end may never come: a node was killed mid-way).
   */
  drain(all = false): ClusterEvent[] {
    const out: ClusterEvent[] = [];
    for (;;) {
      let best: Held | undefined;
      for (const stream of this.streams.values()) {
        const head = stream[0];
        if (!head || (!all && !this.ready(head.notice))) continue;
        if (!best || before(head.notice, best.notice)) best = head;
      }
      if (!best) break;
      this.streams.get(best.notice.node)!.shift();
      this.held--;
      out.push(this.release(best));
    }
    if (all) this.open.clear();
    return out;
  }

  private ready(n: RecordNotice): boolean {
    if (n.type === 'sent' || n.type === 'applied') return true;
    return this.sentOut.has(msgId(n.msg.from, n.msg.id));
  }

  private release({ notice: n, t }: Held): ClusterEvent {
    const time = t === undefined ? {} : { t };
    if (n.type === 'applied') {
      const { cause, node, counter, key, value, stamp, via, from } = n;
      return { type: 'applied', line: cause.line, step: cause.step, node, counter, key, value, stamp, via, from, ...time };
    }
    const { line, step } = n.msg.cause;
    const ref = messageRef(n.msg);
    if (n.type === 'sent') {
      this.sentOut.add(ref.msg);
      return { type: 'send', line, step, ...ref, node: n.node, counter: n.counter, body: n.body, ...time };
    }
    this.sentOut.delete(ref.msg);
    if (n.type === 'delivered') return { type: 'deliver', line, step, ...ref, node: n.node, counter: n.counter, ...time };
    return { type: 'lost', line, step, ...ref, node: n.node, counter: n.counter, reason: n.reason, ...time };
  }
}

function before(a: RecordNotice, b: RecordNotice): boolean {
  return a.counter !== b.counter ? a.counter < b.counter : a.node < b.node;
}

export function msgId(from: NodeId, id: number): string {
  return `${from}.${id}`;
}

function messageRef(m: { from: NodeId; to: NodeId; id: number; replyTo: number; kind: MessageRef['kind'] }): MessageRef {
  return { msg: msgId(m.from, m.id), ...(m.replyTo ? { re: msgId(m.to, m.replyTo) } : {}), from: m.from, to: m.to, kind: m.kind };
}
