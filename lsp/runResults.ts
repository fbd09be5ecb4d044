// The latest run's results per document, pushed by the extension (RunResultsNotification), indexed
// by script line for hovers. Results belong to the document version that ran; once the text
// changes they are stale, and we follow their lines through the edits made since (documents.ts)
// so that a hover still finds the right line after lines were inserted above it.
import type { ClusterEvent } from '../record/events';
import type { GetResult } from '../protocol/messages';
import { formatStamp } from '../protocol/stamp';
import { DocumentStore, mapLineBack } from './documents';
import type { RunResultsParams } from './customMessages';

interface Stored { params: RunResultsParams; byLine: Map<number, ClusterEvent[]> }

export interface LineResults {
  params: RunResultsParams;
  events: ClusterEvent[];
  stale: boolean;
  /** The line itself was edited since the run (its results may not match its text). */
  lineEdited: boolean;
  /** Line numbers could not be followed through the edits (e.g. a whole-text replacement). */
  unmapped: boolean;
}

export class RunResultsStore {
  private byUri = new Map<string, Stored>();

  constructor(private docs: DocumentStore) {}

  set(params: RunResultsParams): void {
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

  /** The results for 0-based `line0` of the document as it is now. */
  forLine(uri: string, line0: number, currentVersion: number): LineResults | undefined {
    const stored = this.byUri.get(uri);
    if (!stored) return undefined;
    const { params } = stored;
    const stale = currentVersion !== params.version;
    let line: number | undefined = line0;
    let lineEdited = false;
    let unmapped = false;
    if (stale) {
      const changes = this.docs.changesSince(uri, params.version);
      if (changes) ({ line, edited: lineEdited } = mapLineBack(line0, changes));
      else unmapped = true;
    }
    const events = line === undefined ? [] : stored.byLine.get(line + 1) ?? [];
    return { params, events, stale, lineEdited, unmapped };
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
        out.push(`- stabilize (epoch ${e.epoch}) done in ${e.ms} ms`);
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

/** The whole "last run" section of a hover, or undefined when the run did nothing on that line. */
export function runResultsMarkdown(r: LineResults): string | undefined {
  const lines = describeEvents(r.events);
  if (lines.length === 0 && !r.stale) return undefined;
  const when = r.params.finishedAt;
  const head = `**Last run** (${when}, seed ${r.params.seed}, gossip ${r.params.gossip})`;
  const notes: string[] = [];
  if (r.stale) notes.push(`⚠ The results are stale: the file changed since the run at ${when}.`);
  if (r.lineEdited) notes.push('This line was edited since the run.');
  if (r.unmapped) notes.push('Lines may have moved since the run.');
  if (lines.length === 0) return [head, '', ...notes].join('\n');
  return [head, '', ...notes.map((n) => `${n}\n`), ...lines].join('\n');
}
