import { LamportClock } from './clock';
import { formatStamp } from './stamp';
import {
  ControlBody, ControlIn, ControlOut, ControlResult, Envelope, GossipMode, NodeId, NodeNotice, NodeSnapshot, PeerBody, Role,
} from './messages';

/** What one step of a node asks its transport to do. */
export interface Effects {
  sends: Envelope[];
  replies: ControlOut[];
  notices: NodeNotice[];
}

export interface NodeConfig {
  id: NodeId;
  seed: number;
  gossip: GossipMode;
  trace: boolean;
}

type Continuation = (reply: Envelope) => void;

interface Pending {
  cont: Continuation;
  /** Part of a fan-out: the reply's counter is observed when the whole batch is in, in request order. */
  batched: boolean;
}

/**
 * The part every protocol node shares: Lamport counting on every send and receive, request/reply
 * pairing, and link enforcement. A node is a deterministic state machine: an input in, Effects out,
 * no clocks, no sockets, no timers. Transports (XML-RPC processes, the in-process model) run it.
 */
export abstract class ProtocolNode {
  readonly clock = new LamportClock();
  readonly links = new Map<NodeId, Role>();
  private nextRequest = 1;
  private readonly pending = new Map<number, Pending>();
  private out: Effects = emptyEffects();

  constructor(readonly config: NodeConfig, readonly role: Role) {}

  get id(): NodeId {
    return this.config.id;
  }

  handleControl(msg: ControlIn): Effects {
    const b = msg.body;
    switch (b.type) {
      case 'link':
        this.links.set(b.peer, b.peerRole);
        this.answer(msg.seq, { type: 'ok' });
        break;
      case 'unlink':
        this.links.delete(b.peer);
        this.answer(msg.seq, { type: 'ok' });
        break;
      case 'snapshot':
        this.answer(msg.seq, { type: 'snapshot', snapshot: this.snapshot() });
        break;
      default:
        this.onControl(msg.seq, b);
    }
    return this.flush();
  }

  handleMessage(env: Envelope): Effects {
    if (env.replyTo !== 0) this.receiveReply(env);
    else this.receiveRequest(env);
    return this.flush();
  }

  private receiveRequest(env: Envelope): void {
    // A cut link is enforced here: the request is not processed and the counter does not move.
    if (!this.links.has(env.from)) {
      this.out.sends.push({ from: this.id, to: env.from, id: 0, replyTo: env.id, counter: 0, body: { type: 'refused' } });
      return;
    }
    this.observe(env);
    this.onRequest(env);
  }

  private receiveReply(env: Envelope): void {
    const pending = this.pending.get(env.replyTo);
    if (!pending) return;
    this.pending.delete(env.replyTo);
    if (!isLost(env) && !this.links.has(env.from)) {
      // The link was cut while the request was out: the reply is dropped like any traffic from that peer.
      pending.cont({ ...env, counter: 0, body: { type: 'refused' } });
      return;
    }
    if (!isLost(env) && !pending.batched) this.observe(env);
    pending.cont(env);
  }

  private observe(env: Envelope): void {
    const counter = this.clock.observe(env.counter);
    if (this.config.trace) {
      this.out.notices.push({
        type: 'delivered', from: env.from, to: this.id, msg: env.body.type, sentCounter: env.counter, counter, detail: describe(env.body),
      });
    }
  }

  protected request(to: NodeId, body: PeerBody, cont: Continuation): void {
    const id = this.nextRequest++;
    this.pending.set(id, { cont, batched: false });
    this.out.sends.push({ from: this.id, to, id, replyTo: 0, counter: this.clock.tickForSend(), body });
  }

  /**
   * Sends several requests at once and continues when every reply is in. Replies may arrive in any
   * order; their counters are observed in request order once all are in, so the result does not
   * depend on how the operating system scheduled the receivers.
   */
  protected requestAll(requests: { to: NodeId; body: PeerBody }[], cont: (replies: Envelope[]) => void): void {
    if (requests.length === 0) {
      cont([]);
      return;
    }
    const replies: Envelope[] = new Array(requests.length);
    let missing = requests.length;
    requests.forEach((r, i) => {
      const id = this.nextRequest++;
      this.pending.set(id, {
        batched: true,
        cont: (env) => {
          replies[i] = env;
          if (--missing > 0) return;
          for (const reply of replies) if (!isLost(reply)) this.observe(reply);
          cont(replies);
        },
      });
      this.out.sends.push({ from: this.id, to: r.to, id, replyTo: 0, counter: this.clock.tickForSend(), body: r.body });
    });
  }

  protected reply(req: Envelope, body: PeerBody): void {
    this.out.sends.push({ from: this.id, to: req.from, id: 0, replyTo: req.id, counter: this.clock.tickForSend(), body });
  }

  protected answer(seq: number, result: ControlResult): void {
    this.out.replies.push({ seq, result });
  }

  protected notice(n: NodeNotice): void {
    this.out.notices.push(n);
  }

  /** Linked peers of one role, ascending: the fixed order that makes runs replayable. */
  protected linked(role: Role): NodeId[] {
    const ids: NodeId[] = [];
    for (const [id, r] of this.links) if (r === role) ids.push(id);
    return ids.sort((a, b) => a - b);
  }

  protected abstract onControl(seq: number, body: ControlBody): void;
  protected abstract onRequest(env: Envelope): void;
  abstract snapshot(): NodeSnapshot;

  private flush(): Effects {
    const out = this.out;
    this.out = emptyEffects();
    return out;
  }
}

function isLost(env: Envelope): boolean {
  return env.body.type === 'refused' || env.body.type === 'unreachable';
}

function emptyEffects(): Effects {
  return { sends: [], replies: [], notices: [] };
}

function describe(b: PeerBody): string {
  switch (b.type) {
    case 'put': return `put ${b.key}=${b.value}`;
    case 'putReply': return `put ${b.key} stamped ${formatStamp(b.stamp)}`;
    case 'get': return `get ${b.key}` + (b.dep ? ` dep ${formatStamp(b.dep)}` : '');
    case 'getReply': return `get ${b.key} -> ` + (b.result.kind === 'value' ? `${b.result.value} ${formatStamp(b.result.stamp)}` : b.result.kind);
    case 'gossip': return `gossip ${b.entry.key}=${b.entry.value} ${formatStamp(b.entry.stamp)}`;
    case 'spread': return `spread ${b.entry.key} ${formatStamp(b.entry.stamp)} past [${b.visited.join(',')}]`;
    case 'gossipAck': return `gossip ack` + (b.frontier.length ? `, unreached neighbours [${b.frontier.join(',')}]` : '');
    case 'explore': return `stabilize explore #${b.epoch}`;
    case 'exploreReply': return `stabilize gather #${b.epoch}: ${b.joined ? `${b.entries.length} entries from [${b.members.join(',')}]` : 'already visited'}`;
    case 'install': return `stabilize install #${b.epoch}: ${b.entries.length} entries`;
    case 'installAck': return `stabilize installed #${b.epoch}`;
    default: return b.type;
  }
}
