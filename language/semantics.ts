import { Diagnostic, Fix, Related, makeDiagnostic } from './diagnostics';
import { deleteLineFix, insertLineBeforeEdit } from './edits';
import { ParsedLine, ParsedScript, Token } from './parser';
import { Range, range, spanRanges } from './ranges';
import { ShapedLine } from './syntax';
import type { Command } from './commands';
import { noOpOf, NoOp } from './noop';
import { LinkLoss, ScriptServer, Topology } from './topology';

/**
 * Judges one well-formed line against the cluster as the earlier lines left it. An error here is a
 * command the runtime would refuse; a no-op warning comes from noop.ts, the rule the master skips
 * commands by, and the others warn of what would fail at run time.
 */
export function checkSemantics(shaped: ShapedLine, line: ParsedLine, topo: Topology, script: ParsedScript): Diagnostic[] {
  // Most lines of a long script are stabilize/sleep or well-formed puts; skip the checker for
  // the former since nothing about them depends on the cluster (unless a server is paused).
  if ((shaped.spec.args.length === 0 && topo.paused.size === 0) || shaped.spec.name === 'sleep') return [];
  const c = new Checker(line, topo, script);
  const v = shaped.values;
  // Ids that failed to parse were already reported by syntax.ts; judge only the rest.
  const id = (i: number): number | undefined => (typeof v[i] === 'number' ? (v[i] as number) : undefined);
  switch (shaped.spec.name) {
    case 'joinServer': c.joinServer(id(0)); break;
    case 'killServer': c.killServer(id(0)); break;
    case 'joinClient': c.joinClient(id(0), id(1)); break;
    case 'breakConnection': c.connection('break', id(0), id(1)); break;
    case 'createConnection': c.connection('create', id(0), id(1)); break;
    case 'printStore': c.printStore(id(0)); break;
    case 'put': case 'get': c.clientOp(shaped.spec.name, id(0)); break;
    case 'stabilize': c.stabilize(); break;
    case 'pauseServer': c.pause('pauseServer', id(0)); break;
    case 'resumeServer': c.pause('resumeServer', id(0)); break;
    case 'delay': case 'drop': case 'duplicate': case 'heal': c.fault(v[0], v[1]); break;
    default: break;
  }
  return c.out;
}

/** The whole command on a line, for pointing back at earlier lines. */
export function lineRange(script: ParsedScript, line0: number): Range {
  const l = script.lines[line0];
  if (!l.command) return range(line0, 0, l.length);
  const last = l.args.length > 0 ? l.args[l.args.length - 1] : l.command;
  return spanRanges(l.command.range, last.range);
}

const lineNo = (line: number): string => `line ${line}`;

/** The server of a link loss, when it has joined again since: a later life that never had the link. */
function laterLife(topo: Topology, loss: LinkLoss): ScriptServer | undefined {
  const s = topo.servers.get(loss.server);
  return s && s.joinLine > loss.line ? s : undefined;
}

/**
 * Why a client has no link to a live server, as ` (...)`, or '' when it never lost one. The server
 * it lost is named by the life it had then; if that id has joined again since, the note says so
 * ("server 4 (rejoined on line 30)"), since the new server never had the link.
 */
export function linkLossNote(topo: Topology, loss: LinkLoss | undefined, client: number): string {
  if (!loss) return '';
  let why: string;
  if (loss.reason === 'killed') why = `server ${loss.server} was killed on ${lineNo(loss.line)}`;
  else if (loss.reason === 'broken') why = `its link to server ${loss.server} was broken on ${lineNo(loss.line)}`;
  else why = `it joined server ${loss.server} on ${lineNo(loss.line)}, which was already dead`;
  const s = laterLife(topo, loss);
  if (s) {
    const life = s.alive ? `rejoined on ${lineNo(s.joinLine)}` : `joined again on ${lineNo(s.joinLine)}, killed on ${lineNo(s.killLine ?? s.joinLine)}`;
    why += `; server ${s.id} (${life}) is a new server, never linked to client ${client}`;
  }
  return ` (${why})`;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

class Checker {
  readonly out: Diagnostic[] = [];

  constructor(private line: ParsedLine, private topo: Topology, private script: ParsedScript) {}

  /** The command on this line as the runtime gets it, for the shared no-op rule. */
  private noOp(cmd: DistributiveOmit<Command, 'line'>): NoOp | undefined {
    return noOpOf({ ...cmd, line: this.line.line + 1 } as Command, this.topo);
  }

  private tok(i: number): Token {
    return this.line.args[i];
  }

  private cmdName(): string {
    return this.line.command!.text;
  }

  private err(code: Diagnostic['code'], msg: string, r: Range, related: Related[] = [], fixes: Fix[] = []): void {
    this.out.push(makeDiagnostic(code, 'error', msg, r, related, fixes));
  }

  private warn(code: Diagnostic['code'], msg: string, r: Range, related: Related[] = [], fixes: Fix[] = []): void {
    this.out.push(makeDiagnostic(code, 'warning', msg, r, related, fixes));
  }

  /** Points at an earlier line, as the topology names it (1-based). */
  private at(message: string, line: number): Related {
    return { message, range: lineRange(this.script, line - 1) };
  }

  private killedAt(s: number): Related[] {
    const k = this.topo.servers.get(s)?.killLine;
    return k === undefined ? [] : [this.at(`server ${s} was killed here`, k)];
  }

  private killedNote(s: number): string {
    const k = this.topo.servers.get(s)?.killLine;
    return k === undefined ? `server ${s} is dead` : `server ${s} is dead (killed on ${lineNo(k)})`;
  }

  private unknown(i: number, id: number, fixes: Fix[] = []): void {
    this.err('unknown-id', `no server or client ${id} has been joined before this line`, this.tok(i).range, [], fixes);
  }

  /** Reports unless `id` is a joined server; returns whether it is one (dead or alive). */
  private requireServer(i: number, id: number, fixes: Fix[] = []): boolean {
    const client = this.topo.clients.get(id);
    if (client) {
      this.err('wrong-role', `${id} is a client, but ${this.cmdName()} needs a server here`, this.tok(i).range,
        [this.at(`client ${id} was joined here`, client.joinLine)]);
      return false;
    }
    if (!this.topo.servers.has(id)) {
      this.unknown(i, id, fixes);
      return false;
    }
    return true;
  }

  joinServer(s: number | undefined): void {
    if (s === undefined) return;
    const client = this.topo.clients.get(s);
    if (client) {
      this.err('id-kind-conflict', `id ${s} already names a client; servers and clients share one id space, so pick another id`,
        this.tok(0).range, [this.at(`client ${s} was joined here`, client.joinLine)]);
      return;
    }
    const server = this.topo.servers.get(s);
    if (server?.alive) {
      this.err('already-alive', `server ${s} is already alive (joined on ${lineNo(server.joinLine)}); kill it first or pick another id`,
        this.tok(0).range, [this.at(`server ${s} was joined here`, server.joinLine)]);
    }
  }

  killServer(s: number | undefined): void {
    if (s === undefined) return;
    // A client is the wrong role; an id that never joined is only a kill of nothing.
    if (this.topo.clients.has(s) && !this.requireServer(0, s)) return;
    const noOp = this.noOp({ name: 'killServer', server: s });
    if (noOp === 'kill-unknown') {
      this.warn('kill-unknown', `no server ${s} has been joined before this line; killing it does nothing`, this.tok(0).range,
        [], [deleteLineFix(this.script, this.line.line), {
          title: `Insert 'joinServer ${s}' before this line`,
          edits: [insertLineBeforeEdit(this.script, this.line.line, `joinServer ${s}`)],
        }]);
    } else if (noOp === 'kill-dead') {
      this.warn('kill-dead', `${this.killedNote(s)}; killing it again does nothing`, this.tok(0).range,
        this.killedAt(s), [deleteLineFix(this.script, this.line.line)]);
    }
  }

  joinClient(c: number | undefined, s: number | undefined): void {
    if (c !== undefined) {
      const server = this.topo.servers.get(c);
      const client = this.topo.clients.get(c);
      if (server) {
        this.err('id-kind-conflict', `id ${c} already names a server; servers and clients share one id space, so pick another id`,
          this.tok(0).range, [this.at(`server ${c} was joined here`, server.joinLine)]);
      } else if (client) {
        this.err('already-alive', `client ${c} already exists (joined on ${lineNo(client.joinLine)}); a client joins only once`,
          this.tok(0).range, [this.at(`client ${c} was joined here`, client.joinLine)]);
      }
    }
    if (s === undefined) return;
    const insert: Fix = {
      title: `Insert 'joinServer ${s}' before this line`,
      edits: [insertLineBeforeEdit(this.script, this.line.line, `joinServer ${s}`)],
    };
    if (!this.requireServer(1, s, [insert])) return;
    if (this.noOp({ name: 'joinClient', client: c ?? -1, server: s }) === 'dead-server') {
      const who = c === undefined ? 'the client' : `client ${c}`;
      this.warn('dead-server', `${this.killedNote(s)}; ${who} starts with no link, so its put and get will fail until you createConnection it to a live server`,
        this.tok(1).range, this.killedAt(s));
    }
  }

  connection(kind: 'break' | 'create', a: number | undefined, b: number | undefined): void {
    if (a === undefined || b === undefined) return;
    const both = spanRanges(this.tok(0).range, this.tok(1).range);
    if (a === b) {
      this.err('self-link', `a node cannot be linked to itself: both ids are ${a}`, both);
      return;
    }
    let known = true;
    [a, b].forEach((id, i) => {
      if (!this.topo.servers.has(id) && !this.topo.clients.has(id)) {
        // A client whose joinClient failed was reported there, once.
        if (!this.topo.brokenJoins.has(id)) this.unknown(i, id);
        known = false;
      }
    });
    if (!known) return;
    if (this.topo.clients.has(a) && this.topo.clients.has(b)) {
      this.err('client-link', `${a} and ${b} are both clients; links join a client to a server, or two servers`, both);
      return;
    }
    const deadIdx = [a, b].findIndex((id) => this.topo.servers.has(id) && !this.topo.isLiveServer(id));
    const noOp = this.noOp({ name: kind === 'create' ? 'createConnection' : 'breakConnection', a, b });
    if (kind === 'create') {
      if (noOp === 'dead-server') {
        const s = [a, b][deadIdx];
        this.warn('dead-server', `${this.killedNote(s)}; createConnection to a dead server does nothing`,
          this.tok(deadIdx).range, this.killedAt(s));
      } else if (noOp === 'already-linked') {
        const why = this.topo.clients.has(a) || this.topo.clients.has(b) ? '' : ' (a new server is linked to every live server)';
        this.warn('already-linked', `${this.describe(a)} and ${this.describe(b)} are already linked${why}; this does nothing`,
          both, [], [deleteLineFix(this.script, this.line.line)]);
      }
      return;
    }
    if (noOp !== 'not-linked') return;
    const why = deadIdx !== -1 ? `${this.killedNote([a, b][deadIdx])}, so it has no links` : `${this.describe(a)} and ${this.describe(b)} are not linked here`;
    this.warn('not-linked', `${why}; this breakConnection does nothing`, both,
      deadIdx !== -1 ? this.killedAt([a, b][deadIdx]) : [], [deleteLineFix(this.script, this.line.line)]);
  }

  printStore(s: number | undefined): void {
    if (s === undefined || !this.requireServer(0, s)) return;
    const noOp = this.noOp({ name: 'printStore', server: s });
    if (noOp === 'print-dead') {
      this.warn('print-dead', `${this.killedNote(s)}; there is no store to print`, this.tok(0).range, this.killedAt(s));
    } else if (noOp === 'paused-server') {
      this.warn('paused-server', `${this.pausedNote(s)}: a stopped server answers nothing, so this printStore prints nothing (resumeServer ${s} first)`,
        this.tok(0).range, this.pausedAt(s));
    }
  }

  private pausedNote(s: number): string {
    return `server ${s} is paused (since line ${this.topo.paused.get(s)})`;
  }

  private pausedAt(s: number): Related[] {
    const at = this.topo.paused.get(s);
    return at === undefined ? [] : [this.at(`server ${s} was paused here`, at)];
  }

  /** The explore of a stabilize would wait for a paused server, and the script with it: refused. */
  stabilize(): void {
    const paused = [...this.topo.paused.keys()].sort((a, b) => a - b);
    if (paused.length === 0) return;
    const r = this.line.command!.range;
    this.err('paused-stabilize', `${paused.length === 1 ? this.pausedNote(paused[0]) : `servers ${paused.join(', ')} are paused`}: stabilize would wait for ` +
      `${paused.length === 1 ? 'it' : 'them'} for ever; resumeServer ${paused[0]} before it`, r,
    paused.flatMap((p) => this.pausedAt(p)), [{
      title: `Insert 'resumeServer ${paused[0]}' before this line`,
      edits: [insertLineBeforeEdit(this.script, this.line.line, paused.map((p) => `resumeServer ${p}`).join(this.script.eol))],
    }]);
  }

  pause(name: 'pauseServer' | 'resumeServer', s: number | undefined): void {
    if (s === undefined || !this.requireServer(0, s)) return;
    const noOp = this.noOp({ name, server: s });
    const del = [deleteLineFix(this.script, this.line.line)];
    if (noOp === 'dead-server') {
      this.warn('dead-server', `${this.killedNote(s)}; pausing it does nothing`, this.tok(0).range, this.killedAt(s), del);
    } else if (noOp === 'already-paused') {
      this.warn('already-paused', `${this.pausedNote(s)}; pausing it again does nothing`, this.tok(0).range, this.pausedAt(s), del);
    } else if (noOp === 'not-paused') {
      const why = this.topo.isLiveServer(s) ? `server ${s} is not paused here` : `${this.killedNote(s)}, not paused`;
      this.warn('not-paused', `${why}; resuming it does nothing`, this.tok(0).range, this.killedAt(s), del);
    } else if (name === 'pauseServer' && noOp === undefined) {
      // What one paused server holds for another could not go on in script order when the other
      // is resumed first (docs/protocol.md, "Faults"): one at a time.
      const other = [...this.topo.paused.keys()].sort((a, b) => a - b)[0];
      if (other === undefined) return;
      this.err('paused-twice', `${this.pausedNote(other)}: one server is paused at a time; resumeServer ${other} before it`, this.line.command!.range,
        this.pausedAt(other), [{
          title: `Insert 'resumeServer ${other}' before this line`,
          edits: [insertLineBeforeEdit(this.script, this.line.line, `resumeServer ${other}`)],
        }]);
    }
  }

  /** The two ends of a fault: `*`, or nodes joined before this line; never one node twice, nor two clients. */
  fault(from: number | string | undefined, to: number | string | undefined): void {
    const ids: number[] = [];
    let known = true;
    [from, to].forEach((id, i) => {
      if (typeof id !== 'number') return;
      ids.push(id);
      if (!this.topo.servers.has(id) && !this.topo.clients.has(id)) {
        if (!this.topo.brokenJoins.has(id)) {
          this.err('unknown-id', `no server or client ${id} has been joined before this line; name a node that has, or * for every node`, this.tok(i).range);
        }
        known = false;
      }
    });
    if (!known || typeof from !== 'number' || typeof to !== 'number') return;
    const both = spanRanges(this.tok(0).range, this.tok(1).range);
    if (from === to) {
      this.err('self-link', `a node does not send messages to itself: both ids are ${from}`, both);
    } else if (this.topo.clients.has(from) && this.topo.clients.has(to)) {
      this.err('client-link', `${from} and ${to} are both clients, which never send each other anything`, both);
    }
  }

  clientOp(op: 'put' | 'get', c: number | undefined): void {
    if (c === undefined) return;
    const server = this.topo.servers.get(c);
    if (server) {
      this.err('wrong-role', `${c} is a server, but ${op} needs a client`, this.tok(0).range,
        [this.at(`server ${c} was joined here`, server.joinLine)]);
      return;
    }
    const client = this.topo.clients.get(c);
    // Its joinClient line has the error; every later use repeating it would bury the cause.
    if (!client && this.topo.brokenJoins.has(c)) return;
    if (!client) {
      const live = this.topo.liveServers();
      const fixes: Fix[] = live.length === 0 ? [] : [{
        title: `Insert 'joinClient ${c} ${live[0]}' before this line`,
        edits: [insertLineBeforeEdit(this.script, this.line.line, `joinClient ${c} ${live[0]}`)],
      }];
      this.err('unknown-id', `client ${c} has not been joined before this line; add 'joinClient ${c} <server>' first`,
        this.tok(0).range, [], fixes);
      return;
    }
    const linked = this.topo.liveLinkedServers(c);
    if (linked.length > 0) {
      // Every server it could ask is stopped: the command waits until one is resumed.
      if (linked.every((s) => this.topo.isPaused(s))) {
        this.warn('paused-server', `${linked.length === 1 ? this.pausedNote(linked[0]) : `the servers of client ${c} (${linked.join(', ')}) are all paused`}: ` +
          `this ${op} waits until ${linked.length === 1 ? 'it is' : 'one is'} resumed, and the script goes on meanwhile (its result comes at the resumeServer)`,
        this.tok(0).range, linked.flatMap((s) => this.pausedAt(s)));
      }
      return;
    }
    const loss = client.lostLink;
    const related = [loss && loss.reason !== 'joined-dead'
      ? this.at(`client ${c} lost its last link here`, loss.line)
      : this.at(`client ${c} was joined here`, client.joinLine)];
    const since = loss && laterLife(this.topo, loss);
    if (since) related.push(this.at(`server ${since.id} ${since.alive ? 'rejoined' : 'joined again'} here, as a new server`, since.joinLine));
    this.warn('no-server', `client ${c} has no link to a live server here${linkLossNote(this.topo, loss, c)}; this ${op} will fail`,
      this.tok(0).range, related);
  }

  private describe(id: number): string {
    return this.topo.clients.has(id) ? `client ${id}` : `server ${id}`;
  }
}
