// Every message that crosses a process boundary in a cluster is declared here, once.
// - PeerBody travels between nodes (XML-RPC in real runs, a queue in the model) inside an Envelope.
// - ControlIn / ControlOut travel between the master and a node (IPC in real runs).
// - NodeNotice is what a node tells the master without being asked (gossip settled, and, when
//   traced, each end of every message and each write kept: the record of a run, docs/events.md).

export type NodeId = number;
export type Role = 'server' | 'client';
export type GossipMode = 'settled' | 'async' | 'off';
export const GOSSIP_MODES: readonly GossipMode[] = ['settled', 'async', 'off'];

/** The write orderings kvcmd ships, one per run (docs/protocol.md, "Protocols"; protocol/schemes/). */
export type ProtocolName = 'lamport' | 'lamport-low' | 'vector';
export const PROTOCOLS: readonly ProtocolName[] = ['lamport', 'lamport-low', 'vector'];
export const DEFAULT_PROTOCOL: ProtocolName = 'lamport';

export function isProtocolName(v: unknown): v is ProtocolName {
  return typeof v === 'string' && (PROTOCOLS as readonly string[]).includes(v);
}

/** Per server id, a count of that server's writes. */
export type VectorClock = Record<number, number>;

/**
 * A write's stamp. `(counter, server)` in the Lamport schemes; in `vector`, `vector` is the write's
 * vector clock, `counter` its sum and `server` the writer. Only the run's scheme compares them.
 */
export interface Stamp {
  counter: number;
  server: NodeId;
  vector?: VectorClock;
}

export interface StoreEntry {
  key: string;
  value: string;
  stamp: Stamp;
}

export type GetResult =
  | { kind: 'value'; value: string; stamp: Stamp }
  | { kind: 'ERR_KEY' }
  | { kind: 'ERR_DEP'; held: Stamp | null; dep: Stamp };

/** Bodies of messages between nodes. Requests get exactly one reply (a body whose type ends in Reply/Ack). */
export type PeerBody =
  | { type: 'put'; key: string; value: string }
  | { type: 'putReply'; key: string; stamp: Stamp }
  | { type: 'get'; key: string; dep: Stamp | null }
  | { type: 'getReply'; key: string; result: GetResult }
  // Gossip floods a write in waves (gossip.ts): breadth first, one wave of concurrent `gossip`
  // messages, then `spread` one receiver at a time. `visited`: the servers already reached or being
  // reached. A `gossip` is applied if newer and answered with the receiver's unreached neighbours
  // (`frontier`); a `spread` asks a server that has the write to flood its own unreached neighbours.
  | { type: 'gossip'; entry: StoreEntry; visited: NodeId[] }
  | { type: 'spread'; entry: StoreEntry; visited: NodeId[] }
  | { type: 'gossipAck'; visited: NodeId[]; frontier: NodeId[] }
  // Stabilize: explore builds a spanning tree depth first, the replies gather stores up, install broadcasts down.
  // `visited` travels with the token so that each server is explored once: n-1 explores for n servers.
  | { type: 'explore'; epoch: number; visited: NodeId[] }
  | { type: 'exploreReply'; epoch: number; joined: boolean; visited: NodeId[]; members: NodeId[]; entries: StoreEntry[] }
  | { type: 'install'; epoch: number; entries: StoreEntry[] }
  | { type: 'installAck'; epoch: number }
  // Sent back by a transport or a node instead of a reply: the request was not processed.
  // `refused`: the receiver has no link to the sender. `unreachable`: the receiver's process is gone.
  | { type: 'refused' }
  | { type: 'unreachable' };

export type PeerType = PeerBody['type'];
/** The bodies that are real messages; `refused` and `unreachable` only say that one was lost. */
export type MessageKind = Exclude<PeerType, 'refused' | 'unreachable'>;

/**
 * The script command that set a message off: its 1-based line and its place in the run (the
 * n-th command executed, from 1). Every message carries its cause end to end, and whatever a
 * node sends while handling a message inherits that message's cause.
 */
export interface Cause {
  line: number;
  step: number;
}

export const NO_CAUSE: Cause = { line: 0, step: 0 };

export interface Envelope {
  from: NodeId;
  to: NodeId;
  /** Per-sender message number, from 1, requests and replies alike (0 only for refused/unreachable). */
  id: number;
  /** A reply carries the number its request had at the requester; 0 for a request. */
  replyTo: number;
  /** The sender's Lamport counter after incrementing it for this send (0 for refused/unreachable). */
  counter: number;
  cause: Cause;
  body: PeerBody;
}

/** The one way a request that was not processed comes back: refused by its receiver, or unreachable. */
export function lostReply(req: Envelope, type: 'refused' | 'unreachable'): Envelope {
  return { from: req.to, to: req.from, id: 0, replyTo: req.id, counter: 0, cause: req.cause, body: { type } };
}

export function isLostReply(env: Envelope): boolean {
  return env.body.type === 'refused' || env.body.type === 'unreachable';
}

/** Master -> node. Each gets exactly one ControlOut reply with the same `seq`. */
export type ControlBody =
  // `clock`: the Lamport counter to start from (0 unless the id was a server before: docs/protocol.md).
  | { type: 'init'; id: NodeId; role: Role; seed: number; gossip: GossipMode; trace: boolean; clock?: number; protocol?: ProtocolName }
  | { type: 'link'; peer: NodeId; peerRole: Role; port: number }
  | { type: 'unlink'; peer: NodeId }
  | { type: 'put'; key: string; value: string; cause: Cause }
  | { type: 'get'; key: string; cause: Cause }
  | { type: 'stabilize'; epoch: number; cause: Cause }
  | { type: 'snapshot' }
  | { type: 'shutdown' }
  // Handled by the node's host, not the node (the network's faults, docs/protocol.md "Faults"):
  // the faults in force, and leave to send what is held for a paused server that is running again
  // (only what the command on line `step` set off, or everything).
  | { type: 'faults'; table: FaultTable }
  | { type: 'release'; to: NodeId; step?: number };

export type InitBody = Extract<ControlBody, { type: 'init' }>;

export interface ControlIn {
  seq: number;
  body: ControlBody;
}

export type ControlResult =
  | { type: 'ok' }
  | { type: 'ready'; port: number }
  | { type: 'putDone'; ok: true; key: string; value: string; server: NodeId; stamp: Stamp; counter: number }
  | { type: 'putDone'; ok: false; key: string; reason: string; counter: number }
  | { type: 'getDone'; ok: true; key: string; server: NodeId; result: GetResult; depBefore: Stamp | null; depAfter: Stamp | null; counter: number }
  | { type: 'getDone'; ok: false; key: string; reason: string; counter: number }
  | { type: 'stabilizeDone'; epoch: number; root: boolean; members: NodeId[] }
  | { type: 'snapshot'; snapshot: NodeSnapshot }
  | { type: 'error'; message: string };

export interface ControlOut {
  seq: number;
  result: ControlResult;
}

export interface NodeSnapshot {
  id: NodeId;
  role: Role;
  counter: number;
  /** Peers this node holds a link to, ascending. */
  links: NodeId[];
  /** Servers: the store, sorted by key. Clients: empty. */
  store: StoreEntry[];
  /** Clients: per-key dependency stamps, sorted by key. Servers: empty. */
  deps: { key: string; stamp: Stamp }[];
}

/** What the record keeps of a message's body: enough to label and explain it, never a whole store. */
export interface BodySummary {
  key?: string;
  value?: string;
  stamp?: Stamp;
  dep?: Stamp | null;
  result?: GetResult;
  epoch?: number;
  joined?: boolean;
  /** How many store entries travelled (stabilize's gather and install). */
  entries?: number;
}

/** One message as the record names it. `id`: the sender's number for it; `replyTo`: its request's. */
export interface MessageFacts {
  from: NodeId;
  to: NodeId;
  id: number;
  replyTo: number;
  kind: MessageKind;
  cause: Cause;
}

export type LossReason = 'link cut' | 'unreachable' | 'dropped';
export type ApplyVia = 'put' | 'gossip' | 'stabilize';

/**
 * What a traced node reports of each step, in the order it happened on that node; `node` is the
 * reporter and `counter` its Lamport counter after the step.
 */
export type RecordNotice =
  // `delay`: ms the network held the message back (a fault); `duplicate`: the second copy of a
  // message that arrived twice, reported right after the first copy's end, which it shares.
  | { type: 'sent'; node: NodeId; counter: number; msg: MessageFacts; body: BodySummary; delay?: number }
  | { type: 'delivered'; node: NodeId; counter: number; msg: MessageFacts; duplicate?: true }
  | { type: 'lost'; node: NodeId; counter: number; msg: MessageFacts; reason: LossReason; duplicate?: true }
  | { type: 'applied'; node: NodeId; counter: number; cause: Cause; key: string; value: string; stamp: Stamp; via: ApplyVia; from: NodeId };

/** Unsolicited node -> master messages. */
export type NodeNotice =
  // A server finished the gossip flood it started for a write (settled mode waits for it).
  | { type: 'gossipSettled'; server: NodeId; key: string; stamp: Stamp }
  // The host of `node` holds a message it sent for a paused server, until told to release it.
  | { type: 'held'; node: NodeId; msg: MessageFacts }
  // A server's host sent its answer to a client's put or get (kvcmd's own processes, in runs that
  // record nothing and have no faults): the master may go on before the client has read it.
  | ServedNotice
  | RecordNotice;

/** See NodeNotice: the answer a server sent a client for the command of `step`. */
export interface ServedNotice {
  type: 'served';
  server: NodeId;
  client: NodeId;
  step: number;
  reply: Extract<PeerBody, { type: 'putReply' | 'getReply' }>;
}

/** One end of a fault: a node id, or '*' for every node. */
export type NodePattern = NodeId | '*';

/** What one fault command sets for the messages `from` sends `to`; a later rule of a kind overrides an earlier one. */
export type FaultRule =
  | { kind: 'delay'; from: NodePattern; to: NodePattern; min: number; max: number }
  | { kind: 'drop' | 'duplicate'; from: NodePattern; to: NodePattern; p: number }
  // Ends every kind at once.
  | { kind: 'heal'; from: NodePattern; to: NodePattern };

/** The faults of the network as every host applies them: the run's seed, the rules in order, the paused servers. */
export interface FaultTable {
  seed: number;
  rules: FaultRule[];
  paused: NodeId[];
}

/** Master <-> node process (IPC channel of a forked child). */
export type ToNode =
  | { kind: 'control'; msg: ControlIn }
  // The run's secret: every call between the run's nodes must carry it (the transport's, not the protocol's).
  | { kind: 'secret'; secret: string };
export type FromNode =
  | { kind: 'ready'; port: number }
  | { kind: 'control'; msg: ControlOut }
  // `at`: when the node reported them, in ms since the Unix epoch (performance.timeOrigin + now()).
  | { kind: 'notices'; notices: NodeNotice[]; at: number };

/** The part of a body the record keeps: keys, values and stamps, and only the size of a store. */
export function summarizeBody(b: PeerBody): BodySummary {
  switch (b.type) {
    case 'put': return { key: b.key, value: b.value };
    case 'putReply': return { key: b.key, stamp: b.stamp };
    case 'get': return { key: b.key, dep: b.dep };
    case 'getReply': return { key: b.key, result: b.result };
    case 'gossip':
    case 'spread': return { key: b.entry.key, value: b.entry.value, stamp: b.entry.stamp };
    case 'explore': return { epoch: b.epoch };
    case 'exploreReply': return { epoch: b.epoch, joined: b.joined, entries: b.entries.length };
    case 'install': return { epoch: b.epoch, entries: b.entries.length };
    case 'installAck': return { epoch: b.epoch };
    default: return {};
  }
}
