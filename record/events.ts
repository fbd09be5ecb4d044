import type {
  ApplyVia, BodySummary, GetResult, GossipMode, LossReason, MessageKind, NodeId, NodePattern, NodeSnapshot, ProtocolName, Role, Stamp, StoreEntry,
} from '../protocol/messages';

/** The record's format name and version, written in `runStarted` (docs/events.md). */
export const RECORD_FORMAT = 'kvcmd-record';
export const RECORD_VERSION = 1;

/**
 * Where an event comes from in the script: the 1-based `line` of the command that caused it and
 * `step`, that command's place in the run (the n-th command executed, from 1).
 * `t`: ms since the run started (real runs only; the model has no time).
 */
interface Caused {
  line: number;
  step: number;
  t?: number;
}

/** A message as the record names it: `msg` is `from.id` (the sender's number for it); a reply's `re` is its request's. */
export interface MessageRef {
  msg: string;
  re?: string;
  from: NodeId;
  to: NodeId;
  kind: MessageKind;
}

/**
 * What a run records, in an order consistent with happened-before. Every event but the first and
 * the last is tied to the command that caused it, by the cause each message carries.
 */
export type ClusterEvent =
  | { type: 'runStarted'; format: typeof RECORD_FORMAT; version: typeof RECORD_VERSION; seed: number; gossip: GossipMode; backend: 'processes' | 'model'; protocol?: ProtocolName }
  | (Caused & { type: 'nodeStarted'; id: NodeId; role: Role; port: number; pid: number })
  | (Caused & { type: 'nodeKilled'; id: NodeId })
  | (Caused & { type: 'linkCut'; a: NodeId; b: NodeId })
  | (Caused & { type: 'linkCreated'; a: NodeId; b: NodeId })
  | (Caused & { type: 'put'; client: NodeId; key: string; value: string; server: NodeId; stamp: Stamp; counter: number })
  | (Caused & { type: 'get'; client: NodeId; key: string; server: NodeId; result: GetResult; depBefore: Stamp | null; depAfter: Stamp | null; counter: number })
  | (Caused & { type: 'failed'; client: NodeId; op: 'put' | 'get'; key: string; reason: string })
  // The two ends of a message, or its loss. `node` is where it happened, `counter` that node's Lamport counter after it.
  // `delay`: ms the network held the message back (a fault). `duplicate`: the second copy of a
  // message that arrived twice, discarded by its receiver; it repeats the first copy's end.
  | (Caused & MessageRef & { type: 'send'; node: NodeId; counter: number; body: BodySummary; delay?: number })
  | (Caused & MessageRef & { type: 'deliver'; node: NodeId; counter: number; duplicate?: true })
  | (Caused & MessageRef & { type: 'lost'; node: NodeId; counter: number; reason: LossReason; duplicate?: true })
  // A server kept a write (newer than what it held); `from` is the node it came from.
  | (Caused & { type: 'applied'; node: NodeId; counter: number; key: string; value: string; stamp: Stamp; via: ApplyVia; from: NodeId })
  | (Caused & { type: 'stabilizeBegun'; epoch: number })
  | (Caused & { type: 'stabilizeGroup'; epoch: number; root: NodeId; members: NodeId[] })
  | (Caused & { type: 'stabilizeDone'; epoch: number; ms: number })
  | (Caused & { type: 'storePrinted'; server: NodeId; entries: StoreEntry[] })
  | (Caused & { type: 'stdout'; text: string })
  // The faults of the network: a delay, drop, duplicate or heal command, on messages `from` sends `to`.
  | (Caused & { type: 'fault'; fault: FaultKind; from: NodePattern; to: NodePattern; ms?: number; maxMs?: number; p?: number })
  | (Caused & { type: 'serverPaused'; server: NodeId })
  | (Caused & { type: 'serverResumed'; server: NodeId })
  | { type: 'runFinished'; ok: boolean; ms: number; error?: string; t?: number };

export type FaultKind = 'delay' | 'drop' | 'duplicate' | 'heal';

export type EventOf<T extends ClusterEvent['type']> = Extract<ClusterEvent, { type: T }>;
export type MessageEvent = EventOf<'send' | 'deliver' | 'lost'>;

/** The fields that differ between two runs that did the same thing: process ids, ports and times. */
export const VOLATILE_FIELDS: readonly string[] = ['pid', 'port', 't', 'ms'];

/** Every node as the run leaves it; killed servers are listed with `alive: false` and no state. */
export interface ClusterSnapshot {
  nodes: (NodeSnapshot & { alive: true })[];
  dead: { id: NodeId; role: 'server'; alive: false }[];
}
