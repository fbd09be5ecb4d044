// Hover: the command's doc on its name; on an argument, what that argument is, and on an id what
// the node is at that line (server or client, joined where, alive or killed, its links); plus, when
// the extension pushed results for the document, what the last run did on that line and why
// (runResults.ts: for a get, the put that wrote the value and its path, or the newer write and why
// it had not arrived; for a put, the servers it reached and how). Where no real run of the current
// text did anything on the line, what the live prediction (prediction.ts) says, with the same why.
import { Hover, MarkupKind, Position } from 'vscode-languageserver/node';
import { IdReference, Topology, findCommand, linkLossNote } from '../language/index';
import { DocAnalysis, tokenAt } from './docAnalysis';
import { commandDoc, plural } from './completion';
import { RunResultsStore, runResultsMarkdown } from './runResults';
import { hoverDirective } from './directives';
import { predictedMarkdown, type Predictor } from './prediction';

export function hover(a: DocAnalysis, p: Position, results: RunResultsStore, predictor?: Predictor): Hover | null {
  const line = a.line(p.line);
  if (line && !line.command) return hoverDirective(line, p);
  if (!line?.command) return null;
  const at = tokenAt(line, p.character);
  if (at.inComment || !at.token) return null;
  const spec = findCommand(line.command.text);
  const parts: string[] = [];
  if (at.index === 0) {
    if (spec) parts.push(commandDoc(spec));
  } else {
    const arg = spec?.args[at.index - 1];
    if (arg) parts.push(`\`<${arg.name}>\` of \`${spec!.name}\`: ${arg.doc}`);
    const ref = a.referenceAt(p);
    if (ref) parts.push(describeId(a, ref));
  }
  const run = results.forLine(a.uri, p.line, a.version);
  // The prediction, unless a real run of this very version did something on the line.
  if (predictor?.enabled && !(run && !run.stale && run.events.length)) {
    const predicted = predictor.forLine(a.uri, p.line, a.version);
    const md = predicted && predictedMarkdown(predicted, predicted.notReached ? {} : predictor.explain(a.uri, predicted.line, true));
    if (md) parts.push(md);
  }
  if (run) {
    const md = runResultsMarkdown(run);
    if (md) parts.push(md);
  }
  if (parts.length === 0) return null;
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, range: at.token.range };
}

/** What an id is at its line: before the line for a use, after it for a join. */
export function describeId(a: DocAnalysis, ref: IdReference): string {
  const id = ref.id;
  const topo = ref.isJoin ? a.topologyAfter(ref.line) : a.topologyBefore(ref.line);
  const client = topo.clients.get(id);
  if (client) {
    const links = topo.liveLinkedServers(id);
    const lines = [`**client ${id}**, joined on line ${client.joinLine}` +
      (client.joinedTo !== undefined ? ` (to server ${client.joinedTo})` : '')];
    if (links.length) lines.push(`linked here to ${plural('server', links)}`);
    else lines.push(`no link to a live server here${linkLossNote(topo, client.lostLink, id)}: put and get fail`);
    return lines.join('; ');
  }
  const server = topo.servers.get(id);
  if (server) {
    if (!server.alive) {
      return `**server ${id}**, joined on line ${server.joinLine}, **dead** here (killed on line ${server.killLine ?? '?'})`;
    }
    return `**server ${id}**, joined on line ${server.joinLine}, alive; ${linksNote(topo, id)}`;
  }
  return `**${id}**: no server or client ${id} has been joined before this line`;
}

function linksNote(topo: Topology, id: number): string {
  const links = topo.linksOf(id);
  const servers = links.filter((l) => !topo.clients.has(l));
  const clients = links.filter((l) => topo.clients.has(l));
  const parts: string[] = [];
  parts.push(servers.length ? `linked to ${plural('server', servers)}` : 'linked to no other server');
  if (clients.length) parts.push(plural('client', clients));
  const linkedSet = new Set(servers);
  const cut = topo.liveServers().filter((s) => s !== id && !linkedSet.has(s));
  if (cut.length) parts.push(`cut from ${plural('server', cut)}`);
  return parts.join('; ');
}
