// Completion: command names (with snippet arguments and docs) at the start of a line; then, by
// the argument's role, the ids valid at that line, keys already written, or a fresh id.
// At the start of an empty line only the commands that can be valid there are offered (nothing that
// needs a server before a live one exists, put/get only once a client exists, breakConnection only
// with a link to cut...), whatever prefix is typed; their snippets hold ids valid at that line (a
// fresh id for a join, the live servers or the clients as a choice), never a placeholder word that
// would be an error. On a line that already has arguments only the name is replaced, and every
// command is offered. See lsp/README.md.
// Cost per request: one topology lookup (a snapshot plus at most a few hundred lines of replay,
// see topologyIndex.ts) and work proportional to the ids and keys offered, never to the file.
import {
  CompletionItem, CompletionItemKind, CompletionList, InsertTextFormat, MarkupKind, Position, Range,
} from 'vscode-languageserver/node';
import { ArgRole, COMMANDS, CommandSpec, Topology, findCommand, parseId, usage } from '../language/index';
import { DocAnalysis, tokenAt } from './docAnalysis';
import { completeDirective } from './directives';

// '=' for a directive's value (`# kvcmd: protocol=`).
export const TRIGGER_CHARACTERS = [' ', '='];

export function complete(a: DocAnalysis, p: Position): CompletionList {
  const line = a.line(p.line);
  // A position outside the text (a client's mistake) completes nothing.
  if (!line) return { isIncomplete: false, items: [] };
  const at = tokenAt(line, p.character);
  if (at.inComment) return completeDirective(line, p) ?? { isIncomplete: false, items: [] };
  // The range the item replaces: the word under the cursor up to the cursor, or nothing.
  const replace: Range = at.token
    ? { start: at.token.range.start, end: at.token.range.end }
    : { start: p, end: p };
  if (at.index === 0) return { isIncomplete: false, items: commandItems(a, p.line, replace, !!line?.args.length) };
  const spec = line?.command ? findCommand(line.command.text) : undefined;
  const arg = spec?.args[at.index - 1];
  if (!spec || !arg) return { isIncomplete: false, items: [] };
  // A word that is no id (say a placeholder like `server` typed by hand) is replaced by the id
  // picked: matching on it too keeps the ids listed while it is under the cursor.
  const word = at.token && !/^[0-9]+$/.test(at.token.text) ? at.token.text : '';
  const items = argumentItems(a, p.line, spec, at.index - 1, arg.role, replace, word);
  return { isIncomplete: false, items };
}

function commandItems(a: DocAnalysis, line0: number, replace: Range, hasArgs: boolean): CompletionItem[] {
  const topo = hasArgs ? undefined : a.topologyBefore(line0);
  const items: CompletionItem[] = [];
  COMMANDS.forEach((c, i) => {
    // With arguments already on the line, only the name is replaced.
    const snippet = topo ? snippetAt(a, line0, topo, c) : c.name;
    if (snippet === undefined) return;
    items.push({
      label: c.name,
      kind: CompletionItemKind.Keyword,
      detail: usage(c),
      documentation: { kind: MarkupKind.Markdown, value: commandDoc(c) },
      sortText: String(i).padStart(2, '0'),
      insertTextFormat: hasArgs ? InsertTextFormat.PlainText : InsertTextFormat.Snippet,
      textEdit: { range: replace, newText: snippet },
    });
  });
  return items;
}

/** How many ids or keys a snippet's choice lists at most. */
const MAX_CHOICES = 20;
/** How many nodes are looked at for a pair to link or cut (a huge cluster has one among the first). */
const MAX_PAIR_SCAN = 200;

/** Placeholder `n` with the first value as its text, or a choice of all when there are several. */
function choice(n: number, values: readonly (string | number)[]): string {
  const vs = values.slice(0, MAX_CHOICES).map(String);
  if (vs.length === 1) return `\${${n}:${vs[0].replace(/[\\$}]/g, (c) => `\\${c}`)}}`;
  return `\${${n}|${vs.map((v) => v.replace(/[\\$}|,]/g, (c) => `\\${c}`)).join(',')}|}`;
}

/**
 * The snippet of a command at the start of line0, with ids valid there; undefined when the command
 * cannot be valid on that line (no live server to kill, no client to put with, no link to cut...).
 */
export function snippetAt(a: DocAnalysis, line0: number, topo: Topology, c: CommandSpec): string | undefined {
  const live = topo.liveServers();
  const clients = [...topo.clients.keys()].sort((x, y) => x - y);
  switch (c.name) {
    case 'joinServer': {
      const dead = [...topo.servers.values()].filter((s) => !s.alive).map((s) => s.id).sort((x, y) => x - y);
      return `joinServer ${choice(1, [a.freshId(), ...dead])}`;
    }
    case 'joinClient':
      return live.length ? `joinClient ${choice(1, [a.freshId()])} ${choice(2, live)}` : undefined;
    case 'killServer':
      return live.length ? `${c.name} ${choice(1, live)}` : undefined;
    case 'printStore': {
      // A paused server prints nothing (a warning): offer the others.
      const running = live.filter((s) => !topo.isPaused(s));
      return running.length ? `${c.name} ${choice(1, running)}` : undefined;
    }
    case 'stabilize':
      // Refused while a server is paused (paused-stabilize).
      return live.length && topo.paused.size === 0 ? 'stabilize' : undefined;
    case 'pauseServer': {
      // One server is paused at a time (paused-twice).
      const running = live.filter((s) => !topo.isPaused(s));
      return running.length && topo.paused.size === 0 ? `pauseServer ${choice(1, running)}` : undefined;
    }
    case 'resumeServer': {
      const paused = [...topo.paused.keys()].sort((x, y) => x - y);
      return paused.length ? `resumeServer ${choice(1, paused)}` : undefined;
    }
    case 'delay':
    case 'drop':
    case 'duplicate':
    case 'heal': {
      // A message needs a sender and a receiver: offered once two nodes are there. `*` first.
      if (live.length + clients.length < 2) return undefined;
      const nodes = ['*', ...live, ...clients];
      const tail = c.name === 'delay' ? ' ${3:100}' : c.name === 'heal' ? '' : ' ${3:0.5}';
      return `${c.name} ${choice(1, nodes)} ${choice(2, nodes)}${tail}`;
    }
    case 'put':
      return clients.length ? `put ${choice(1, clientsByLink(topo, clients))} \${2:key} \${3:value}` : undefined;
    case 'get': {
      if (!clients.length) return undefined;
      const keys: string[] = [];
      for (const k of a.keys()) {
        if (k.line >= line0 || keys.length >= MAX_CHOICES) break; // keys() is in line order
        if (!keys.includes(k.key)) keys.push(k.key);
      }
      return `get ${choice(1, clientsByLink(topo, clients))} ${keys.length ? choice(2, keys) : '${2:key}'}`;
    }
    case 'breakConnection':
    case 'createConnection': {
      const pair = pairFor(topo, live, clients, c.name === 'breakConnection');
      return pair ? `${c.name} \${1:${pair[0]}} \${2:${pair[1]}}` : undefined;
    }
    case 'sleep':
      return 'sleep ${1:100}';
  }
}

/** Clients with a live server first: a put or get of theirs succeeds. */
function clientsByLink(topo: Topology, clients: number[]): number[] {
  const linked = clients.filter((c) => topo.liveLinkedServers(c).length > 0);
  return [...linked, ...clients.filter((c) => !linked.includes(c))];
}

/** Two nodes that are linked (to cut) or can be linked (to create), if there are any. */
function pairFor(topo: Topology, live: number[], clients: number[], linked: boolean): [number, number] | undefined {
  const servers = live.slice(0, MAX_PAIR_SCAN);
  for (const c of clients.slice(0, MAX_PAIR_SCAN)) {
    for (const s of servers) if (topo.linked(c, s) === linked) return [c, s];
  }
  for (let i = 0; i < servers.length; i++) {
    for (let j = i + 1; j < servers.length; j++) if (topo.linked(servers[i], servers[j]) === linked) return [servers[i], servers[j]];
  }
  return undefined;
}

export function commandDoc(c: CommandSpec): string {
  const args = c.args.map((a) => `- \`<${a.name}>\`: ${a.doc}`).join('\n');
  return [`\`${usage(c)}\``, '', `**${c.summary}**`, '', c.doc, ...(args ? ['', args] : []), '', `Example: \`${c.example}\``].join('\n');
}

interface IdCandidate { id: number; kind: 'server' | 'client' | 'new'; note: string }

function argumentItems(a: DocAnalysis, line0: number, spec: CommandSpec, argIndex: number, role: ArgRole, replace: Range, word: string): CompletionItem[] {
  if (role === 'key') return keyItems(a, line0, replace);
  if (role === 'value' || role === 'ms' || role === 'probability') return [];
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
      // pauseServer takes a running server, resumeServer a paused one; the others any live server.
      candidates = topo.liveServers()
        .filter((s) => spec.name === 'resumeServer' ? topo.isPaused(s) : spec.name === 'pauseServer' ? !topo.isPaused(s) : true)
        .map((s) => serverCandidate(topo, s));
      break;
    case 'node':
      candidates = [...topo.liveServers().map((s) => serverCandidate(topo, s)),
        ...[...topo.clients.keys()].sort((x, y) => x - y).map((c) => clientCandidate(topo, c))];
      return [everyNodeItem(replace), ...candidates.map((c, i) => idItem(c, i + 1, replace, word))];
    case 'client':
      candidates = [...topo.clients.keys()].sort((x, y) => x - y).map((c) => clientCandidate(topo, c));
      break;
    case 'peer': {
      const first = argIndex === 1 ? parseId(a.line(line0)?.args[0]?.text ?? '') : undefined;
      candidates = peerCandidates(topo, spec.name === 'breakConnection', first?.ok ? first.value : undefined);
      break;
    }
  }
  return candidates.map((c, i) => idItem(c, i, replace, word));
}

function serverCandidate(topo: Topology, s: number): IdCandidate {
  const st = topo.servers.get(s)!;
  const paused = topo.paused.get(s);
  return { id: s, kind: 'server', note: `joined on line ${st.joinLine}${st.alive ? '' : ', dead'}${paused === undefined ? '' : `, paused on line ${paused}`}` };
}

/** `*` for a fault's end: every node, present and to come. */
function everyNodeItem(replace: Range): CompletionItem {
  return {
    label: '*',
    labelDetails: { detail: ' every node', description: 'any sender or receiver, present and to come' },
    kind: CompletionItemKind.Operator,
    detail: '*: every node',
    sortText: '000000',
    textEdit: { range: replace, newText: '*' },
  };
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

function idItem(c: IdCandidate, i: number, replace: Range, word: string): CompletionItem {
  const what = c.kind === 'new' ? 'new id' : c.kind;
  return {
    label: String(c.id),
    labelDetails: { detail: ` ${what}`, description: c.note },
    kind: c.kind === 'server' ? CompletionItemKind.Module : c.kind === 'client' ? CompletionItemKind.Variable : CompletionItemKind.Value,
    detail: c.kind === 'new' ? `${c.id}: ${c.note}` : `${c.kind} ${c.id}: ${c.note}`,
    sortText: String(i).padStart(6, '0'),
    filterText: `${word}${c.id}`,
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
