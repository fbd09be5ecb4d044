// Live prediction: after each edit (debounced), the in-process model (cluster/modelHost.ts) runs the
// script as it stands, and every `get` and `printStore` line shows what the model predicts it
// prints (`≈ color:blue (2,3) from server 0`), as an inlay hint and on hover, with the same "why" as
// after a real run (record/explain.ts on the predicted events). The model predicts real runs exactly
// in `settled` and `off` gossip modes; in `async` mode it predicts the settled outcome and says so.
//
// A prediction runs only up to the document's first error line, is cancelled by a newer edit (an
// AbortSignal through ClusterRun, and the work yields to the event loop every few milliseconds so
// that the edit gets through), and stops after a budget of work (2 s), saying so in the hints of the
// lines it did not reach. Seed and gossip mode: those of the document's last real run, else seed 1
// and the `kvcmd.gossip` setting. When a real run of the same document version, seed and gossip
// printed something else than the prediction on a line, that line gets an Information diagnostic.
//
// Predicted results are kept in a RunResultsStore of their own (runResults.ts), so they are followed
// through edits the same way: while the prediction of a new version is pending, the previous one
// still shows on the lines that were not edited since.
import { Diagnostic, DiagnosticSeverity, InlayHint, MarkupKind } from 'vscode-languageserver/node';
import { ClusterRun } from '../cluster/runner';
import { protocolFor, type Command } from '../language/index';
import type { GetResult, GossipMode, ProtocolName, StoreEntry } from '../protocol/messages';
import { formatStamp } from '../protocol/stamp';
import type { ClusterEvent } from '../record/events';
import { formatGet, formatStore } from '../record/stdout';
import type { DocAnalysis } from './docAnalysis';
import type { DocumentStore } from './documents';
import type { PredictionStatus, RunResultsParams } from './customMessages';
import { RunResultsStore, describeEvents, whyMarkdown, type LineExplanation } from './runResults';

/** The seed of a prediction when the document has never been run (the same whatever the settings say). */
export const DEFAULT_SEED = 1;
export const DEFAULT_DEBOUNCE_MS = 150;
export const DEFAULT_BUDGET_MS = 2000;
/** Work done between two yields to the event loop (so that edits and requests get through). */
const SLICE_MS = 8;
/** Above this many events, hint tooltips carry no explanation until a hover has asked for it (it takes ~1 s at 300,000). */
const EAGER_EXPLAIN_EVENTS = 100_000;
const MAX_HINT_VALUE = 40;

export interface PredictionSettings {
  enabled: boolean;
  /** `kvcmd.gossip`: the mode predicted for a document that has not been run. */
  gossip: GossipMode;
  /** `kvcmd.protocol`: the protocol of a document without a `# kvcmd: protocol=` directive. */
  protocol?: ProtocolName;
}

export interface PredictorOptions {
  debounceMs?: number;
  budgetMs?: number;
}

interface Job {
  timer?: NodeJS.Timeout;
  abort?: AbortController;
}

/** What a line of the document as it is now has in the latest prediction. */
export interface PredictedLine {
  info: PredictionStatus;
  /** The 1-based line in the predicted version (differs when lines moved since). */
  line: number;
  /** The prediction is of an earlier version (a newer one is on its way). */
  pending: boolean;
  events: ClusterEvent[];
  /** Set when the model stopped (time budget) before this line. */
  notReached: boolean;
}

export class Predictor {
  /** The predicted events, per document, as if pushed by a run. */
  readonly store: RunResultsStore;
  private readonly status = new Map<string, PredictionStatus>();
  private readonly jobs = new Map<string, Job>();
  private readonly lastRun = new Map<string, { seed: number; gossip: GossipMode }>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private settings: PredictionSettings = { enabled: true, gossip: 'settled' };
  private debounceMs: number;
  private budgetMs: number;

  constructor(
    private readonly docs: DocumentStore,
    private readonly analysisOf: (uri: string) => DocAnalysis | undefined,
    /** Called when a document's prediction changed (done, or dropped). */
    private readonly onChange: (uri: string) => void,
    /** Resolves once the settings have been read (predictions wait for it). */
    private readonly ready: Promise<void>,
    options: PredictorOptions = {},
  ) {
    this.store = new RunResultsStore(docs);
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  }

  /** Timing options (the client's initializationOptions may set them, for tests and benchmarks). */
  tune(options: PredictorOptions): void {
    if (options.debounceMs !== undefined) this.debounceMs = options.debounceMs;
    if (options.budgetMs !== undefined) this.budgetMs = options.budgetMs;
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  /** New settings: predictions are dropped when turned off, and made again for every open document otherwise. */
  configure(settings: PredictionSettings): void {
    const before = this.settings;
    this.settings = settings;
    if (!settings.enabled) {
      for (const uri of [...this.status.keys(), ...this.jobs.keys()]) this.drop(uri);
      return;
    }
    if (!before.enabled || before.gossip !== settings.gossip || before.protocol !== settings.protocol) for (const doc of this.docs.all()) this.schedule(doc.uri, 0);
  }

  /** Where a prediction that threw is reported (the server's log). */
  onError: ((message: string) => void) | undefined;

  /** A document was opened or edited: predict it again once the edits pause. */
  schedule(uri: string, delay = this.debounceMs): void {
    if (!this.settings.enabled) return;
    const job = this.cancel(uri);
    job.timer = setTimeout(() => {
      job.timer = undefined;
      this.predict(uri, job).catch((err: unknown) => {
        // A bug must not leave the job (and whoever waits for it) hanging, nor end the server.
        if (this.jobs.get(uri) === job) this.jobs.delete(uri);
        this.wake(uri);
        this.onError?.(`prediction of ${uri} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      });
    }, delay);
    this.jobs.set(uri, job);
  }

  /** A real run's results arrived: predict with its seed and gossip mode from now on. */
  rememberRun(uri: string, seed: number, gossip: string): void {
    const mode = asGossip(gossip) ?? this.settings.gossip;
    this.lastRun.set(uri, { seed, gossip: mode });
    const s = this.status.get(uri);
    if (!s || s.seed !== seed || s.gossip !== mode) this.schedule(uri, 0);
  }

  /** The document was closed. */
  forget(uri: string): void {
    this.drop(uri);
    this.lastRun.delete(uri);
  }

  /** The latest finished prediction of a document (of its current version or an earlier one). */
  statusOf(uri: string): PredictionStatus | undefined {
    return this.status.get(uri);
  }

  /** Whether the prediction of the document's current version is done (or there will be none). */
  isCurrent(uri: string): boolean {
    const doc = this.docs.get(uri);
    if (!doc || !this.settings.enabled) return true;
    return this.status.get(uri)?.version === doc.version && !this.jobs.has(uri);
  }

  /** Resolves once the prediction of the document's current version is done (or there will be none). */
  whenCurrent(uri: string): Promise<void> {
    if (this.isCurrent(uri)) return Promise.resolve();
    return new Promise((resolve) => {
      let list = this.waiters.get(uri);
      if (!list) this.waiters.set(uri, (list = []));
      list.push(resolve);
    });
  }

  /** What the prediction says about 0-based `line0` of the document at `version`. */
  forLine(uri: string, line0: number, version: number): PredictedLine | undefined {
    const info = this.status.get(uri);
    if (!info) return undefined;
    const at = this.store.locate(uri, line0, version);
    if (!at || at.unmapped || at.line === undefined || at.lineEdited) return undefined;
    if (info.errorLine !== undefined && at.line >= info.errorLine) return undefined;
    const notReached = info.state === 'stopped' && at.line > info.reached;
    const events = notReached ? [] : this.store.forLineEvents(uri, at.line);
    return { info, line: at.line, pending: at.stale, events, notReached };
  }

  /** The explanation of a predicted line; `force` computes it for a run too big to explain eagerly. */
  explain(uri: string, line: number, force: boolean): LineExplanation {
    const info = this.status.get(uri);
    if (!info || (!force && info.events > EAGER_EXPLAIN_EVENTS && !this.store.isExplained(uri))) return {};
    return this.store.explainLine(uri, line);
  }

  private cancel(uri: string): Job {
    const job = this.jobs.get(uri) ?? {};
    if (job.timer) clearTimeout(job.timer);
    job.timer = undefined;
    job.abort?.abort();
    job.abort = undefined;
    return job;
  }

  private drop(uri: string): void {
    this.cancel(uri);
    this.jobs.delete(uri);
    const had = this.status.delete(uri);
    this.store.clear(uri);
    this.wake(uri);
    if (had) this.onChange(uri);
  }

  private wake(uri: string): void {
    const list = this.waiters.get(uri);
    if (!list || !this.isCurrent(uri)) return;
    this.waiters.delete(uri);
    for (const w of list) w();
  }

  private async predict(uri: string, job: Job): Promise<void> {
    await this.ready;
    if (this.jobs.get(uri) !== job || job.timer || job.abort || !this.settings.enabled) return;
    const a = this.analysisOf(uri);
    if (!a) {
      this.jobs.delete(uri);
      return;
    }
    const run = this.lastRun.get(uri);
    const seed = run?.seed ?? DEFAULT_SEED;
    const gossip = run?.gossip ?? this.settings.gossip;
    const abort = new AbortController();
    job.abort = abort;
    const protocol = protocolFor(a.analysis.directives, undefined, this.settings.protocol);
    const outcome = await predictAnalysis(a, { seed, gossip, protocol, signal: abort.signal, budgetMs: this.budgetMs });
    if (abort.signal.aborted || this.jobs.get(uri) !== job) return;
    this.jobs.delete(uri);
    if (!outcome) return;
    this.status.set(uri, outcome.status);
    this.store.set(outcome.params, outcome.byLine);
    this.wake(uri);
    this.onChange(uri);
  }
}

export interface PredictOptions {
  seed: number;
  gossip: GossipMode;
  /** Absent: the document's directive, else lamport. */
  protocol?: ProtocolName;
  signal?: AbortSignal;
  budgetMs?: number;
}

/** The model run of a document version, up to its first error line; undefined when cancelled. */
export async function predictAnalysis(a: DocAnalysis, o: PredictOptions): Promise<{ status: PredictionStatus; params: RunResultsParams; byLine: Map<number, ClusterEvent[]> } | undefined> {
  const errorLine = firstErrorLine(a);
  const commands = errorLine === undefined ? a.analysis.commands : a.analysis.commands.filter((c) => c.line < errorLine);
  const modelled: GossipMode = o.gossip === 'async' ? 'settled' : o.gossip;
  const protocol = o.protocol ?? protocolFor(a.analysis.directives);
  const events: ClusterEvent[] = [];
  const byLine = new Map<number, ClusterEvent[]>();
  const r = await runModel(commands, { seed: o.seed, gossip: modelled, protocol, signal: o.signal, budgetMs: o.budgetMs ?? DEFAULT_BUDGET_MS }, (e) => {
    if (!('line' in e) || e.line <= 0) return;
    events.push(e);
    let list = byLine.get(e.line);
    if (!list) byLine.set(e.line, (list = []));
    list.push(e);
  });
  if (o.signal?.aborted) return undefined;
  const status: PredictionStatus = {
    uri: a.uri, version: a.version, seed: o.seed, gossip: o.gossip, modelled,
    state: r.error !== undefined ? 'failed' : r.stopped ? 'stopped' : 'done',
    reached: r.reached, ms: Math.round(r.ms * 10) / 10, budgetMs: o.budgetMs ?? DEFAULT_BUDGET_MS, events: events.length,
    ...(errorLine !== undefined ? { errorLine } : {}), ...(r.error !== undefined ? { error: r.error } : {}),
  };
  const params: RunResultsParams = { uri: a.uri, version: a.version, seed: o.seed, gossip: modelled, protocol, finishedAt: new Date().toISOString(), events };
  return { status, params, byLine };
}

/** The 1-based line of the first error, if any. */
export function firstErrorLine(a: DocAnalysis): number | undefined {
  if (!a.analysis.hasErrors) return undefined;
  let first = Number.MAX_SAFE_INTEGER;
  for (const d of a.analysis.diagnostics) if (d.severity === 'error' && d.range.start.line < first) first = d.range.start.line;
  return first + 1;
}

interface ModelRunResult { reached: number; stopped: boolean; error?: string; ms: number }

/**
 * Runs commands on the model, yielding to the event loop every SLICE_MS of work; stops (without
 * error) once `budgetMs` of work is done, and gives up when the signal aborts.
 */
async function runModel(commands: readonly Command[], o: { seed: number; gossip: GossipMode; protocol: ProtocolName; signal?: AbortSignal; budgetMs: number },
  onEvent: (e: ClusterEvent) => void): Promise<ModelRunResult> {
  const run = new ClusterRun({ seed: o.seed, gossip: o.gossip, protocol: o.protocol, backend: 'model', trace: true, signal: o.signal }, onEvent);
  let work = 0;
  let slice = performance.now();
  let reached = 0;
  let stopped = false;
  try {
    for (const cmd of commands) {
      await run.execute(cmd);
      reached = cmd.line;
      const now = performance.now();
      if (work + (now - slice) >= o.budgetMs) {
        stopped = cmd !== commands[commands.length - 1];
        break;
      }
      if (now - slice >= SLICE_MS) {
        work += now - slice;
        await new Promise<void>((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
    }
  } catch (err) {
    const r = await run.end(err);
    return { reached, stopped: false, error: r.error, ms: work + performance.now() - slice };
  }
  await run.end();
  return { reached, stopped, ms: work + performance.now() - slice };
}

function asGossip(s: string): GossipMode | undefined {
  return s === 'settled' || s === 'async' || s === 'off' ? s : undefined;
}

function clip(s: string, max = MAX_HINT_VALUE): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** The hint text of a get or printStore, as record/explain.ts words it for a run, with `≈` for `→`. */
export function predictedLabel(events: readonly ClusterEvent[]): string | undefined {
  for (const e of events) {
    if (e.type === 'get') {
      const r = e.result;
      if (r.kind === 'value') return `≈ ${clip(`${e.key}:${r.value}`)} ${formatStamp(r.stamp)} from server ${e.server}`;
      return `≈ ${clip(e.key)}:${r.kind} from server ${e.server}`;
    }
    if (e.type === 'failed' && e.op === 'get') return `≈ failed: ${e.reason}`;
    if (e.type === 'storePrinted') {
      const n = e.entries.length;
      const listed = e.entries.map((x) => `${x.key}:${x.value}`).join(' ');
      return n === 0 ? '≈ empty' : n <= 3 && listed.length <= MAX_HINT_VALUE ? `≈ ${listed}` : `≈ ${n} keys`;
    }
  }
  return undefined;
}

/** "predicted by the model (seed N, gossip M)", with what that means in async mode. */
export function predictedBy(info: PredictionStatus): string {
  const head = `predicted by the model (seed ${info.seed}, gossip ${info.gossip})`;
  return info.gossip === 'async'
    ? `${head}: the settled outcome, as if every gossip arrived before the next command; a real async run may differ`
    : head;
}

function budgetText(info: PredictionStatus): string {
  return info.budgetMs >= 1000 && info.budgetMs % 1000 === 0 ? `${info.budgetMs / 1000} s` : `${info.budgetMs} ms`;
}

/** The inlay hint of a predicted get or printStore line, or of a line the model did not reach. */
export function predictedHint(p: PredictedLine, why: LineExplanation, line0: number, character: number): InlayHint | undefined {
  const notes: string[] = [];
  if (p.pending) notes.push(`(of the text before the latest edit; this was line ${p.line}: updating)`);
  if (p.notReached) {
    return {
      position: { line: line0, character }, paddingLeft: true,
      label: `≈ not predicted: the model stopped after ${budgetText(p.info)}`,
      tooltip: { kind: MarkupKind.PlainText,
        value: `The model stopped after ${budgetText(p.info)} of work, at line ${p.info.reached}: the lines below it are not predicted.` },
    };
  }
  const label = predictedLabel(p.events);
  if (!label) return undefined;
  const text = why.get?.text ?? why.store?.text ?? [];
  return {
    position: { line: line0, character }, paddingLeft: true, label,
    tooltip: { kind: MarkupKind.PlainText, value: [[predictedBy(p.info), ...notes].join(' '), ...(text.length ? ['', ...text] : [])].join('\n') },
  };
}

/** The "Predicted" section of a hover, or undefined when the prediction has nothing for the line. */
export function predictedMarkdown(p: PredictedLine, why: LineExplanation): string | undefined {
  const by = predictedBy(p.info);
  const head = `**Predicted** ${by.slice('predicted '.length)}`;
  if (p.notReached) return `${head}\n\nNot predicted: the model stopped after ${budgetText(p.info)} of work, at line ${p.info.reached}.`;
  const lines = describeEvents(p.events.filter((e) => e.type !== 'nodeStarted'));
  if (lines.length === 0) return undefined;
  const notes = p.pending ? ['_Of the text before the latest edit (a new prediction is on its way)._', ''] : [];
  const whyLines = whyMarkdown(why);
  if (whyLines.length && p.pending) whyLines.push('', `_Line numbers are the predicted text's (this line was line ${p.line} then)._`);
  return [head, '', ...notes, ...lines, ...whyLines].join('\n');
}

/** What a line printed, as the run's output shows it (`color:red`), for comparing a run with the prediction. */
function printed(events: readonly ClusterEvent[]): string | undefined {
  for (const e of events) {
    if (e.type === 'get') return formatGet(e.key, e.result as GetResult);
    if (e.type === 'failed' && e.op === 'get') return `a failure (${e.reason})`;
    if (e.type === 'storePrinted') return storeText(e.entries);
  }
  return undefined;
}

function storeText(entries: readonly StoreEntry[]): string {
  return entries.length ? formatStore(entries).join(' ') : 'an empty store';
}

/**
 * Information diagnostics on the lines where the real run (pushed for the document's current
 * version) printed something else than the prediction of that version, seed and gossip mode.
 */
export function mismatchDiagnostics(a: DocAnalysis, real: RunResultsStore, predictor: Predictor): Diagnostic[] {
  const info = predictor.statusOf(a.uri);
  const run = real.paramsOf(a.uri);
  if (!info || !run || info.version !== a.version || run.version !== a.version) return [];
  if (info.seed !== run.seed || info.gossip !== run.gossip) return [];
  const out: Diagnostic[] = [];
  for (const [line, events] of real.linesWithEvents(a.uri)) {
    const ran = printed(events);
    if (ran === undefined) continue;
    if (info.errorLine !== undefined && line >= info.errorLine) continue;
    if (info.state === 'stopped' && line > info.reached) continue;
    const predicted = printed(predictor.store.forLineEvents(a.uri, line));
    if (predicted === undefined || predicted === ran) continue;
    const parsed = a.line(line - 1);
    if (!parsed?.command) continue;
    const end = parsed.args.length ? parsed.args[parsed.args.length - 1].range.end : parsed.command.range.end;
    const reason = info.gossip === 'async'
      ? 'a race the model cannot see (gossip async)'
      : `the model predicts gossip ${info.gossip} runs exactly, so the run went another way than the protocol as modelled (seed ${info.seed})`;
    out.push({
      range: { start: parsed.command.range.start, end },
      severity: DiagnosticSeverity.Information,
      code: 'prediction-differs',
      source: 'kvcmd',
      message: `the run printed ${ran}, the model predicted ${predicted}: ${reason}`,
    });
  }
  return out;
}

