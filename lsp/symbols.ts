// Document symbols: the cluster's topology as an outline. One entry per node lifetime (a server
// killed and joined again gets one per life), from its join line to its kill line (or the end),
// with what happened to it as children: kills, cut and restored links, clients joining it.
import { DocumentSymbol, SymbolKind } from 'vscode-languageserver/node';
import { Range, lineRange } from '../language/index';
import type { DocAnalysis } from './docAnalysis';

interface Life { symbol: DocumentSymbol; children: DocumentSymbol[]; killed: boolean; id: number }

export function documentSymbols(a: DocAnalysis): DocumentSymbol[] {
  const script = a.script;
  const lastLine = script.lineCount - 1;
  const docEnd = { line: lastLine, character: script.lines[lastLine].length };
  const lives: Life[] = [];
  const current = new Map<number, Life>();
  const seenServers = new Set<number>();
  const event = (name: string, line0: number, kind: SymbolKind = SymbolKind.Event): DocumentSymbol => {
    const r = lineRange(script, line0);
    return { name, kind, range: r, selectionRange: r };
  };
  const add = (id: number, child: DocumentSymbol): void => {
    const life = current.get(id);
    if (life && !life.killed) {
      life.children.push(child);
      life.symbol.range = { start: life.symbol.range.start, end: maxEnd(life.symbol.range, child.range) };
    }
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
            range: { start: { line: line0, character: 0 }, end: docEnd },
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
        life.symbol.range = { start: life.symbol.range.start, end: lineRange(script, line0).end };
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

function maxEnd(a: Range, b: Range): Range['end'] {
  return a.end.line > b.end.line || (a.end.line === b.end.line && a.end.character >= b.end.character) ? a.end : b.end;
}
