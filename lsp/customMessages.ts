// Custom messages between the extension (extension/) and the language server (server/), declared once.
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { ClusterEvent, ClusterSnapshot } from '../record/events';

/** The outcome of one run of a document, pushed by the extension so that hovers can show it. */
export interface RunResultsParams {
  uri: string;
  /** The document's version when the run started: results go stale once the text changes. */
  version: number;
  seed: number;
  gossip: string;
  /** The run's protocol (absent: lamport). */
  protocol?: string;
  /** ISO time when the run ended. */
  finishedAt: string;
  /** Events of the run that are tied to a script line (put, get, storePrinted, failed, stabilize...). */
  events: ClusterEvent[];
  snapshot?: ClusterSnapshot;
}

export const RunResultsNotification = new NotificationType<RunResultsParams>('kvcmd/runResults');

/** Sent when the extension forgets a document's results (a new run starts, or they are cleared). */
export const ClearRunResultsNotification = new NotificationType<{ uri: string }>('kvcmd/clearRunResults');

/** What the server process uses, for benchmarks and diagnostics of the server itself. */
export interface MemoryUsage { rss: number; heapUsed: number; heapTotal: number; external: number }

/** Asks the language server for its own `process.memoryUsage()`. */
export const MemoryRequest = new RequestType0<MemoryUsage, void>('kvcmd/memory');

/** Where the live prediction of a document stands (lsp/prediction.ts). */
export interface PredictionStatus {
  uri: string;
  /** The document version predicted. */
  version: number;
  seed: number;
  /** The gossip mode predicted for (the last run's, else the `kvcmd.gossip` setting). */
  gossip: string;
  /** The mode the model ran: `settled` for `async` (the model cannot race gossip with commands). */
  modelled: string;
  /** done: every line up to the first error (if any); stopped: the work budget ran out; failed: the model run failed. */
  state: 'done' | 'stopped' | 'failed';
  /** The 1-based line of the last command the model ran (0: none). */
  reached: number;
  /** The 1-based line of the document's first error: the prediction stops before it. */
  errorLine?: number;
  error?: string;
  /** Work time of the model run, ms. */
  ms: number;
  budgetMs: number;
  /** Line-tied events recorded. */
  events: number;
}

/**
 * The live prediction of a document: `wait` resolves only once the prediction of its current
 * version is done (tests and benchmarks); null when there is none (prediction off, or not yet).
 */
export const PredictionRequest = new RequestType<{ uri: string; wait?: boolean }, PredictionStatus | null, void>('kvcmd/prediction');

/** Asks the server to explore a document's schedules (explore/explore.ts, as `kvcmd explore` does). */
export interface ExploreParams {
  uri: string;
  /** The gossip mode explored; default `async`, where the outcomes can differ. */
  gossip?: string;
  /** Default 1. */
  seed?: number;
  /** Stop after this many schedules (default 10,000). */
  maxSchedules?: number;
  /** Stop after this much time, ms (default 10,000). */
  budgetMs?: number;
}

/** A schedule that gives a result, how many schedules give it, and the command line that replays it. */
export interface ExploreWitness {
  count: number;
  /** The shortest schedule giving it among those run, as `kvcmd explore` prints it (`0.h.1`, `-`). */
  witness: string;
  /** `kvcmd run FILE --model --gossip M --seed N --schedule W`. */
  replay: string;
}

export interface ExploreLine {
  /** 1-based script line of a get or printStore. */
  line: number;
  command: 'get' | 'printStore';
  /** Each distinct thing the line printed (`k:a`, a store's entries joined by spaces, `(empty)`, `failed: why`), most schedules first. */
  outcomes: (ExploreWitness & { text: string })[];
}

export interface ExploreOutcomes {
  uri: string;
  /** The document version explored: the inline outcomes show only while it is current. */
  version: number;
  seed: number;
  gossip: string;
  /** done: explored (exhaustively or up to a budget); refused: the document has errors; cancelled: cancelled or replaced by a newer request. */
  state: 'done' | 'refused' | 'cancelled';
  /** Why it was refused. */
  error?: string;
  /** Schedules run (each a distinct order up to independent deliveries). */
  schedules: number;
  /** Runs cut short by the partial-order reduction. */
  pruned: number;
  exhaustive: boolean;
  /** Why it stopped early, when it did. */
  stoppedBy?: 'schedules' | 'time' | 'cancelled';
  maxSchedules: number;
  budgetMs: number;
  ms: number;
  /** Distinct stdouts, most schedules first. */
  outcomes: (ExploreWitness & { stdout: string })[];
  /** Per get and printStore line, in line order. */
  lines: ExploreLine[];
  violations: (ExploreWitness & { rule: string; message: string; lines: number[] })[];
  errors: (ExploreWitness & { error: string })[];
}

/** Explores the document (its current version); the result also shows as inlay hints on its get and printStore lines. */
export const ExploreRequest = new RequestType<ExploreParams, ExploreOutcomes, void>('kvcmd/explore');

/** What the inline outcomes pass to the `kvcmd.openWitness` command (and the extension's witness commands take). */
export interface WitnessTarget {
  uri: string;
  witness: string;
  seed: number;
  gossip: string;
  /** What the witness stands for, for titles: `k:a on line 7`, or a whole stdout. */
  label: string;
}
