import type { Command } from './commands';
import type { LinkView } from './noop';

// Lines are 1-based, as in `Command.line`: the topology is built from commands.

/** A server as the script declares it: joined on a line, perhaps killed on a later one. */
export interface ScriptServer { id: number; alive: boolean; joinLine: number; killLine?: number }

/** Why a client last went from "has a live server" to "has none"; used to explain `no-server`. */
export interface LinkLoss { line: number; server: number; reason: 'killed' | 'broken' | 'joined-dead' }

/** A client as the script declares it: joined on a line to a server, and how it last lost its links. */
export interface ScriptClient { id: number; joinLine: number; joinedTo?: number; lostLink?: LinkLoss }

/**
 * The cluster as the script leaves it after each command. Servers are fully meshed when they
 * join, so server-server links are stored as the set of *cut* pairs: joining the n-th server
 * then costs O(1) instead of O(n), which keeps a 20,000-line script linear.
 * Invariant: links only ever join live nodes (killing a server drops all its links, and
 * linking to a dead server is a no-op).
 */
export class Topology implements LinkView {
  servers = new Map<number, ScriptServer>();
  clients = new Map<number, ScriptClient>();
  /**
   * Ids whose `joinClient` line had an error elsewhere than on the id (a server that does not
   * exist, a malformed server id), by that line. The error there is the one report: later lines use
   * the id as that client without more errors. Not a client (no links, the id stays free to join).
   */
  brokenJoins = new Map<number, number>();
  /** Live servers that are paused (pauseServer), with the 1-based line that paused each. */
  paused = new Map<number, number>();
  /** Server-server pairs that are cut, both directions stored. */
  private cuts = new Map<number, Set<number>>();
  /** Client -> linked servers, and the reverse, for cheap kills. */
  private clientLinks = new Map<number, Set<number>>();
  private serverClients = new Map<number, Set<number>>();

  isClient(id: number): boolean {
    return this.clients.has(id);
  }

  hasJoinedServer(id: number): boolean {
    return this.servers.has(id);
  }

  isLiveServer(id: number): boolean {
    return this.servers.get(id)?.alive === true;
  }

  isPaused(id: number): boolean {
    return this.paused.has(id);
  }

  linked(a: number, b: number): boolean {
    if (a === b) return false;
    if (this.clients.has(a)) return this.clientLinks.get(a)?.has(b) === true;
    if (this.clients.has(b)) return this.clientLinks.get(b)?.has(a) === true;
    return this.isLiveServer(a) && this.isLiveServer(b) && this.cuts.get(a)?.has(b) !== true;
  }

  linksOf(id: number): number[] {
    let out: number[];
    if (this.clients.has(id)) {
      out = [...(this.clientLinks.get(id) ?? [])];
    } else if (this.isLiveServer(id)) {
      const cut = this.cuts.get(id);
      out = this.liveServers().filter((s) => s !== id && cut?.has(s) !== true);
      out.push(...(this.serverClients.get(id) ?? []));
    } else {
      out = [];
    }
    return out.sort((x, y) => x - y);
  }

  liveServers(): number[] {
    const out: number[] = [];
    for (const s of this.servers.values()) if (s.alive) out.push(s.id);
    return out.sort((x, y) => x - y);
  }

  liveLinkedServers(client: number): number[] {
    // Links only join live nodes (see the class comment), so no alive filter is needed.
    return [...(this.clientLinks.get(client) ?? [])].sort((x, y) => x - y);
  }

  /** Applies a command that the analyzer accepted (possibly with a warning, which makes it a no-op). */
  apply(cmd: Command): void {
    switch (cmd.name) {
      case 'joinServer': return this.joinServer(cmd.server, cmd.line);
      case 'killServer': return this.killServer(cmd.server, cmd.line);
      case 'joinClient': return this.joinClient(cmd.client, cmd.server, cmd.line);
      case 'breakConnection': return this.unlink(cmd.a, cmd.b, cmd.line);
      case 'createConnection': return this.link(cmd.a, cmd.b);
      case 'pauseServer':
        if (this.isLiveServer(cmd.server) && !this.paused.has(cmd.server)) this.paused.set(cmd.server, cmd.line);
        return;
      case 'resumeServer':
        this.paused.delete(cmd.server);
        return;
      default: return;
    }
  }

  /** Records a `joinClient` of `id` on `line` (1-based) that had an error; see `brokenJoins`. */
  markBrokenJoin(id: number, line: number): void {
    if (!this.clients.has(id) && !this.servers.has(id)) this.brokenJoins.set(id, line);
  }

  clone(): Topology {
    const t = new Topology();
    for (const [k, v] of this.brokenJoins) t.brokenJoins.set(k, v);
    for (const [k, v] of this.paused) t.paused.set(k, v);
    for (const [k, v] of this.servers) t.servers.set(k, { ...v });
    for (const [k, v] of this.clients) t.clients.set(k, { ...v, lostLink: v.lostLink && { ...v.lostLink } });
    for (const [k, v] of this.cuts) t.cuts.set(k, new Set(v));
    for (const [k, v] of this.clientLinks) t.clientLinks.set(k, new Set(v));
    for (const [k, v] of this.serverClients) t.serverClients.set(k, new Set(v));
    return t;
  }

  private joinServer(id: number, line: number): void {
    if (this.isLiveServer(id) || this.clients.has(id)) return;
    // A rejoined server is new: it starts meshed with every live server, so old cuts go.
    this.dropCuts(id);
    this.brokenJoins.delete(id);
    this.servers.set(id, { id, alive: true, joinLine: line });
  }

  private killServer(id: number, line: number): void {
    const s = this.servers.get(id);
    if (!s || !s.alive) return;
    s.alive = false;
    s.killLine = line;
    this.paused.delete(id);
    this.dropCuts(id);
    for (const c of this.serverClients.get(id) ?? []) {
      const links = this.clientLinks.get(c)!;
      links.delete(id);
      if (links.size === 0) this.clients.get(c)!.lostLink = { line, server: id, reason: 'killed' };
    }
    this.serverClients.delete(id);
  }

  private joinClient(id: number, server: number, line: number): void {
    if (this.clients.has(id) || this.servers.has(id)) return;
    this.brokenJoins.delete(id);
    const state: ScriptClient = { id, joinLine: line, joinedTo: server };
    this.clients.set(id, state);
    this.clientLinks.set(id, new Set());
    if (this.isLiveServer(server)) this.addClientLink(id, server);
    else state.lostLink = { line, server, reason: 'joined-dead' };
  }

  private link(a: number, b: number): void {
    if (a === b) return;
    if (this.clients.has(a) || this.clients.has(b)) {
      const [c, s] = this.clients.has(a) ? [a, b] : [b, a];
      if (this.clients.has(s) || !this.isLiveServer(s)) return;
      this.addClientLink(c, s);
      return;
    }
    if (!this.isLiveServer(a) || !this.isLiveServer(b)) return;
    this.cuts.get(a)?.delete(b);
    this.cuts.get(b)?.delete(a);
  }

  private unlink(a: number, b: number, line: number): void {
    if (!this.linked(a, b)) return;
    if (this.clients.has(a) || this.clients.has(b)) {
      const [c, s] = this.clients.has(a) ? [a, b] : [b, a];
      const links = this.clientLinks.get(c)!;
      links.delete(s);
      this.serverClients.get(s)?.delete(c);
      if (links.size === 0) this.clients.get(c)!.lostLink = { line, server: s, reason: 'broken' };
      return;
    }
    this.addCut(a, b);
    this.addCut(b, a);
  }

  private addClientLink(c: number, s: number): void {
    this.clientLinks.get(c)!.add(s);
    let set = this.serverClients.get(s);
    if (!set) this.serverClients.set(s, (set = new Set()));
    set.add(c);
  }

  private addCut(a: number, b: number): void {
    let set = this.cuts.get(a);
    if (!set) this.cuts.set(a, (set = new Set()));
    set.add(b);
  }

  private dropCuts(id: number): void {
    for (const other of this.cuts.get(id) ?? []) this.cuts.get(other)?.delete(id);
    this.cuts.delete(id);
  }
}

/** The cluster just before a line, by replaying the accepted commands above it. */
export function topologyBefore(commands: readonly Command[], line: number): Topology {
  const t = new Topology();
  for (const cmd of commands) {
    if (cmd.line >= line) break;
    t.apply(cmd);
  }
  return t;
}
