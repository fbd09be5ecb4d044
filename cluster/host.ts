import { ControlBody, ControlResult, NodeId, NodeNotice } from '../protocol/messages';

export type InitBody = Extract<ControlBody, { type: 'init' }>;

/**
 * Where nodes live: real processes talking XML-RPC (ProcessHost) or state machines on a simulated
 * network (ModelHost). The master drives a run through this and nothing else.
 */
export interface NodeHost {
  readonly kind: 'processes' | 'model';
  /** Starts and initialises a node; resolves with its XML-RPC port (0 in the model) and pid (0 in the model). */
  start(init: InitBody): Promise<{ port: number; pid: number }>;
  /** Ends the node at once (SIGKILL for a process) and resolves once it is gone. */
  kill(id: NodeId): Promise<void>;
  control(id: NodeId, body: ControlBody): Promise<ControlResult>;
  /** Unsolicited reports from nodes (gossip settled, traces). */
  onNotice(listener: (n: NodeNotice) => void): void;
  /** A node that ended without being killed (a crash): whatever waits on it must give up. */
  onNodeLost(listener: (id: NodeId, why: string) => void): void;
  /** Ends every node; safe to call twice. */
  close(): Promise<void>;
}
