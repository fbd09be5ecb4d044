// Document symbols: the cluster's topology as an outline. One entry per node lifetime (a server
// killed and joined again gets one per life), with what happened to it as children: kills, cut and
// restored links, clients joining it. Every symbol's range is its own line: a node's is its join
// line, an event's the line of the command. A node's range does not span its life, because editors
// read a range as "the cursor is inside this symbol": the breadcrumb, sticky scroll and the count of
// problems per symbol would then all name the first server on every line below its join. (Children
// therefore lie outside their parent's range; the outline shows them under it all the same.)
import { DocumentSymbol, SymbolKind } from 'vscode-languageserver/node';
import { lineRange } from '../language/index';
import type { DocAnalysis } from './docAnalysis';

interface Life { symbol: DocumentSymbol; children: DocumentSymbol[]; killed: boolean; id: number }

export function documentSymbols(a: DocAnalysis): DocumentSymbol[] {
  const script = a.script;
  const lives: Life[] = [];
  const current = new Map<number, Life>();
  const seenServers = new Set<number>();
  // The whole line (a trailing comment included): the cursor anywhere on it is on the symbol.
  const wholeLine = (line0: number) => ({ start: { line: line0, character: 0 }, end: { line: line0, character: script.lines[line0].length } });
  const event = (name: string, line0: number, kind: SymbolKind = SymbolKind.Event): DocumentSymbol =>
    ({ name, kind, range: wholeLine(line0), selectionRange: lineRange(script, line0) });
  const add = (id: number, child: DocumentSymbol): void => {
    const life = current.get(id);
    if (life && !life.killed) life.children.push(child);
  };
  for (const cmd of a.analysis.commands) {
    const line0 = cmd.line - 1;
    const args = script.lines[line0].args;
    switch (cmd.name) {
      case 'joinServer':
      case 'joinClient': {
        const id = cmd.name === 'joinServer' ? cmd.server : cmd.client;
        const isServer = cmd.name === 'joinServer';
        const rejoin = isServer && seenServers.has(id);
        if (isServer) seenServers.add(id);
        const life: Life = {
          symbol: {
            name: isServer ? `server ${id}` : `client ${id}`,
            detail: isServer ? (rejoin ? `rejoined on line ${cmd.line}` : `joined on line ${cmd.line}`) : `joined on line ${cmd.line} to server ${cmd.server}`,
            kind: isServer ? SymbolKind.Class : SymbolKind.Variable,
            range: wholeLine(line0),
            selectionRange: args[0].range,
          },
          children: [],
          killed: false,
          id,
        };
        lives.push(life);
        current.set(id, life);
        if (cmd.name === 'joinClient') add(cmd.server, event(`client ${id} joined`, line0, SymbolKind.Variable));
        break;
      }
      case 'killServer': {
        const life = current.get(cmd.server);
        if (!life || life.killed) break;
        life.killed = true;
        life.children.push(event('killed', line0));
        life.symbol.detail += `, killed on line ${cmd.line}`;
        break;
      }
      case 'breakConnection':
      case 'createConnection': {
        const verb = cmd.name === 'breakConnection' ? 'cut' : 'linked';
        add(cmd.a, event(`${verb} ${cmd.b}`, line0));
        add(cmd.b, event(`${verb} ${cmd.a}`, line0));
        break;
      }
      default:
        break;
    }
  }
  const end = a.analysis.finalTopology;
  for (const life of lives) {
    const s = life.symbol;
    const id = life.id;
    if (s.kind === SymbolKind.Class && !life.killed) {
      const links = end.linksOf(id);
      s.detail += links.length ? `; at the end linked to ${links.join(', ')}` : '; at the end linked to nobody';
    } else if (s.kind === SymbolKind.Variable) {
      const links = end.liveLinkedServers(id);
      s.detail += links.length ? `; at the end linked to server${links.length > 1 ? 's' : ''} ${links.join(', ')}` : '; at the end no live server';
    }
    if (life.children.length) s.children = life.children;
  }
  return lives.map((l) => l.symbol);
}
