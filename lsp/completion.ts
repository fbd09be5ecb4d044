// Completion: command names (with snippet arguments and docs) at the start of a line; then, by
// the argument's role, the ids valid at that line, keys already written, or a fresh id.
// Cost per request: one topology lookup (a snapshot plus at most a few hundred lines of replay,
// see topologyIndex.ts) and work proportional to the ids and keys offered, never to the file.
import {
  CompletionItem, CompletionItemKind, CompletionList, InsertTextFormat, MarkupKind, Position, Range,
} from 'vscode-languageserver/node';
import { ArgRole, COMMANDS, CommandSpec, Topology, findCommand, parseId, usage } from '../language/index';
import { DocAnalysis, tokenAt } from './docAnalysis';

export const TRIGGER_CHARACTERS = [' '];

export function complete(a: DocAnalysis, p: Position): CompletionList {
  const line = a.line(p.line);
  const at = tokenAt(line, p.character);
  if (at.inComment) return { isIncomplete: false, items: [] };
  // The range the item replaces: the word under the cursor up to the cursor, or nothing.
  const replace: Range = at.token
    ? { start: at.token.range.start, end: at.token.range.end }
    : { start: p, end: p };
  if (at.index === 0) return { isIncomplete: false, items: commandItems(replace, !!line?.args.length) };
  const spec = line?.command ? findCommand(line.command.text) : undefined;
  const arg = spec?.args[at.index - 1];
  if (!spec || !arg) return { isIncomplete: false, items: [] };
  const items = argumentItems(a, p.line, spec, at.index - 1, arg.role, replace);
  return { isIncomplete: false, items };
}

function commandItems(replace: Range, hasArgs: boolean): CompletionItem[] {
  return COMMANDS.map((c, i) => ({
    label: c.name,
    kind: CompletionItemKind.Keyword,
    detail: usage(c),
    documentation: { kind: MarkupKind.Markdown, value: commandDoc(c) },
    sortText: String(i).padStart(2, '0'),
    // With arguments already on the line, only the name is replaced.
    insertTextFormat: hasArgs ? InsertTextFormat.PlainText : InsertTextFormat.Snippet,
    textEdit: { range: replace, newText: hasArgs ? c.name : c.snippet },
  }));
}

export function commandDoc(c: CommandSpec): string {
  const args = c.args.map((a) => `- \`<${a.name}>\`: ${a.doc}`).join('\n');
  return [`\`${usage(c)}\``, '', `**${c.summary}**`, '', c.doc, ...(args ? ['', args] : []), '', `Example: \`${c.example}\``].join('\n');
}

interface IdCandidate { id: number; kind: 'server' | 'client' | 'new'; note: string }

function argumentItems(a: DocAnalysis, line0: number, spec: CommandSpec, argIndex: number, role: ArgRole, replace: Range): CompletionItem[] {
  if (role === 'key') return keyItems(a, line0, replace);
  if (role === 'value' || role === 'ms') return [];
  const topo = a.topologyBefore(line0);
  let candidates: IdCandidate[] = [];
  switch (role) {
    case 'newServer': {
      const fresh = a.freshId();
      candidates.push({ id: fresh, kind: 'new', note: 'unused id: a new server' });
      for (const s of topo.servers.values()) {
        if (!s.alive) candidates.push({ id: s.id, kind: 'server', note: `killed on line ${s.killLine ?? '?'}: rejoins as a new, empty server` });
      }
      break;
    }
    case 'newClient':
      candidates.push({ id: a.freshId(), kind: 'new', note: 'unused id: a new client' });
      break;
    case 'server':
      candidates = topo.liveServers().map((s) => serverCandidate(topo, s));
      break;
    case 'client':
      candidates = [...topo.clients.keys()].sort((x, y) => x - y).map((c) => clientCandidate(topo, c));
      break;
    case 'peer': {
      const first = argIndex === 1 ? parseId(a.line(line0)?.args[0]?.text ?? '') : undefined;
      candidates = peerCandidates(topo, spec.name === 'breakConnection', first?.ok ? first.value : undefined);
      break;
    }
  }
  return candidates.map((c, i) => idItem(c, i, replace));
}

function serverCandidate(topo: Topology, s: number): IdCandidate {
  const st = topo.servers.get(s)!;
  return { id: s, kind: 'server', note: `joined on line ${st.joinLine}${st.alive ? '' : ', dead'}` };
}

function clientCandidate(topo: Topology, c: number): IdCandidate {
  const st = topo.clients.get(c)!;
  const links = topo.liveLinkedServers(c);
  const linkNote = links.length ? `linked to ${plural('server', links)}` : 'no live server (put/get would fail)';
  return { id: c, kind: 'client', note: `joined on line ${st.joinLine}, ${linkNote}` };
}

/** Peers for a connection command: the first id is any node that can have links; the second depends on it. */
function peerCandidates(topo: Topology, isBreak: boolean, first: number | undefined): IdCandidate[] {
  const live = topo.liveServers();
  const clients = [...topo.clients.keys()].sort((x, y) => x - y);
  if (first === undefined) {
    const nodes = [...live.map((s) => serverCandidate(topo, s)), ...clients.map((c) => clientCandidate(topo, c))];
    // Nothing to break for a node without links.
    return isBreak ? nodes.filter((n) => topo.linksOf(n.id).length > 0) : nodes;
  }
  const firstIsClient = topo.clients.has(first);
  const pool = [...live.map((s) => serverCandidate(topo, s)), ...(firstIsClient ? [] : clients.map((c) => clientCandidate(topo, c)))];
  return pool
    .filter((n) => n.id !== first && topo.linked(first, n.id) === isBreak)
    .map((n) => ({ ...n, note: `${isBreak ? 'linked' : 'not linked'} to ${first}; ${n.note}` }));
}

function idItem(c: IdCandidate, i: number, replace: Range): CompletionItem {
  const what = c.kind === 'new' ? 'new id' : c.kind;
  return {
    label: String(c.id),
    labelDetails: { detail: ` ${what}`, description: c.note },
    kind: c.kind === 'server' ? CompletionItemKind.Module : c.kind === 'client' ? CompletionItemKind.Variable : CompletionItemKind.Value,
    detail: c.kind === 'new' ? `${c.id}: ${c.note}` : `${c.kind} ${c.id}: ${c.note}`,
    sortText: String(i).padStart(6, '0'),
    filterText: String(c.id),
    textEdit: { range: replace, newText: String(c.id) },
  };
}

function keyItems(a: DocAnalysis, line0: number, replace: Range): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const k of a.keys()) {
    if (k.line >= line0) break; // keys() is in line order
    items.push({
      label: k.key,
      kind: CompletionItemKind.Field,
      labelDetails: { description: `written on line ${k.line + 1} by client ${k.client}` },
      detail: `key ${k.key}: first written on line ${k.line + 1} by client ${k.client}`,
      textEdit: { range: replace, newText: k.key },
    });
  }
  return items;
}

export function plural(word: string, ids: readonly number[]): string {
  return `${word}${ids.length === 1 ? '' : 's'} ${ids.join(', ')}`;
}
