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
