// Runs a kvcmd document through cluster/runner.ts's runCommands with real node processes: one run
// per document at a time (a new run of the same file cancels the old one), a progress notification
// with Cancel, the script's stdout in the "kvcmd" channel, a readable log in "kvcmd log", and the
// results pushed to the language server for its Lamport-stamp hovers. Views subscribe to the events.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClusterEvent, ClusterSnapshot } from '../record/events';
import { randomSeed, runCommands } from '../cluster/runner';
import { analyze, lineText, type Command } from '../language';
import type { GossipMode } from '../protocol/messages';
import { ClearRunResultsNotification, RunResultsNotification, type RunResultsParams } from '../lsp/customMessages';
import type { KvcmdLanguageClient } from './languageClient';
import { RunOutput } from './runOutput';
import { describeEvent, formatMs } from '../record/describe';
import { readRunConfig } from './settings';

export type RunState = 'running' | 'ok' | 'failed' | 'stopped';

export interface RunRecord {
  readonly uri: vscode.Uri;
  /** The file name shown to the user. */
  readonly name: string;
  readonly seed: number;
  readonly gossip: GossipMode;
  /** The document version whose text ran: hovers go stale once it changes. */
  readonly version: number;
  /** 0-based last line run by "Run to here"; undefined for a whole-file run. */
  readonly toLine: number | undefined;
  readonly commands: readonly Command[];
  readonly startedAt: Date;
  finishedAt?: Date;
  state: RunState;
  ms?: number;
  error?: string;
  readonly events: ClusterEvent[];
  /** Exactly what `kvcmd run` would print on stdout. */
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

interface Active {
  record: RunRecord;
  controller: AbortController;
  finish: () => void;
}

export class RunManager implements vscode.Disposable {
  private readonly active = new Map<string, Active>();
  private readonly last = new Map<string, RunRecord>();
  private readonly started = new vscode.EventEmitter<RunRecord>();
  private readonly evented = new vscode.EventEmitter<{ record: RunRecord; event: ClusterEvent }>();
  private readonly finished = new vscode.EventEmitter<RunRecord>();
  readonly onDidStartRun = this.started.event;
  readonly onDidRunEvent = this.evented.event;
  readonly onDidFinishRun = this.finished.event;

  constructor(
    private readonly nodeMainPath: string,
    private readonly output: RunOutput,
    private readonly log: vscode.LogOutputChannel,
    private readonly languageClient: () => KvcmdLanguageClient | undefined,
  ) {}

  isRunning(uri?: vscode.Uri): boolean {
    return uri ? this.active.has(uri.toString()) : this.active.size > 0;
  }

  current(uri: vscode.Uri): RunRecord | undefined {
    return this.active.get(uri.toString())?.record;
  }

  lastRun(uri: vscode.Uri): RunRecord | undefined {
    return this.last.get(uri.toString());
  }

  /**
   * Checks and runs a document (up to `toLine`, 0-based, when given). Resolves with the record
   * once the run has ended or was stopped; shows its progress and outcome on the way.
   */
  async run(uri: vscode.Uri, toLine?: number): Promise<RunOutcome> {
    const doc = await vscode.workspace.openTextDocument(uri);
    const name = path.basename(uri.path);
    const analysis = analyze(doc.getText());
    // "Run to here" only needs the lines it runs to be sound; later errors do not matter.
    const errors = analysis.diagnostics.filter((d) => d.severity === 'error' && (toLine === undefined || d.range.start.line <= toLine));
    if (errors.length > 0) {
      this.log.warn(`${name}: not run, ${errors.length} error(s) (first: line ${errors[0].range.start.line + 1}: ${errors[0].message})`);
      void vscode.window
        .showErrorMessage(`kvcmd: ${name} has ${errors.length} error${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} before running.`, 'Show Problems')
        .then((pick) => pick && vscode.commands.executeCommand('workbench.actions.view.problems'));
      return { state: 'refused', errors: errors.length };
    }
    const commands = toLine === undefined ? analysis.commands : analysis.commands.filter((c) => c.line - 1 <= toLine);
    const label = (c: Command) => lineText(analysis.script, c.line - 1).trim();

    this.stop(uri, 'replaced by a new run');
    const config = readRunConfig(uri);
    for (const w of config.warnings) this.log.warn(w);
    const seed = config.seed ?? randomSeed();

    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    const record: RunRecord = {
      uri, name, seed, gossip: config.gossip, version: doc.version, toLine, commands,
      startedAt: new Date(), state: 'running', events: [], stdout: '', pids: [], failures: 0,
      done: done.then(() => record),
    };
    const controller = new AbortController();
    const entry: Active = { record, controller, finish };
    this.active.set(uri.toString(), entry);
    this.last.set(uri.toString(), record);
    void this.languageClient()?.sendNotification(ClearRunResultsNotification, { uri: uri.toString() }).catch(() => undefined);
    this.output.begin(record);
    const what = toLine === undefined ? '' : ` up to line ${toLine + 1}`;
    this.log.info(`── ${name}${what}: ${commands.length} command(s), seed ${seed}, gossip ${config.gossip}`);
    this.started.fire(record);

    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `kvcmd: running ${name}${what}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => this.stop(uri, 'cancelled'));
        let shownLine = 0, index = 0;
        const sub = this.onDidRunEvent(({ record: r, event }) => {
          if (r !== record || !('line' in event) || event.line <= shownLine) return;
          shownLine = event.line;
          const before = index;
          while (index < commands.length && commands[index].line <= event.line) index++;
          const c = commands[index - 1];
          progress.report({ message: c ? `line ${c.line}: ${label(c)}` : undefined, increment: ((index - before) / Math.max(1, commands.length)) * 100 });
        });
        await done;
        sub.dispose();
      },
    );

    const onEvent = (event: ClusterEvent): void => {
      // A stopped run's nodes are being killed: what they still report is noise, not results.
      if (record.state !== 'running') return;
      record.events.push(event);
      if (event.type === 'nodeStarted') record.pids.push(event.pid);
      else if (event.type === 'failed') record.failures++;
      else if (event.type === 'stdout') {
        record.stdout += event.text + '\n';
        this.output.write(record, event.text + '\n');
      }
      const text = describeEvent(name, event);
      if (text) (event.type === 'failed' || (event.type === 'runFinished' && !event.ok) ? this.log.error(text) : this.log.info(text));
      this.evented.fire({ record, event });
    };

    runCommands(commands, {
      // Traced: the cluster view follows every apply and message while the run goes on.
      seed, gossip: config.gossip, signal: controller.signal, trace: true,
      process: {
        entry: this.nodeMainPath,
        ...(config.nodePath ? { nodePath: config.nodePath } : {}),
        onNodeError: (id, text) => this.log.warn(`[node ${id ?? '?'}] ${text.trimEnd()}`),
      },
    }, onEvent).then(
      (result) => {
        if (record.state !== 'running') return;
        record.ms = result.ms;
        record.snapshot = result.snapshot;
        record.error = result.error;
        this.end(entry, result.ok ? 'ok' : 'failed');
        this.publish(record);
      },
      (err: unknown) => {
        if (record.state !== 'running') return;
        record.error = err instanceof Error ? err.message : String(err);
        this.log.error(`${name}: run failed: ${record.error}`);
        this.end(entry, 'failed');
      },
    );
    return record.done;
  }

  /** Ends a document's run at once (every run when `uri` is omitted); returns how many were stopped. */
  stop(uri?: vscode.Uri, why = 'stopped'): number {
    const targets = uri ? [this.active.get(uri.toString())].filter((a): a is Active => !!a) : [...this.active.values()];
    for (const a of targets) {
      // The runner answers an abort at once: it cuts short what it waits on (a `sleep 20000`, a
      // settle) and SIGKILLs every node process, spares included.
      a.controller.abort();
      this.log.warn(`${a.record.name}: run ${why}`);
      this.end(a, 'stopped');
    }
    return targets.length;
  }

  dispose(): void {
    this.stop(undefined, 'stopped: the extension is shutting down');
    this.started.dispose();
    this.evented.dispose();
    this.finished.dispose();
  }

  private end(a: Active, state: RunState): void {
    const r = a.record;
    r.state = state;
    r.finishedAt = new Date();
    r.ms ??= r.finishedAt.getTime() - r.startedAt.getTime();
    if (this.active.get(r.uri.toString()) === a) this.active.delete(r.uri.toString());
    if (state !== 'stopped') {
      const outcome = state === 'ok' ? (r.failures ? `finished with ${r.failures} failed command(s)` : 'finished') : `failed: ${r.error ?? 'unknown error'}`;
      this.log.info(`── ${r.name}: ${outcome} in ${formatMs(r.ms)}, ${r.commands.length} command(s), seed ${r.seed} (set kvcmd.seed to ${r.seed} to repeat it)`);
    }
    a.finish();
    this.finished.fire(r);
  }

  /** Hands the results to the language server, which renders the stamp hovers (the one place). */
  private publish(r: RunRecord): void {
    const client = this.languageClient();
    if (!client) return;
    const params: RunResultsParams = {
      uri: r.uri.toString(), version: r.version, seed: r.seed, gossip: r.gossip,
      finishedAt: (r.finishedAt ?? new Date()).toISOString(),
      events: r.events.filter((e) => 'line' in e && e.line > 0),
      ...(r.snapshot ? { snapshot: r.snapshot } : {}),
    };
    client.sendNotification(RunResultsNotification, params).catch((err: unknown) => this.log.warn(`could not send run results to the language server: ${String(err)}`));
  }
}
