// "Explore Outcomes" in the server: the kvcmd/explore request runs every schedule of a document on
// the model (explore/explore.ts, what `kvcmd explore` does), and until the document changes each
// get and printStore line ends with what it may print and in how many schedules:
//   ⟂ 2 outcomes: k:a (3 schedules) | k:b (1)
// Each outcome is a label part whose command (`kvcmd.openWitness`, the extension's) opens its
// witness; its tooltip names the witness and the `kvcmd run` line that replays it.
//
// The exploration yields to the event loop as it goes (explore/ does), so the server keeps
// answering; a newer request for the same document, or the client's cancel, stops it.
import { fileURLToPath } from 'node:url';
import { type CancellationToken, type InlayHint, type InlayHintLabelPart, MarkupKind, type Range } from 'vscode-languageserver/node';
import { explore, replayCommand, type ExploreReport } from '../explore/explore';
import { protocolFor } from '../language/directives';
import { GOSSIP_MODES, type GossipMode } from '../protocol/messages';
import type { ExploreOutcomes, ExploreParams, WitnessTarget } from './customMessages';
import type { DocAnalysis } from './docAnalysis';

export const DEFAULT_MAX_SCHEDULES = 10_000;
export const DEFAULT_EXPLORE_BUDGET_MS = 10_000;
/** The command the inline outcomes run (registered by the extension: extension/exploreOutcomes.ts). */
export const OPEN_WITNESS_COMMAND = 'kvcmd.openWitness';
const MAX_OUTCOMES_SHOWN = 4;
const MAX_TEXT = 40;

const plural = (n: number, word: string): string => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
const clip = (s: string): string => (s.length <= MAX_TEXT ? s : `${s.slice(0, MAX_TEXT - 1)}…`);

/** The file a `kvcmd run` line names: the path of a file URI, else the URI itself. */
function fileOf(uri: string): string {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
}

/** One line summing an exploration up, as the editor shows it. */
export function exploreSummary(r: ExploreOutcomes): string {
  if (r.state === 'refused') return `not explored: ${r.error ?? 'the script has errors'}`;
  const scope = r.exhaustive
    ? 'exhaustive'
    : `sampled: stopped by ${r.stoppedBy === 'time' ? 'the time budget' : r.stoppedBy === 'cancelled' ? 'a cancel' : 'the schedule budget'}`;
  const budget = `budget ${plural(r.maxSchedules, 'schedule')} or ${r.budgetMs >= 1000 ? `${r.budgetMs / 1000} s` : `${r.budgetMs} ms`}`;
  const broke = r.errors.length ? `; ${plural(r.errors.reduce((n, e) => n + e.count, 0), 'run')} broke` : '';
  const violations = r.violations.length ? `; ${plural(r.violations.length, 'checker violation')}` : '';
  return `${plural(r.outcomes.length, 'distinct stdout')} in ${plural(r.schedules, 'schedule')} explored (${scope}, ${budget}; gossip ${r.gossip}, seed ${r.seed})${violations}${broke}`;
}

export class Explorations {
  private readonly results = new Map<string, ExploreOutcomes>();
  private readonly running = new Map<string, AbortController>();

  /** Explores the document as it is now. A newer request for it cancels this one. */
  async explore(a: DocAnalysis, p: ExploreParams, token?: CancellationToken): Promise<ExploreOutcomes> {
    const gossip: GossipMode = (GOSSIP_MODES as readonly unknown[]).includes(p.gossip) ? (p.gossip as GossipMode) : 'async';
    const seed = Number.isInteger(p.seed) && p.seed! >= 0 && p.seed! <= 2 ** 31 - 1 ? p.seed! : 1;
    const maxSchedules = Number.isInteger(p.maxSchedules) && p.maxSchedules! > 0 ? p.maxSchedules! : DEFAULT_MAX_SCHEDULES;
    const budgetMs = typeof p.budgetMs === 'number' && p.budgetMs > 0 ? p.budgetMs : DEFAULT_EXPLORE_BUDGET_MS;
    const base = { uri: a.uri, version: a.version, seed, gossip, maxSchedules, budgetMs };
    const empty = { schedules: 0, pruned: 0, exhaustive: false, ms: 0, outcomes: [], lines: [], violations: [], errors: [] };
    if (a.analysis.hasErrors) {
      const first = a.analysis.diagnostics.find((d) => d.severity === 'error');
      const where = first ? `line ${first.range.start.line + 1} has an error (${first.message})` : 'the script has errors';
      return { ...base, ...empty, state: 'refused', error: `${where}: fix it first` };
    }
    this.running.get(a.uri)?.abort();
    const abort = new AbortController();
    this.running.set(a.uri, abort);
    const cancel = token?.onCancellationRequested(() => abort.abort());
    try {
      // The script's protocol directive, as `kvcmd run` reads it: the replay lines then fit as they are.
      const protocol = protocolFor(a.analysis.directives);
      const report = await explore(a.analysis.commands, { seed, gossip, protocol, maxSchedules, maxMs: budgetMs, signal: abort.signal });
      if (abort.signal.aborted) return { ...base, ...empty, ...counts(report), state: 'cancelled' };
      const result = toOutcomes(report, base, fileOf(a.uri));
      this.results.set(a.uri, result);
      return result;
    } finally {
      cancel?.dispose();
      if (this.running.get(a.uri) === abort) this.running.delete(a.uri);
    }
  }

  /** The document was closed. */
  forget(uri: string): void {
    this.running.get(uri)?.abort();
    this.running.delete(uri);
    this.results.delete(uri);
  }

  /** The latest exploration of a document, whatever its version. */
  resultOf(uri: string): ExploreOutcomes | undefined {
    return this.results.get(uri);
  }

  /** The inline outcomes of the lines of `range`, while the explored version is the document's. */
  hints(a: DocAnalysis, range?: Range): InlayHint[] {
    const r = this.results.get(a.uri);
    if (!r || r.version !== a.version) return [];
    const first = range?.start.line ?? 0;
    const last = range?.end.line ?? Number.MAX_SAFE_INTEGER;
    const hints: InlayHint[] = [];
    for (const l of r.lines) {
      const line0 = l.line - 1;
      if (line0 < first || line0 > last) continue;
      const parsed = a.line(line0);
      if (!parsed || l.outcomes.length === 0) continue;
      hints.push({ position: { line: line0, character: parsed.length }, paddingLeft: true, label: labelParts(r, l) });
    }
    return hints;
  }
}

function counts(r: ExploreReport): Pick<ExploreOutcomes, 'schedules' | 'pruned' | 'exhaustive' | 'stoppedBy' | 'ms'> {
  return { schedules: r.schedules, pruned: r.pruned, exhaustive: r.exhaustive, ...(r.stoppedBy ? { stoppedBy: r.stoppedBy } : {}), ms: Math.round(r.ms) };
}

function toOutcomes(r: ExploreReport, base: Omit<ExploreOutcomes, 'state' | keyof ReturnType<typeof counts> | 'outcomes' | 'lines' | 'violations' | 'errors'>, file: string): ExploreOutcomes {
  const replay = <T extends { witness: string }>(x: T): T & { replay: string } => ({ ...x, replay: replayCommand(file, r, x.witness) });
  return {
    ...base, state: 'done', ...counts(r),
    outcomes: r.outcomes.map(replay),
    lines: r.lines.map((l) => ({ ...l, outcomes: l.outcomes.map(replay) })),
    violations: r.violations.map(replay),
    errors: r.errors.map(replay),
  };
}

/** `⟂ 2 outcomes: ` then each outcome as a clickable part: `k:a (3 schedules)`, `k:b (1)`. */
function labelParts(r: ExploreOutcomes, l: ExploreOutcomes['lines'][number]): InlayHintLabelPart[] {
  const n = l.outcomes.length;
  const summary = exploreSummary(r);
  const head = `⟂ ${plural(n, 'outcome')}${r.exhaustive ? '' : ' (sampled)'}: `;
  const parts: InlayHintLabelPart[] = [{
    value: head,
    tooltip: { kind: MarkupKind.PlainText, value: `Explored on the model: ${summary}.\nLine ${l.line} printed ${n === 1 ? 'the same in every schedule' : `${n} different things`}; click one to open its witness.` },
  }];
  l.outcomes.slice(0, MAX_OUTCOMES_SHOWN).forEach((o, i) => {
    if (i > 0) parts.push({ value: ' | ' });
    const count = n === 1 ? `all ${plural(o.count, 'schedule')}` : i === 0 ? plural(o.count, 'schedule') : String(o.count);
    const target: WitnessTarget = { uri: r.uri, witness: o.witness, seed: r.seed, gossip: r.gossip, label: `${o.text} on line ${l.line}` };
    parts.push({
      value: `${clip(o.text)} (${count})`,
      tooltip: { kind: MarkupKind.PlainText, value: `${o.text}\nin ${plural(o.count, 'schedule')} of ${r.schedules.toLocaleString('en-US')}; witness ${o.witness}\n${o.replay}\n\nClick: open the witness in the debugger or the message diagram.` },
      command: { title: 'Open witness', command: OPEN_WITNESS_COMMAND, arguments: [target] },
    });
  });
  if (n > MAX_OUTCOMES_SHOWN) parts.push({ value: ` | +${n - MAX_OUTCOMES_SHOWN} more` });
  return parts;
}
