import type { MessageFacts, NodeId, RecordNotice } from '../protocol/messages';
import type { ClusterEvent } from './events';

interface Held {
  notice: RecordNotice;
  /** ms since the run started, when the node reported it; undefined in the model. */
  t: number | undefined;
  /** The message's `from.id` ('' for an applied write). */
  id: string;
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
  private readonly open = new Map<string, MessageFacts>();
  /**
   * Open messages a host holds for a paused server (faults), and `node|step` of each holder: their
   * ends come after the server is resumed, and so do those of the replies the holder waits for in
   * the same step (a gossip wave counts its replies only once all are in). Neither keeps the run
   * from being quiet: nothing more of them is reported before the resume.
   */
  private readonly parked = new Map<string, string>();
  private readonly holders = new Map<string, number>();
  private held = 0;
  /** Requests delivered and not answered yet, by id. */
  private readonly taken = new Map<string, MessageFacts>();
  /**
   * Requests a killed node had taken: their requester's report that it is unreachable is no second
   * end, but it is still to come (the run is not quiet without it, unless the requester cannot
   * report it before a resume: it is paused, or it holds messages of that step for a paused server).
   */
  private readonly orphaned = new Map<string, MessageFacts>();
  /** Nodes stopped by pauseServer, until their resume begins. */
  private readonly suspended = new Set<NodeId>();
  /** Killed nodes, until their id joins again: a reply sent to one is never delivered. */
  private readonly dead = new Set<NodeId>();

  add(notice: RecordNotice, t?: number): void {
    const id = notice.type === 'applied' ? '' : msgId(notice.msg.from, notice.msg.id);
    if (notice.type === 'lost' && this.orphaned.delete(id)) return;
    if (notice.type === 'delivered' && notice.msg.replyTo === 0) this.taken.set(id, notice.msg);
    else if (notice.type === 'sent' && notice.msg.replyTo !== 0) this.taken.delete(msgId(notice.msg.to, notice.msg.replyTo));
    let stream = this.streams.get(notice.node);
    if (!stream) this.streams.set(notice.node, (stream = []));
    stream.push({ notice, t, id });
    this.held++;
    if (notice.type === 'applied') return;
    // A second copy's end only repeats the first one's (faults: a duplicate).
    if (notice.type !== 'sent' && notice.duplicate) return;
    // A reply to a killed node has no end.
    if (notice.type === 'sent' && notice.msg.replyTo !== 0 && this.dead.has(notice.msg.to)) return;
    // A send opens a message and its end closes it, whichever is reported first.
    if (this.open.delete(id)) this.unpark(id);
    else this.open.set(id, notice.msg);
  }

  /** A sent message is held for a paused server (its host said so): until its end comes, the run may be quiet without it. */
  park(from: NodeId, msg: number): void {
    const id = msgId(from, msg);
    const m = this.open.get(id);
    if (!m || this.parked.has(id)) return;
    const holder = `${m.from}|${m.cause.step}`;
    this.parked.set(id, holder);
    this.holders.set(holder, (this.holders.get(holder) ?? 0) + 1);
  }

  /** `node` is paused: it reports nothing until it is resumed. */
  suspend(node: NodeId): void {
    this.suspended.add(node);
  }

  /**
   * The hosts send on what they held for `to` (of one step, or all): the ends of those messages,
   * and of the replies their holders wait for, are reported from now on, so the run is not quiet
   * without them. Otherwise a holder's later deliveries, reported before the paused server's
   * own, could be released ahead of it, and the record would depend on which report came first.
   */
  resumed(to: NodeId, step?: number): void {
    this.suspended.delete(to);
    for (const id of [...this.parked.keys()]) {
      const m = this.open.get(id);
      if (m && m.to === to && (step === undefined || m.cause.step === step)) this.unpark(id);
    }
  }

  /**
   * `node`'s process is gone (said before it goes): what it held for a paused server never leaves,
   * and the replies it waited for with them are never delivered. Their ends will not come; the run
   * may be quiet without them. The requests it had taken and not answered were delivered: their
   * requesters learn that it is gone (unreachable), which the record does not count as a second end.
   */
  killed(node: NodeId): void {
    this.dead.add(node);
    this.suspended.delete(node);
    // Its own requests: nothing more of them is reported (its ids start again if it rejoins).
    const own = `${node}.`;
    for (const id of [...this.orphaned.keys()]) if (id.startsWith(own)) this.orphaned.delete(id);
    for (const [id, m] of [...this.taken]) {
      if (id.startsWith(own)) this.taken.delete(id);
      else if (m.to === node) {
        this.taken.delete(id);
        this.orphaned.set(id, m);
      }
    }
    for (const [id, m] of [...this.open]) {
      const held = this.parked.has(id) && m.from === node;
      const awaited = m.to === node && m.replyTo !== 0 && this.holders.has(`${node}|${m.cause.step}`);
      if (held || awaited) this.open.delete(id);
    }
    for (const [id, holder] of [...this.parked]) if (holder.startsWith(`${node}|`)) this.unpark(id);
  }

  /** A node (re)joins: messages to it are delivered again. */
  joined(node: NodeId): void {
    this.dead.delete(node);
  }

  private unpark(id: string): void {
    const holder = this.parked.get(id);
    if (holder === undefined) return;
    this.parked.delete(id);
    const n = (this.holders.get(holder) ?? 1) - 1;
    if (n > 0) this.holders.set(holder, n);
    else this.holders.delete(holder);
  }

  /**
   * No message is half reported: every send has its end and every end its send, and every
   * requester of a killed server has said it found it gone (what waits for a paused server aside).
   */
  quiet(): boolean {
    for (const m of this.orphaned.values()) {
      if (!this.suspended.has(m.from) && !this.holders.has(`${m.from}|${m.cause.step}`)) return false;
    }
    if (this.open.size === this.parked.size) return true;
    for (const [id, m] of this.open) {
      if (this.parked.has(id)) continue;
      if (m.replyTo !== 0 && this.holders.has(`${m.to}|${m.cause.step}`)) continue;
      return false;
    }
    return true;
  }

  /** Nothing held to release and nothing half reported: an event of the master's own may go now. */
  idle(): boolean {
    return this.held === 0 && this.quiet();
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
        if (!head || (!all && !this.ready(head))) continue;
        if (!best || before(head.notice, best.notice)) best = head;
      }
      if (!best) break;
      this.streams.get(best.notice.node)!.shift();
      this.held--;
      out.push(this.release(best));
    }
    if (all) {
      this.open.clear();
      this.parked.clear();
      this.holders.clear();
    }
    return out;
  }

  private ready(h: Held): boolean {
    const n = h.notice;
    // A duplicate's end follows its first copy's end in the same stream, so that one has gone already.
    return n.type === 'sent' || n.type === 'applied' || this.sentOut.has(h.id) || n.duplicate === true;
  }

  // Events are built field by field, in one order per type (no spreads): a long run releases
  // hundreds of thousands of them.
  private release({ notice: n, t, id }: Held): ClusterEvent {
    let e: ClusterEvent;
    if (n.type === 'applied') {
      e = { type: 'applied', line: n.cause.line, step: n.cause.step, node: n.node, counter: n.counter, key: n.key, value: n.value, stamp: n.stamp, via: n.via, from: n.from };
    } else {
      const m = n.msg;
      const { line, step } = m.cause;
      if (n.type === 'sent') {
        this.sentOut.add(id);
        e = { type: 'send', line, step, msg: id, from: m.from, to: m.to, kind: m.kind, node: n.node, counter: n.counter, body: n.body };
        if (n.delay) e.delay = n.delay;
      } else {
        this.sentOut.delete(id);
        e = n.type === 'delivered'
          ? { type: 'deliver', line, step, msg: id, from: m.from, to: m.to, kind: m.kind, node: n.node, counter: n.counter }
          : { type: 'lost', line, step, msg: id, from: m.from, to: m.to, kind: m.kind, node: n.node, counter: n.counter, reason: n.reason };
        if (n.duplicate) e.duplicate = true;
      }
      if (m.replyTo) e.re = msgId(m.to, m.replyTo);
    }
    if (t !== undefined) e.t = t;
    return e;
  }
}

function before(a: RecordNotice, b: RecordNotice): boolean {
  return a.counter !== b.counter ? a.counter < b.counter : a.node < b.node;
}

export function msgId(from: NodeId, id: number): string {
  return `${from}.${id}`;
}
