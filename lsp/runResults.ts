// The latest run's results per document, pushed by the extension (RunResultsNotification), indexed
// by script line for hovers and inlay hints. Results belong to the document version that ran; once
// the text changes they are stale, and we follow their lines through the edits made since
// (documents.ts) so that a hover or a hint still finds the right line after lines were inserted
// above it. Why each get returned what it did comes from record/explain.ts, worked out once per run
// when a hover or a hint first asks.
import type { ClusterEvent } from '../record/events';
import { explainRun, type GetExplanation, type RunExplanation, type StoreExplanation, type WriteExplanation } from '../record/explain';
import type { GetResult } from '../protocol/messages';
import { formatStamp } from '../protocol/stamp';
import { formatMs } from '../record/describe';
import { DocumentStore, mapLineBack } from './documents';
import type { RunResultsParams } from './customMessages';

interface Stored { params: RunResultsParams; byLine: Map<number, ClusterEvent[]>; explained?: RunExplanation }

/** Where a line of the document as it is now was when the run ran. */
export interface RunLine {
  params: RunResultsParams;
  /** The 1-based line of the run's script; undefined for a line inserted since. */
  line: number | undefined;
  stale: boolean;
  /** The line itself was edited since the run (its results may not match its text). */
  lineEdited: boolean;
  /** Line numbers could not be followed through the edits (e.g. a whole-text replacement). */
  unmapped: boolean;
}

/** What the run explains about one line (record/explain.ts). */
export interface LineExplanation {
  get?: GetExplanation;
  write?: WriteExplanation;
  store?: StoreExplanation;
}

export interface LineResults extends RunLine {
  events: ClusterEvent[];
  why: LineExplanation;
}

export class RunResultsStore {
  private byUri = new Map<string, Stored>();

  constructor(private docs: DocumentStore) {}

  /** Stores a run's results; `grouped`: its events already grouped by line (saves a pass over a big run). */
  set(params: RunResultsParams, grouped?: Map<number, ClusterEvent[]>): void {
    if (grouped) {
      this.byUri.set(params.uri, { params, byLine: grouped });
      return;
    }
    const byLine = new Map<number, ClusterEvent[]>();
    for (const e of params.events) {
      if (!('line' in e) || e.line <= 0) continue;
      let list = byLine.get(e.line);
      if (!list) byLine.set(e.line, (list = []));
      list.push(e);
    }
    this.byUri.set(params.uri, { params, byLine });
  }

  clear(uri: string): void {
    this.byUri.delete(uri);
  }

  has(uri: string): boolean {
    return this.byUri.has(uri);
  }

  /** What was pushed for the document, if anything. */
  paramsOf(uri: string): RunResultsParams | undefined {
    return this.byUri.get(uri)?.params;
  }

  /** The events of a 1-based run line. */
  forLineEvents(uri: string, line: number): ClusterEvent[] {
    return this.byUri.get(uri)?.byLine.get(line) ?? [];
  }

  /** Every 1-based run line with events, and its events. */
  linesWithEvents(uri: string): ReadonlyMap<number, ClusterEvent[]> {
    return this.byUri.get(uri)?.byLine ?? new Map();
  }

  /** Whether the run has been explained already (explanation() is then free). */
  isExplained(uri: string): boolean {
    return this.byUri.get(uri)?.explained !== undefined;
  }

  /** Where 0-based `line0` of the document as it is now was in the run; undefined without results. */
  locate(uri: string, line0: number, currentVersion: number): RunLine | undefined {
    return this.locator(uri, currentVersion)?.(line0);
  }

  /** `locate` for many lines of one version: the edits since the run are gathered once. */
  locator(uri: string, currentVersion: number): ((line0: number) => RunLine) | undefined {
    const stored = this.byUri.get(uri);
    if (!stored) return undefined;
    const { params } = stored;
    const stale = currentVersion !== params.version;
    const changes = stale ? this.docs.changesSince(uri, params.version) : [];
    return (line0) => {
      let line: number | undefined = line0;
      let lineEdited = false;
      if (stale && changes) ({ line, edited: lineEdited } = mapLineBack(line0, changes));
      return { params, line: line === undefined ? undefined : line + 1, stale, lineEdited, unmapped: !changes };
    };
  }

  /** The run explained (record/explain.ts), once per pushed run. */
  explanation(uri: string): RunExplanation | undefined {
    const stored = this.byUri.get(uri);
    if (!stored) return undefined;
    stored.explained ??= explainRun(stored.params.events, { gossip: stored.params.gossip, protocol: stored.params.protocol });
    return stored.explained;
  }

  /** The results for 0-based `line0` of the document as it is now. */
  forLine(uri: string, line0: number, currentVersion: number): LineResults | undefined {
    const at = this.locate(uri, line0, currentVersion);
    if (!at) return undefined;
    const stored = this.byUri.get(uri)!;
    const events = at.line === undefined ? [] : stored.byLine.get(at.line) ?? [];
    return { ...at, events, why: events.length ? this.explainLine(uri, at.line!) : {} };
  }

  /** What the run explains about a 1-based run line. */
  explainLine(uri: string, line: number): LineExplanation {
    const x = this.explanation(uri);
    if (!x) return {};
    const why: LineExplanation = {};
    const get = x.gets.get(line);
    const write = x.writes.get(line);
    const store = x.stores.get(line);
    if (get) why.get = get;
    if (write) why.write = write;
    if (store) why.store = store;
    return why;
  }
}

function getResult(key: string, r: GetResult): string {
  switch (r.kind) {
    case 'value': return `\`${key}:${r.value}\` with stamp ${formatStamp(r.stamp)}`;
    case 'ERR_KEY': return `\`${key}:ERR_KEY\` (the server has no value and the client no dependency)`;
    case 'ERR_DEP': return `\`${key}:ERR_DEP\` (the server holds ${formatStamp(r.held)}, older than the client's dependency ${formatStamp(r.dep)})`;
  }
}

/** Markdown lines describing what the run did on one line. */
export function describeEvents(events: readonly ClusterEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    switch (e.type) {
      case 'put':
        out.push(`- **put** \`${e.key}=${e.value}\` by client ${e.client}: got stamp **${formatStamp(e.stamp)}** ` +
          `(counter ${e.stamp.counter}, server ${e.stamp.server}), applied by server ${e.server}; client counter now ${e.counter}`);
        break;
      case 'get':
        out.push(`- **get** by client ${e.client}: returned ${getResult(e.key, e.result)}, answered by server ${e.server}; ` +
          `dependency on \`${e.key}\` before ${formatStamp(e.depBefore)}, after ${formatStamp(e.depAfter)}; client counter now ${e.counter}`);
        break;
      case 'failed':
        out.push(`- **${e.op} failed** (client ${e.client}, key \`${e.key}\`): ${e.reason}`);
        break;
      case 'storePrinted':
        if (e.entries.length === 0) out.push(`- **store of server ${e.server}**: empty`);
        else {
          out.push(`- **store of server ${e.server}** (${e.entries.length} entr${e.entries.length === 1 ? 'y' : 'ies'}):`, '',
            '  | key | value | stamp |', '  |---|---|---|',
            ...e.entries.map((s) => `  | \`${s.key}\` | \`${s.value}\` | ${formatStamp(s.stamp)} |`), '');
        }
        break;
      case 'stabilizeGroup':
        out.push(`- **stabilize** group rooted at server ${e.root}: servers ${e.members.join(', ')}`);
        break;
      case 'stabilizeDone':
        out.push(`- stabilize (epoch ${e.epoch}) done in ${formatMs(e.ms)}`);
        break;
      case 'nodeStarted':
        out.push(`- ${e.role} ${e.id} started (pid ${e.pid}, port ${e.port})`);
        break;
      case 'nodeKilled':
        out.push(`- server ${e.id} killed`);
        break;
      case 'linkCut':
        out.push(`- link ${e.a}–${e.b} cut`);
        break;
      case 'linkCreated':
        out.push(`- link ${e.a}–${e.b} created`);
        break;
      default:
        break;
    }
  }
  return out;
}

/** A plain sentence from record/explain.ts as markdown: characters markdown would read are escaped. */
function sentence(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);
}

/** The "why" part of a hover: what record/explain.ts says about the line, as markdown bullets. */
export function whyMarkdown(why: LineExplanation): string[] {
  const out: string[] = [];
  const section = (title: string, text: readonly string[]): void => {
    if (text.length) out.push('', `**${title}**`, '', ...text.map((t) => `- ${sentence(t)}`));
  };
  if (why.get && why.get.outcome !== 'failed') section('Why this result', why.get.text);
  if (why.write && !why.write.failure) section('Where this write went', why.write.text);
  if (why.store && why.store.entries.length) section('How each entry got there', why.store.entries.map((e) => e.text));
  return out;
}

/** The whole "last run" section of a hover, or undefined when the run did nothing on that line. */
export function runResultsMarkdown(r: LineResults): string | undefined {
  const lines = describeEvents(r.events);
  if (lines.length === 0 && !r.stale) return undefined;
  const when = r.params.finishedAt;
  const head = `**Last run** (${when}, seed ${r.params.seed}, gossip ${r.params.gossip}${r.params.protocol && r.params.protocol !== 'lamport' ? `, protocol ${r.params.protocol}` : ''})`;
  const notes: string[] = [];
  if (r.stale) notes.push(`⚠ The results are stale: the file changed since the run at ${when}.`);
  if (r.lineEdited) notes.push('This line was edited since the run.');
  if (r.unmapped) notes.push('Lines may have moved since the run.');
  if (lines.length === 0) return [head, '', ...notes].join('\n');
  const why = whyMarkdown(r.why);
  if (why.length && r.stale && r.line !== undefined && r.line !== 0) why.push('', `_Line numbers are the run's (this line was line ${r.line} then)._`);
  return [head, '', ...notes.map((n) => `${n}\n`), ...lines, ...why].join('\n');
}
