// Custom messages between the extension (extension/) and the language server (server/), declared once.
import { NotificationType, RequestType0 } from 'vscode-languageserver-protocol';
import type { ClusterEvent, ClusterSnapshot } from '../record/events';

/** The outcome of one run of a document, pushed by the extension so that hovers can show it. */
export interface RunResultsParams {
  uri: string;
  /** The document's version when the run started: results go stale once the text changes. */
  version: number;
  seed: number;
  gossip: string;
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
