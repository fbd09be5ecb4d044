// The lifecycle of runs: start a checked document's commands through cluster/runner.ts's
// runCommands with real node processes, one run per document at a time (a new run of the same file
// replaces the old one), stop them, and keep each run's RunRecord. What a run shows (progress,
// log, output channel, language server, views) subscribes to the events below, each in its file.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClusterEvent, ClusterSnapshot } from '../record/events';
import { randomSeed, runCommands } from '../cluster/runner';
import { protocolFor, type Command, type Directives } from '../language';
import type { GossipMode, ProtocolName } from '../protocol/messages';
import { readRunConfig } from './settings';

export type RunState = 'running' | 'ok' | 'failed' | 'stopped';

export interface RunRecord {
  readonly uri: vscode.Uri;
  /** The file name shown to the user. */
  readonly name: string;
  readonly seed: number;
  readonly gossip: GossipMode;
  readonly protocol: ProtocolName;
  /** Settings that had to be ignored for this run, and why. */
  readonly warnings: readonly string[];
  /** The document version whose text ran: hovers go stale once it changes. */
  readonly version: number;
  /** 0-based last line run by "Run to here"; undefined for a whole-file run. */
  readonly toLine: number | undefined;
  readonly commands: readonly Command[];
  readonly startedAt: Date;
  finishedAt?: Date;
  state: RunState;
  /** Why a stopped run stopped ("cancelled", "replaced by a new run"...). */
  stopReason?: string;
  ms?: number;
  error?: string;
  /** The record of the run (record/events.ts), in happened-before order. */
  readonly events: ClusterEvent[];
  /** Exactly what `kvcmd run` would print on stdout: the one copy (the "kvcmd" channel shows it). */
  stdout: string;
  /** Pids of every node the run started (nodeStarted events). */
  readonly pids: number[];
  /** Failed put/get commands (no reachable server): the run goes on after them. */
  failures: number;
  snapshot?: ClusterSnapshot;
  /** Resolves when the run has ended, or at once when it is stopped. */
  readonly done: Promise<RunRecord>;
}

/** What a refused run (errors in the file) or a run with nothing to run resolves to. */
export type RunOutcome = RunRecord | { state: 'refused'; errors: number } | undefined;

/** What a run is asked to run: a checked document (extension/preflight.ts) and its commands. */
export interface RunRequest {
  uri: vscode.Uri;
  version: number;
  commands: readonly Command[];
  /** The script's header settings (its protocol). */
  directives?: Directives;
  toLine?: number;
}

interface Active {
  record: RunRecord;
  controller: AbortController;
  finish: () => void;
}

/** Adds an event to its record, with the fields derived from it. */
function take(r: RunRecord, e: ClusterEvent): void {
  r.events.push(e);
  if (e.type === 'nodeStarted') r.pids.push(e.pid);
  else if (e.type === 'failed') r.failures++;
  else if (e.type === 'stdout') r.stdout += e.text + '\n';
}

export class RunManager implements vscode.Disposable {
  private readonly active = new Map<string, Active>();
  private readonly last = new Map<string, RunRecord>();
  private readonly started = new vscode.EventEmitter<RunRecord>();
  private readonly evented = new vscode.EventEmitter<{ record: RunRecord; event: ClusterEvent }>();
  private readonly nodeErrors = new vscode.EventEmitter<{ record: RunRecord; node: number | undefined; text: string }>();
  private readonly finished = new vscode.EventEmitter<RunRecord>();
  readonly onDidStartRun = this.started.event;
  /** Fired after the event is in `record.events`; never for a run that has ended. */
  readonly onDidRunEvent = this.evented.event;
  /** What a node process wrote on stderr. */
  readonly onDidNodeError = this.nodeErrors.event;
  readonly onDidFinishRun = this.finished.event;

  constructor(private readonly nodeMainPath: string) {}

  isRunning(uri?: vscode.Uri): boolean {
    return uri ? this.active.has(uri.toString()) : this.active.size > 0;
  }

  current(uri: vscode.Uri): RunRecord | undefined {
    return this.active.get(uri.toString())?.record;
  }

  lastRun(uri: vscode.Uri): RunRecord | undefined {
    return this.last.get(uri.toString());
  }

  /** Starts a run, replacing the document's current one; the record's `done` resolves when it ends. */
  start(req: RunRequest): RunRecord {
    const { uri } = req;
    this.stop(uri, 'replaced by a new run');
    const config = readRunConfig(uri);
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    const record: RunRecord = {
      uri, name: path.basename(uri.path), seed: config.seed ?? randomSeed(), gossip: config.gossip, protocol: protocolFor(req.directives, undefined, config.protocol), warnings: config.warnings,
      version: req.version, toLine: req.toLine, commands: req.commands,
      startedAt: new Date(), state: 'running', events: [], stdout: '', pids: [], failures: 0,
      done: done.then(() => record),
    };
    const controller = new AbortController();
    const entry: Active = { record, controller, finish };
    this.active.set(uri.toString(), entry);
    this.last.set(uri.toString(), record);
    this.started.fire(record);

    // A kvcmd.json or a node command that cannot be read fails the run rather than run other nodes.
    (config.nodesError !== undefined ? Promise.resolve({ ok: false, error: config.nodesError, ms: 0, snapshot: undefined }) : runCommands(req.commands, {
      // Traced: the cluster view follows every apply and message while the run goes on.
      seed: record.seed, gossip: record.gossip, protocol: record.protocol, signal: controller.signal, trace: true,
      process: {
        entry: this.nodeMainPath,
        ...(config.nodePath ? { nodePath: config.nodePath } : {}),
        onNodeError: (node, text) => record.state === 'running' && this.nodeErrors.fire({ record, node, text }),
      },
      ...(config.nodes ? { nodes: config.nodes } : {}),
    }, (event) => {
      // A stopped run's nodes are being killed: what they still report is noise, not results.
      if (record.state !== 'running') return;
      take(record, event);
      this.evented.fire({ record, event });
    })).then(
      (result) => {
        if (record.state !== 'running') return;
        record.ms = result.ms;
        record.snapshot = result.snapshot;
        record.error = result.error;
        this.end(entry, result.ok ? 'ok' : 'failed');
      },
      (err: unknown) => {
        if (record.state !== 'running') return;
        record.error = err instanceof Error ? err.message : String(err);
        this.end(entry, 'failed');
      },
    );
    return record;
  }

  /** Ends a document's run at once (every run when `uri` is omitted); returns how many were stopped. */
  stop(uri?: vscode.Uri, why = 'stopped'): number {
    const targets = uri ? [this.active.get(uri.toString())].filter((a): a is Active => !!a) : [...this.active.values()];
    for (const a of targets) {
      // The runner answers an abort at once: it cuts short what it waits on (a `sleep 20000`, a
      // settle) and SIGKILLs every node process, spares included.
      a.controller.abort();
      a.record.stopReason = why;
      this.end(a, 'stopped');
    }
    return targets.length;
  }

  dispose(): void {
    this.stop(undefined, 'stopped: the extension is shutting down');
    this.started.dispose();
    this.evented.dispose();
    this.nodeErrors.dispose();
    this.finished.dispose();
  }

  private end(a: Active, state: RunState): void {
    const r = a.record;
    r.state = state;
    r.finishedAt = new Date();
    r.ms ??= r.finishedAt.getTime() - r.startedAt.getTime();
    if (this.active.get(r.uri.toString()) === a) this.active.delete(r.uri.toString());
    a.finish();
    this.finished.fire(r);
  }
}
