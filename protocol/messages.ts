// Every message that crosses a process boundary in a cluster is declared here, once.
// - PeerBody travels between nodes (XML-RPC in real runs, a queue in the model) inside an Envelope.
// - ControlIn / ControlOut travel between the master and a node (IPC in real runs).
// - NodeNotice is what a node tells the master without being asked (gossip settled, traces).

export type NodeId = number;
export type Role = 'server' | 'client';
export type GossipMode = 'settled' | 'async' | 'off';
export const GOSSIP_MODES: readonly GossipMode[] = ['settled', 'async', 'off'];

/** A Lamport stamp: ordered by counter, then by server id. */
export interface Stamp {
  counter: number;
  server: NodeId;
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
  // Gossip floods a write in waves (see gossip.ts). `visited`: the servers already reached or being
  // reached. A `gossip` is applied if newer and answered with the receiver's unreached neighbours
  // (`frontier`); a `spread` asks a server that has the write to flood its own unreached neighbours.
  | { type: 'gossip'; entry: StoreEntry; visited: NodeId[] }
  | { type: 'spread'; entry: StoreEntry; visited: NodeId[] }
  | { type: 'gossipAck'; visited: NodeId[]; frontier: NodeId[] }
  // Stabilize: explore builds a spanning tree depth-first, the replies gather stores up, install broadcasts down.
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

export interface Envelope {
  from: NodeId;
  to: NodeId;
  /** Per-sender request number; a reply carries the request's number in `replyTo` and its own `id` is 0. */
  id: number;
  replyTo: number;
  /** The sender's Lamport counter after incrementing it for this send (0 for refused/unreachable). */
  counter: number;
  body: PeerBody;
}

/** Master -> node. Each gets exactly one ControlOut reply with the same `seq`. */
export type ControlBody =
  | { type: 'init'; id: NodeId; role: Role; seed: number; gossip: GossipMode; trace: boolean }
  | { type: 'link'; peer: NodeId; peerRole: Role; port: number }
  | { type: 'unlink'; peer: NodeId }
  | { type: 'put'; key: string; value: string; line: number }
  | { type: 'get'; key: string; line: number }
  | { type: 'stabilize'; epoch: number; line: number }
  | { type: 'snapshot' }
  | { type: 'shutdown' };

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

/** Unsolicited node -> master messages. */
export type NodeNotice =
  // A server finished the depth-first gossip flood it started for a write (settled mode waits for it).
  | { type: 'gossipSettled'; server: NodeId; key: string; stamp: Stamp }
  // A message was delivered to this node (only when traced), with the receiver's counter after it.
  | { type: 'delivered'; from: NodeId; to: NodeId; msg: PeerType; sentCounter: number; counter: number; detail: string }
  // A server kept a write (only when traced).
  | { type: 'applied'; server: NodeId; key: string; value: string; stamp: Stamp; via: 'put' | 'gossip' | 'stabilize' };

/** Master <-> node process (IPC channel of a forked child). */
export type ToNode = { kind: 'control'; msg: ControlIn };
export type FromNode =
  | { kind: 'ready'; port: number }
  | { kind: 'control'; msg: ControlOut }
  | { kind: 'notices'; notices: NodeNotice[] };
