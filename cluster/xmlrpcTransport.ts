import { timingSafeEqual } from 'crypto';
import * as http from 'http';
import * as xmlrpc from 'xmlrpc';
import { Envelope, lostReply, NodeId } from '../protocol/messages';
import { WireError } from './envelopeCheck';
import { PeerCalls } from './peerCalls';
import { Respond, XmlRpcServer } from './xmlrpcServer';
import { isBatch, MAX_BATCH, readWire, readWireBatch, toWire, toWireBatch, toWireText, xmlText } from './wire';

export type { Respond } from './xmlrpcServer';

/** A call body larger than this is refused before it is read (a stabilize of 100,000 keys fits). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Calls waiting for this node's reply; more means someone is flooding it. */
const MAX_INBOUND = 10_000;
/** A request whose body has not arrived by then is cut off. */
const BODY_TIMEOUT_MS = 10_000;

/**
 * What the network did to a message on its way (the faults of docs/protocol.md): it arrived twice,
 * or it was dropped (a reply only: the requester's transport is told, so that its node gives up on
 * it; a dropped request never leaves its sender). Carried as members beside the envelope's own (of
 * its struct, or in its JSON text), which the envelope check leaves out of the envelope itself.
 */
export interface Arrival {
  copies?: 2;
  dropped?: true;
}

/** Reads the members `send` adds beside an envelope's own (readWire's `raw`). */
function arrivalOf(raw: unknown): Arrival | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const w = raw as { copies?: unknown; dropped?: unknown };
  if (w.dropped === true) return { dropped: true };
  if (w.copies === 2) return { copies: 2 };
  return undefined;
}

function withArrival(wire: unknown, how: Arrival | undefined): unknown {
  return how ? { ...(wire as object), ...how } : wire;
}

/**
 * Carries envelopes between node processes as XML-RPC calls on 127.0.0.1. A request is the call
 * `deliver(envelope, secret)`; the node's reply to it travels back as that call's response, so an
 * XML-RPC round trip is exactly one request and its reply. A failed call comes back as
 * `unreachable`. Only calls that carry the run's secret (handed to each node over IPC by the
 * master) and a well-formed envelope (envelopeCheck.ts) reach the node: anything else, from any
 * local process or web page, gets a fault and changes nothing.
 */
export class XmlRpcTransport {
  private readonly server: XmlRpcServer;
  private readonly clients = new Map<number, xmlrpc.Client>();
  /** Compact wire: calls to each port written directly (peerCalls.ts). */
  private readonly peers = new Map<number, PeerCalls>();
  private readonly ports = new Map<NodeId, number>();
  /** Calls waiting for the node's reply, keyed `from:id`: each takes the reply as its call came (a struct or text). */
  private readonly inbound = new Map<string, (reply: Envelope, how: Arrival | undefined) => void>();
  // Keep-alive: every hop would otherwise pay a TCP handshake.
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private secret: Buffer | undefined;
  private secretText = '';
  /** Every peer is one of kvcmd's own forked nodes: requests go as JSON text, async gossip in batches. */
  private compact = false;
  /** Per port, async mode: the gossip waiting to go there and the pace of calls. */
  private readonly gossipLinks = new Map<number, GossipLink>();
  /** Async mode: the least time between two gossip calls to one node (0: each gossip is its own call, at once). */
  private gossipPaceMs = 0;

  constructor(private readonly receive: (env: Envelope, how?: Arrival) => void, private readonly onRefused: (why: string) => void = () => undefined, port = 0) {
    this.server = new XmlRpcServer({ port, maxBodyBytes: MAX_BODY_BYTES, bodyTimeoutMs: BODY_TIMEOUT_MS, onRefused });
    this.server.on('deliver', (params, respond) => this.onCall(params, respond));
  }

  listen(): Promise<number> {
    return this.server.listening();
  }

  /** The run's secret, from the master; until it arrives every call is refused. */
  setSecret(secret: string): void {
    this.secret = Buffer.from(secret, 'utf8');
    this.secretText = secret;
  }

  setPort(peer: NodeId, port: number): void {
    this.ports.set(peer, port);
  }

  /**
   * Every peer of this node is one of kvcmd's own nodes forked by ProcessHost (a run without nodes
   * you bring): requests go as one string of JSON instead of a struct (wire.ts), and async gossip
   * may be paced and batched (`paceGossip`). Replies always go in the form their call came in, so a
   * node without this speaks exactly the protocol of docs/nodes.md.
   */
  compactWire(): void {
    this.compact = true;
  }

  /**
   * Async mode, compact wire only: a gossip call to a node starts at least `ms` after the previous
   * one to it; the gossip meanwhile waits and goes in one call, a batch (docs/protocol.md, "On the
   * wire"). Gossip that finds the link idle for that long goes at once.
   */
  paceGossip(ms: number): void {
    this.gossipPaceMs = ms;
  }

  /** Sends a request as a call, or a reply as the response to its call; `how`: a fault the network applied to it. */
  send(env: Envelope, how?: Arrival): void {
    if (env.replyTo !== 0) {
      const key = `${env.to}:${env.replyTo}`;
      const respond = this.inbound.get(key);
      this.inbound.delete(key);
      respond?.(env, how);
      return;
    }
    const port = this.ports.get(env.to);
    if (port === undefined || !this.secret) {
      setImmediate(() => this.receive(lostReply(env, 'unreachable')));
      return;
    }
    const out: Outgoing = { env, how };
    if (env.body.type !== 'gossip' || !this.compact || this.gossipPaceMs === 0) return this.call(port, [out]);
    // Async gossip to a node goes one call at a time, at most one per pace; what comes meanwhile
    // waits and goes in the next call, all of it at once.
    let link = this.gossipLinks.get(port);
    if (!link) this.gossipLinks.set(port, (link = { queue: [], inFlight: false, timer: undefined, lastCall: -Infinity }));
    link.queue.push(out);
    if (!link.inFlight && !link.timer) this.nextGossipCall(port, link);
  }

  private nextGossipCall(port: number, link: GossipLink): void {
    const wait = link.lastCall + this.gossipPaceMs - performance.now();
    if (wait > 0) {
      link.timer = setTimeout(() => {
        link.timer = undefined;
        this.nextGossipCall(port, link);
      }, wait);
      return;
    }
    link.inFlight = true;
    link.lastCall = performance.now();
    this.call(port, link.queue.splice(0, MAX_BATCH), () => {
      link.inFlight = false;
      if (link.queue.length > 0) this.nextGossipCall(port, link);
    });
  }

  /**
   * One call carrying one request, or several (a batch: `deliver([envelope, ...], secret)`,
   * answered with their replies in the same order). `done` runs once the call is over, before its
   * replies are handed to the node.
   */
  private call(port: number, outs: Outgoing[], done?: () => void): void {
    const batch = outs.length > 1;
    const payload = batch ? toWireBatch(outs.map((o) => toWireText(o.env, o.how)))
      : this.compact ? toWireText(outs[0].env, outs[0].how) : withArrival(toWire(outs[0].env), outs[0].how);
    this.callPort(port, [payload, this.secretText], (err: unknown, reply: unknown) => {
      done?.();
      let answers: { env: Envelope; how?: Arrival }[];
      try {
        if (err) throw err;
        const read = batch ? readWireBatch(reply) : [readWire(reply)];
        if (read.length !== outs.length) throw new WireError(`${read.length} replies to ${outs.length} requests`);
        answers = read.map((r, i) => {
          const req = outs[i].env;
          // A reply must answer this very request.
          if (r.env.replyTo !== req.id || r.env.from !== req.to || r.env.to !== req.from) throw new WireError('the reply answers another request');
          return { env: r.env, how: arrivalOf(r.raw) };
        });
      } catch (e) {
        if (!err) this.onRefused(`a reply from node ${outs[0].env.to}: ${(e as Error).message}`);
        answers = outs.map((o) => ({ env: lostReply(o.env, 'unreachable') }));
      }
      for (const a of answers) this.receive(a.env, a.how);
    });
  }

  /**
   * Serves another method on this port, called as `METHOD(args..., secret)` the way `deliver` is:
   * the node protocol's control methods on a node, its reports on the master (docs/nodes.md). The
   * same body checks and secret apply; the handler gets the arguments without the secret.
   */
  serve(method: string, handler: (args: unknown[], respond: Respond) => void): void {
    this.server.on(method, (params, respond) => {
      const secret = Array.isArray(params) ? params[params.length - 1] : undefined;
      if (!Array.isArray(params) || typeof secret !== 'string' || !this.secret || !sameSecret(this.secret, secret)) {
        this.onRefused(`a ${method} call without the run's secret`);
        respond({ faultCode: 403, faultString: xmlText(`${method}: a call without the run's secret`) });
        return;
      }
      handler(params.slice(0, -1), respond);
    });
  }

  close(): void {
    for (const link of this.gossipLinks.values()) clearTimeout(link.timer);
    this.gossipLinks.clear();
    this.agent.destroy();
    for (const p of this.peers.values()) p.close();
    this.peers.clear();
    this.server.close();
  }

  private onCall(params: unknown, respond: Respond): void {
    const refuse = (why: string): void => {
      this.onRefused(why);
      // The reason may quote what was sent (a body type): the package's XML writer throws on a
      // character XML cannot carry, out of the parser's callback, which would end the process.
      respond({ faultCode: 403, faultString: xmlText(why) });
    };
    if (!Array.isArray(params) || params.length !== 2 || typeof params[1] !== 'string') return refuse('a call without the run\'s secret');
    if (!this.secret || !sameSecret(this.secret, params[1])) return refuse('a call with a wrong secret');
    const text = typeof params[0] === 'string';
    const batch = isBatch(params[0]);
    let reqs: { env: Envelope; how?: Arrival }[];
    try {
      reqs = (batch ? readWireBatch(params[0]) : [readWire(params[0])]).map((r) => ({ env: r.env, how: arrivalOf(r.raw) }));
      // Only a reply is dropped on the wire; a request marked so is not one of ours.
      if (reqs.some((r) => r.how?.dropped)) throw new WireError('a request marked dropped');
    } catch (e) {
      return refuse(`a malformed envelope: ${e instanceof WireError ? e.message : String(e)}`);
    }
    const keys = new Set<string>();
    for (const { env } of reqs) {
      if (env.replyTo !== 0) return refuse('a reply sent as a call');
      // Its reply would carry replyTo 0 (or -0) and go out as a new call: this one would never be answered.
      if (env.id < 1) return refuse('a call numbered 0 (requests are numbered from 1)');
      const key = `${env.from}:${env.id}`;
      if (this.inbound.has(key) || keys.has(key)) return refuse(`message ${key} again while it is being handled`);
      keys.add(key);
    }
    if (this.inbound.size + reqs.length > MAX_INBOUND) return refuse('too many calls waiting');
    if (!batch) {
      // The reply goes in the form the call came in.
      this.inbound.set(`${reqs[0].env.from}:${reqs[0].env.id}`, (reply, how) => respond(null, text ? toWireText(reply, how) : withArrival(toWire(reply), how)));
      this.receive(reqs[0].env, reqs[0].how);
      return;
    }
    // A batch is answered once every request in it is, with the replies in request order.
    const replies: string[] = new Array(reqs.length);
    let missing = reqs.length;
    reqs.forEach(({ env }, i) => this.inbound.set(`${env.from}:${env.id}`, (reply, how) => {
      replies[i] = toWireText(reply, how);
      if (--missing === 0) respond(null, toWireBatch(replies));
    }));
    for (const r of reqs) this.receive(r.env, r.how);
  }

  /** `deliver(params...)` on a node's port: directly between kvcmd's own nodes, else through the package's client. */
  private callPort(port: number, params: unknown[], done: (err: unknown, value?: unknown) => void): void {
    if (!this.compact) return this.client(port).methodCall('deliver', params, done);
    let p = this.peers.get(port);
    if (!p) this.peers.set(port, (p = new PeerCalls(port, MAX_BODY_BYTES)));
    p.call('deliver', params, done);
  }

  private client(port: number): xmlrpc.Client {
    let c = this.clients.get(port);
    if (!c) {
      c = xmlrpc.createClient({ host: '127.0.0.1', port, path: '/', agent: this.agent } as Parameters<typeof xmlrpc.createClient>[0]);
      this.clients.set(port, c);
    }
    return c;
  }
}

/** A request on its way out, and what the network did to it (faults). */
interface Outgoing {
  env: Envelope;
  how?: Arrival;
}

/** Async gossip to one node: what waits to go, whether a call is in flight, the timer of the next one, when the last began. */
interface GossipLink {
  queue: Outgoing[];
  inFlight: boolean;
  timer: NodeJS.Timeout | undefined;
  lastCall: number;
}

function sameSecret(secret: Buffer, given: string): boolean {
  const g = Buffer.from(given, 'utf8');
  return g.length === secret.length && timingSafeEqual(g, secret);
}
