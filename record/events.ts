import { GetResult, GossipMode, NodeId, NodeSnapshot, PeerType, Role, Stamp, StoreEntry } from '../protocol/messages';

/**
 * What a run reports, in order, each tied to the 1-based script line that caused it (0: none).
 * `kvcmd run --events FILE` writes these as JSON lines; the editor builds its views on them.
 */
export type ClusterEvent =
  | { type: 'runStarted'; seed: number; gossip: GossipMode; backend: 'processes' | 'model' }
  | { type: 'nodeStarted'; line: number; id: NodeId; role: Role; port: number; pid: number }
  | { type: 'nodeKilled'; line: number; id: NodeId }
  | { type: 'linkCut'; line: number; a: NodeId; b: NodeId }
  | { type: 'linkCreated'; line: number; a: NodeId; b: NodeId }
  | { type: 'put'; line: number; client: NodeId; key: string; value: string; server: NodeId; stamp: Stamp; counter: number }
  | { type: 'get'; line: number; client: NodeId; key: string; server: NodeId; result: GetResult; depBefore: Stamp | null; depAfter: Stamp | null; counter: number }
  | { type: 'failed'; line: number; client: NodeId; op: 'put' | 'get'; key: string; reason: string }
  | { type: 'message'; line: number; from: NodeId; to: NodeId; msg: PeerType; sentCounter: number; counter: number; detail: string }
  | { type: 'applied'; line: number; server: NodeId; key: string; value: string; stamp: Stamp; via: 'put' | 'gossip' | 'stabilize' }
  | { type: 'stabilizeBegun'; line: number; epoch: number }
  | { type: 'stabilizeGroup'; line: number; epoch: number; root: NodeId; members: NodeId[] }
  | { type: 'stabilizeDone'; line: number; epoch: number; ms: number }
  | { type: 'storePrinted'; line: number; server: NodeId; entries: StoreEntry[] }
  | { type: 'stdout'; line: number; text: string }
  | { type: 'runFinished'; ok: boolean; ms: number; error?: string };

/** Every node as the run leaves it; killed servers are listed with `alive: false` and no state. */
export interface ClusterSnapshot {
  nodes: (NodeSnapshot & { alive: true })[];
  dead: { id: NodeId; role: 'server'; alive: false }[];
}
