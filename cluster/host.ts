import type { ControlBody, ControlResult, InitBody, NodeId, NodeNotice } from '../protocol/messages';

/**
 * Where nodes live: real processes talking XML-RPC (ProcessHost) or state machines on a simulated
 * network (ModelHost). The master drives a run through this and nothing else, and never asks which
 * one it has.
 */
export interface NodeHost {
  /** Named in the record's `runStarted`. */
  readonly backend: 'processes' | 'model';
  /** Starts and initialises a node; resolves with its XML-RPC port and pid (0 and 0 in the model). */
  start(init: InitBody): Promise<{ port: number; pid: number }>;
  /** Ends the node at once (SIGKILL for a process) and resolves once it is gone. */
  kill(id: NodeId): Promise<void>;
  control(id: NodeId, body: ControlBody): Promise<ControlResult>;
  /** The script's `sleep`: real time between processes, nothing in the model (it has no time). */
  pause(ms: number, signal: AbortSignal): Promise<void>;
  /** Now, in ms since the Unix epoch, or undefined where there is no time (the model). */
  now(): number | undefined;
  /**
   * Unsolicited reports from nodes, one step of one node at a time (a step's report is whole or not
   * at all); `at` is when the node sent them (undefined in the model).
   */
  onNotices(listener: (notices: NodeNotice[], at: number | undefined) => void): void;
  /** A node that ended without being killed (a crash): whatever waits on it must give up. */
  onNodeLost(listener: (id: NodeId, why: string) => void): void;
  /** Ends every node; safe to call twice. */
  close(): Promise<void>;
}
