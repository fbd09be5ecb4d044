import type { ControlBody, ControlResult, FaultTable, InitBody, NodeId, NodeNotice } from '../protocol/messages';

/**
 * Where nodes live: real processes talking XML-RPC (ProcessHost) or state machines on a simulated
 * network (ModelHost). The master drives a run through this and nothing else, and never asks which
 * one it has.
 */
export interface NodeHost {
  /** Named in the record's `runStarted`. */
  readonly backend: 'processes' | 'model';
  /**
   * Its servers' hosts report `served` when they answer a client's put or get in a run that records
   * nothing and has no faults, and its clients take no command before reading an answer they wait
   * for: the master may then go on at the server's word (Master.servedOrAnswer).
   */
  readonly servesNotices?: boolean;
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
  /**
   * The faults of the network (protocol/faults.ts): every node's host applies the table to what its
   * node sends, from now on; resolves once every running node's host has it (a suspended one gets
   * it when it resumes). Nodes started later get the latest table before anything else.
   */
  setFaults(table: FaultTable): Promise<void>;
  /** Freezes a node (SIGSTOP; the model stops delivering to it): it takes nothing in until resumed. */
  suspend(id: NodeId): Promise<void>;
  /** Lets a suspended node run again (SIGCONT). What the other hosts hold for it stays held until `release`. */
  resume(id: NodeId): Promise<void>;
  /**
   * The hosts send on what they held for `to` while it was paused: only what the command of `step`
   * set off, or everything; in the order it was held.
   */
  release(to: NodeId, step?: number): Promise<void>;
  /** A node that ended without being killed (a crash): whatever waits on it must give up. */
  onNodeLost(listener: (id: NodeId, why: string) => void): void;
  /** Ends every node; safe to call twice. */
  close(): Promise<void>;
}
