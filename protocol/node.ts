import { LamportClock } from './clock';
import { droppedReply } from './faults';
import { Scheme, schemeOf } from './schemes';
import {
  Cause, ControlBody, ControlIn, ControlOut, ControlResult, Envelope, GossipMode, isLostReply, lostReply,
  LossReason, MessageFacts, MessageKind, NO_CAUSE, NodeId, NodeNotice, NodeSnapshot, PeerBody, ProtocolName, Role, summarizeBody,
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
  /** The counter to start from (a rejoined server starts above the cluster, so its stamps are new). */
  clock?: number;
  /** How writes are ordered (protocol/schemes); the default when absent. */
  protocol?: ProtocolName;
}

type Continuation = (reply: Envelope) => void;

/** Why a reply did not arrive as a delivery, as the requester reports it (the loss's reason and message). */
interface Loss {
  reason: LossReason;
  msg: MessageFacts;
}

interface Pending {
  /** `loss`: the requester's own report of the reply's end, when it is a loss it reports. */
  cont: (reply: Envelope, loss?: Loss) => void;
  /** The request (a lost one is reported with its facts). */
  request: Envelope;
  /** Part of a fan-out: the reply's counter is observed when the whole batch is in, in request order. */
  batched: boolean;
}

/**
 * The part every protocol node shares: Lamport counting on every send and receive, request/reply
 * pairing, link enforcement, and the cause each message carries. A node is a deterministic state
 * machine: an input in, Effects out, no clocks, no sockets, no timers. Hosts (XML-RPC processes,
 * the in-process model) run it.
 */
export abstract class ProtocolNode {
  readonly clock: LamportClock;
  readonly scheme: Scheme;
  readonly links = new Map<NodeId, Role>();
  /** linked(role), kept until the links change: asked on every gossip and every client request. */
  private readonly linkedCache = new Map<Role, NodeId[]>();
  private nextMessage = 1;
  private readonly pending = new Map<number, Pending>();
  private out: Effects = emptyEffects();
  /** The command behind the step being handled: everything sent during it inherits it. */
  protected cause: Cause = NO_CAUSE;

  constructor(readonly config: NodeConfig, readonly role: Role) {
    this.clock = new LamportClock(config.clock ?? 0);
    this.scheme = schemeOf(config.protocol);
  }

  get id(): NodeId {
    return this.config.id;
  }

  handleControl(msg: ControlIn): Effects {
    const b = msg.body;
    switch (b.type) {
      case 'link':
        this.links.set(b.peer, b.peerRole);
        this.linkedCache.clear();
        this.answer(msg.seq, { type: 'ok' });
        break;
      case 'unlink':
        this.links.delete(b.peer);
        this.linkedCache.clear();
        this.answer(msg.seq, { type: 'ok' });
        break;
      case 'snapshot':
        this.answer(msg.seq, { type: 'snapshot', snapshot: this.snapshot() });
        break;
      default:
        if ('cause' in b) this.cause = b.cause;
        this.onControl(msg.seq, b);
    }
    return this.flush();
  }

  handleMessage(env: Envelope): Effects {
    this.cause = env.cause;
    if (env.replyTo !== 0) this.receiveReply(env);
    else this.receiveRequest(env);
    return this.flush();
  }

  /**
   * A message of an exchange this node started was lost by the network (faults: its request, or
   * the reply to it): the node gives up on the exchange as over a cut link, and reports the loss.
   */
  handleDropped(env: Envelope): Effects {
    this.cause = env.cause;
    this.receiveReply(droppedReply(env), { reason: 'dropped', msg: facts(env) });
    return this.flush();
  }

  private receiveRequest(env: Envelope): void {
    // A cut link is enforced here: the request is not processed and the counter does not move.
    if (!this.links.has(env.from)) {
      if (this.config.trace) this.record({ type: 'lost', node: this.id, counter: this.clock.value, msg: facts(env), reason: 'link cut' });
      this.out.sends.push(lostReply(env, 'refused'));
      return;
    }
    this.observe(env);
    this.onRequest(env);
  }

  /**
   * A reply, or what stands for one that will not come. Its end is reported at once; in a fan-out
   * (requestAll), once all replies are in and in request order, so that the record does not depend
   * on the order the replies arrived in.
   */
  private receiveReply(env: Envelope, loss?: Loss): void {
    const pending = this.pending.get(env.replyTo);
    if (!pending) return;
    this.pending.delete(env.replyTo);
    let reply = env;
    // `loss` given: the network dropped it (handleDropped).
    if (!loss && isLostReply(env)) {
      // Refused requests were reported by their receiver; one that never got there is reported here.
      if (env.body.type === 'unreachable') loss = { reason: 'unreachable', msg: facts(pending.request) };
    } else if (!loss && !this.links.has(env.from)) {
      // The link was cut while the request was out: the reply is dropped like any traffic from that peer.
      loss = { reason: 'link cut', msg: facts(env) };
      reply = lostReply({ ...env, from: env.to, to: env.from, id: env.replyTo }, 'refused');
    }
    if (pending.batched) return pending.cont(reply, loss);
    this.end(reply, loss);
    pending.cont(reply);
  }

  /** The requester's account of a reply's end: its delivery (the counter observed), or the loss it reports. */
  private end(reply: Envelope, loss: Loss | undefined): void {
    if (loss) this.record({ type: 'lost', node: this.id, counter: this.clock.value, msg: loss.msg, reason: loss.reason });
    else if (!isLostReply(reply)) this.observe(reply);
  }

  private observe(env: Envelope): void {
    const counter = this.clock.observe(env.counter);
    if (this.config.trace) this.record({ type: 'delivered', node: this.id, counter, msg: facts(env) });
  }

  private send(to: NodeId, replyTo: number, body: PeerBody): Envelope {
    const env: Envelope = { from: this.id, to, id: this.nextMessage++, replyTo, counter: this.clock.tickForSend(), cause: this.cause, body };
    this.out.sends.push(env);
    if (this.config.trace) this.record({ type: 'sent', node: this.id, counter: env.counter, msg: facts(env), body: summarizeBody(body) });
    return env;
  }

  protected request(to: NodeId, body: PeerBody, cont: Continuation): void {
    const env = this.send(to, 0, body);
    this.pending.set(env.id, { cont, request: env, batched: false });
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
    const losses: (Loss | undefined)[] = new Array(requests.length);
    let missing = requests.length;
    requests.forEach((r, i) => {
      const env = this.send(r.to, 0, r.body);
      this.pending.set(env.id, {
        batched: true,
        request: env,
        cont: (reply, loss) => {
          replies[i] = reply;
          losses[i] = loss;
          if (--missing > 0) return;
          replies.forEach((x, j) => this.end(x, losses[j]));
          cont(replies);
        },
      });
    });
  }

  protected reply(req: Envelope, body: PeerBody): void {
    this.send(req.from, req.id, body);
  }

  protected answer(seq: number, result: ControlResult): void {
    this.out.replies.push({ seq, result });
  }

  protected notice(n: NodeNotice): void {
    this.out.notices.push(n);
  }

  /** Reports to the record, which only a traced node keeps (each notice is an IPC message in a real run). */
  protected record(n: NodeNotice): void {
    if (this.config.trace) this.out.notices.push(n);
  }

  /** Linked peers of one role, ascending: the fixed order that makes runs replayable. Do not modify. */
  protected linked(role: Role): readonly NodeId[] {
    let ids = this.linkedCache.get(role);
    if (!ids) {
      ids = [];
      for (const [id, r] of this.links) if (r === role) ids.push(id);
      ids.sort((a, b) => a - b);
      this.linkedCache.set(role, ids);
    }
    return ids;
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

function facts(env: Envelope): MessageFacts {
  return { from: env.from, to: env.to, id: env.id, replyTo: env.replyTo, kind: env.body.type as MessageKind, cause: env.cause };
}

function emptyEffects(): Effects {
  return { sends: [], replies: [], notices: [] };
}

