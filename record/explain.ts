// Why a run did what it did, from its record alone: for every `get`, the write it returned (a stamp
// names one write for ever) and the way that write reached the answering server; for ERR_DEP, the
// line that set the client's dependency and where that write was; for a stale read or ERR_KEY, the
// newer write that existed elsewhere and why it had not arrived (a cut link, a kill, gossip off, a
// message still in flight, a server that joined later). Also each printStore, each put (which
// servers it reached and how) and, per server and key, every write that arrived or lost.
//
// Pure: events in, plain data out (lines and sentences). The hover and the inlay hints render it.
// It replays the events through the same ClusterState the views use and re-implements no protocol
// rule: stores change only through `applied` events. An untraced record (no message events, no
// `applied`) still gets the returned write and its line, but no path.
import type { ApplyVia, GetResult, GossipMode, NodeId, Stamp } from '../protocol/messages';
import { formatStamp, sameStamp, writeKey } from '../protocol/stamp';
import { Scheme, schemeOf } from '../protocol/schemes';
import { isProtocolName } from '../protocol/messages';
import { compareKeys } from '../protocol/store';
import { ClusterState } from './clusterState';
import type { ClusterEvent, EventOf } from './events';

/** A write as the script made it: the put's line and client, and the stamp its server gave it. */
export interface WriteRef {
  line: number;
  client: NodeId;
  key: string;
  value: string;
  stamp: Stamp;
  /** The server that applied the put. */
  server: NodeId;
}

/** One server keeping a write: how (`via`), from whom, and the line whose messages carried it. */
export interface Hop {
  server: NodeId;
  via: ApplyVia;
  /** The client (via put), the sending server (gossip), or the group's root (stabilize; itself for the root). */
  from: NodeId;
  line: number;
  /** Short form for a path: `server 1 (gossip from 0, line 8)`. */
  text: string;
}

/** Why a write had not reached a server at some moment. Each names the lines involved. */
export type Reason =
  | { kind: 'cut'; a: NodeId; b: NodeId; line: number; restoredLine?: number; text: string }
  | { kind: 'killed'; server: NodeId; line: number; role: 'holder' | 'bridge'; text: string }
  | { kind: 'gossipOff'; stabilizeLines: number[]; text: string }
  // `faultLine`: the delay command that held it back, if one did.
  | { kind: 'inFlight'; msg: string; from: NodeId; to: NodeId; line: number; faultLine?: number; text: string }
  // The network dropped a message of its flood (a `drop` fault, on `faultLine`).
  | { kind: 'dropped'; msg: string; from: NodeId; to: NodeId; line: number; faultLine?: number; text: string }
  | { kind: 'joinedLater'; server: NodeId; line: number; text: string }
  | { kind: 'unknown'; text: string };

/** A write the answering server lacked at that moment, where it was, and why it was not there. */
export interface Missing {
  stamp: Stamp;
  write?: WriteRef;
  /** Live servers holding exactly this write at that moment. */
  holders: NodeId[];
  reasons: Reason[];
}

export interface GetExplanation {
  line: number;
  client: NodeId;
  key: string;
  outcome: 'value' | 'ERR_KEY' | 'ERR_DEP' | 'failed';
  server?: NodeId;
  result?: GetResult;
  /** Why the get failed (no server answered). */
  failure?: string;
  /** The put that wrote the returned value. */
  write?: WriteRef;
  /** How that write reached the answering server, from the put's server to it (empty when untraced). */
  path: Hop[];
  /** ERR_DEP: the client's dependency, the line that set it and where that write was. */
  dependency?: { stamp: Stamp; line?: number; write?: WriteRef; held: Stamp | null; missing: Missing };
  /** Newer writes of the key that existed elsewhere at that moment (value or ERR_KEY). */
  newer: Missing[];
  /** One line for an inlay hint: `→ color:blue (2,3) from server 0`. */
  hint: string;
  /** Sentences, in order, for a hover. */
  text: string[];
  /** Every script line the explanation names, ascending. */
  lines: number[];
}

export interface StoreEntryExplanation {
  key: string;
  value: string;
  stamp: Stamp;
  write?: WriteRef;
  /** How the printed server got it, when the record says. */
  arrival?: { via: ApplyVia; from: NodeId; line: number };
  text: string;
}

export interface StoreExplanation {
  line: number;
  server: NodeId;
  entries: StoreEntryExplanation[];
  hint: string;
  text: string[];
}

export interface WriteExplanation {
  line: number;
  client: NodeId;
  key: string;
  value: string;
  /** Set unless the put failed. */
  write?: WriteRef;
  failure?: string;
  /** Every server that kept it, in the order they did. */
  reached: Hop[];
  /** Servers it reached by gossip that already held a newer write (last-writer-wins). */
  dropped: { server: NodeId; line: number; held: Stamp }[];
  /** Servers that held it when they were killed. */
  erased: { server: NodeId; line: number }[];
  /** Live servers still holding it when the run ended. */
  heldAtEnd: NodeId[];
  text: string[];
}

export interface HistoryEntry {
  line: number;
  kind: 'applied' | 'dropped' | 'erased';
  stamp?: Stamp;
  value?: string;
  via?: ApplyVia;
  from?: NodeId;
  write?: WriteRef;
  /** dropped: the newer stamp the server held. */
  held?: Stamp;
  text: string;
}

/** Everything that happened to one key on one server, in order. */
export interface KeyHistory {
  server: NodeId;
  key: string;
  entries: HistoryEntry[];
}

export interface RunExplanation {
  gossip?: GossipMode;
  /** By 1-based script line. */
  gets: Map<number, GetExplanation>;
  stores: Map<number, StoreExplanation>;
  writes: Map<number, WriteExplanation>;
  /** Per server and key, sorted by server then key. */
  history: KeyHistory[];
}

export interface ExplainOptions {
  /** The run's gossip mode, when the events lack `runStarted` (the extension pushes line-tied events only). */
  gossip?: GossipMode | string;
  /** The run's protocol, likewise (the default when absent). */
  protocol?: string;
}

interface AppliedAt {
  index: number;
  node: NodeId;
  via: ApplyVia;
  from: NodeId;
  line: number;
}

interface Kill {
  server: NodeId;
  line: number;
  index: number;
  /** Servers it was linked to just before. */
  links: NodeId[];
}

interface Cut { a: NodeId; b: NodeId; line: number }

/** The cluster's shape when a write was made: which group each live server was in, and the cut links. */
interface WriteContext {
  groupOf: Map<NodeId, number>;
  cuts: Cut[];
}

const pairKey = (a: NodeId, b: NodeId): string => (a < b ? `${a}-${b}` : `${b}-${a}`);
const MAX_HINT_VALUE = 40;

function clip(s: string, max = MAX_HINT_VALUE): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function servers(ids: readonly NodeId[]): string {
  return ids.length === 1 ? `server ${ids[0]}` : `servers ${ids.join(', ')}`;
}

function isGossipMode(s: string | undefined): s is GossipMode {
  return s === 'settled' || s === 'async' || s === 'off';
}

export function hopText(h: Omit<Hop, 'text'>): string {
  switch (h.via) {
    case 'put': return `server ${h.server} (put by client ${h.from}, line ${h.line})`;
    case 'gossip': return `server ${h.server} (gossip from ${h.from}, line ${h.line})`;
    case 'stabilize':
      return h.from === h.server
        ? `server ${h.server} (stabilize on line ${h.line}, gathered as root of its group)`
        : `server ${h.server} (stabilize on line ${h.line}, installed from ${h.from})`;
  }
}

export function writeText(w: WriteRef): string {
  return `the put on line ${w.line} (client ${w.client}, ${w.key}=${w.value}, stamp ${formatStamp(w.stamp)})`;
}

/** Explains a run from its events (in record order; `runStarted`, `runFinished` and message events optional). */
export function explainRun(events: readonly ClusterEvent[], options: ExplainOptions = {}): RunExplanation {
  return new Explainer(events, options).run();
}

class Explainer {
  private readonly state = new ClusterState();
  private gossip: GossipMode | undefined;
  /** Every write by stamp (first pass), and where it was made in the record. */
  private readonly writes = new Map<string, WriteRef>();
  private readonly created = new Map<string, number>();
  private readonly applied = new Map<string, AppliedAt[]>();
  /** Per server, the indexes at which it (re)started. */
  private readonly starts = new Map<NodeId, number[]>();
  private readonly kills: Kill[] = [];
  private readonly cuts = new Map<string, Cut>();
  private readonly restored = new Map<string, number>();
  private readonly stabilizes: { line: number; index: number }[] = [];
  /** gossip, spread and gossipAck messages sent and not yet delivered or lost, by the write they flood. */
  private readonly inFlight = new Map<string, Map<string, EventOf<'send'>>>();
  private readonly gossipSends = new Map<string, { send: EventOf<'send'>; stamp: Stamp }>();
  /** The write each gossip or spread message carried, by message id (to tie acks to it). */
  private readonly floodOf = new Map<string, Stamp>();
  private readonly contexts = new Map<string, WriteContext>();
  /** The newest write of each key made so far in the replay. */
  private readonly newestMade = new Map<string, Stamp>();
  private readonly pendingGets = new Map<string, GetExplanation>();
  private readonly histories = new Map<string, KeyHistory>();
  private readonly dropped = new Map<string, { server: NodeId; line: number; held: Stamp }[]>();
  /** Flood messages the network dropped, by the write they carried (faults). */
  private readonly droppedFloods = new Map<string, { send: EventOf<'send'>; faultLine?: number }[]>();
  /** Fault commands so far, in order, and the servers paused now (with the line that paused each). */
  private readonly faults: EventOf<'fault'>[] = [];
  private readonly paused = new Map<NodeId, number>();
  private readonly erased = new Map<string, { server: NodeId; line: number }[]>();
  private readonly out: RunExplanation = { gets: new Map(), stores: new Map(), writes: new Map(), history: [] };

  /** How the run ordered writes: its runStarted says, or the options (the editor's line-tied events have none). */
  private scheme: Scheme;

  constructor(private readonly events: readonly ClusterEvent[], options: ExplainOptions) {
    if (isGossipMode(options.gossip)) this.gossip = options.gossip;
    this.scheme = schemeOf(isProtocolName(options.protocol) ? options.protocol : undefined);
  }

  run(): RunExplanation {
    this.index();
    this.events.forEach((e, i) => this.step(e, i));
    for (const w of this.out.writes.values()) this.finishWrite(w);
    this.out.gossip = this.gossip;
    this.out.history = [...this.histories.values()].sort((a, b) => a.server - b.server || compareKeys(a.key, b.key));
    return this.out;
  }

  /** First pass: every write by its stamp (a get may return a write whose put event comes later in async runs). */
  private index(): void {
    this.events.forEach((e, i) => {
      if (e.type === 'runStarted' && !this.gossip) this.gossip = e.gossip;
      if (e.type === 'runStarted' && e.protocol) this.scheme = schemeOf(e.protocol);
      if (e.type === 'put') {
        const k = writeKey(e.stamp);
        this.writes.set(k, { line: e.line, client: e.client, key: e.key, value: e.value, stamp: e.stamp, server: e.server });
        if (!this.created.has(k)) this.created.set(k, i);
      } else if (e.type === 'applied' && e.via === 'put') {
        const k = writeKey(e.stamp);
        if (!this.writes.has(k)) this.writes.set(k, { line: e.line, client: e.from, key: e.key, value: e.value, stamp: e.stamp, server: e.node });
        const at = this.created.get(k);
        if (at === undefined || i < at) this.created.set(k, i);
      }
    });
  }

  private step(e: ClusterEvent, i: number): void {
    switch (e.type) {
      case 'nodeStarted':
        if (e.role === 'server') {
          let list = this.starts.get(e.id);
          if (!list) this.starts.set(e.id, (list = []));
          list.push(i);
        }
        break;
      case 'nodeKilled': {
        const s = this.state.servers.get(e.id);
        if (s) {
          this.kills.push({ server: e.id, line: e.line, index: i, links: [...s.links].filter((n) => this.state.servers.has(n)) });
          for (const entry of s.store.values()) {
            const k = writeKey(entry.stamp);
            let list = this.erased.get(k);
            if (!list) this.erased.set(k, (list = []));
            list.push({ server: e.id, line: e.line });
            this.historyOf(e.id, entry.key).entries.push({
              line: e.line, kind: 'erased', stamp: entry.stamp, value: entry.value, write: this.writes.get(k),
              text: `line ${e.line}: lost ${entry.key}=${entry.value} ${formatStamp(entry.stamp)}: server ${e.id} was killed`,
            });
          }
        }
        break;
      }
      case 'linkCut':
        if (this.isServer(e.a) && this.isServer(e.b)) {
          this.cuts.set(pairKey(e.a, e.b), { a: Math.min(e.a, e.b), b: Math.max(e.a, e.b), line: e.line });
          this.restored.delete(pairKey(e.a, e.b));
        }
        break;
      case 'linkCreated':
        if (this.cuts.delete(pairKey(e.a, e.b))) this.restored.set(pairKey(e.a, e.b), e.line);
        break;
      case 'stabilizeBegun':
        this.stabilizes.push({ line: e.line, index: i });
        break;
      case 'fault':
        this.faults.push(e);
        break;
      case 'serverPaused':
        this.paused.set(e.server, e.line);
        break;
      case 'serverResumed':
        this.paused.delete(e.server);
        break;
      case 'send': {
        // A flood's messages: gossip and spread carry the write, an ack answers one of them.
        const stamp = (e.kind === 'gossip' || e.kind === 'spread') ? e.body.stamp
          : e.kind === 'gossipAck' && e.re ? this.floodOf.get(e.re) : undefined;
        if (stamp) {
          if (e.kind !== 'gossipAck') this.floodOf.set(e.msg, stamp);
          this.gossipSends.set(e.msg, { send: e, stamp });
          const k = writeKey(stamp);
          let m = this.inFlight.get(k);
          if (!m) this.inFlight.set(k, (m = new Map()));
          m.set(e.msg, e);
        } else if (e.kind === 'getReply' && e.body.result && e.body.key !== undefined) {
          // The moment the server answered: explain against the cluster as it was then.
          this.pendingGets.set(`${e.line}:${e.step}`, this.explainGet(e.line, e.to, e.body.key, e.from, e.body.result, i));
        }
        break;
      }
      case 'deliver':
      case 'lost': {
        const sent = this.gossipSends.get(e.msg);
        if (sent) {
          this.gossipSends.delete(e.msg);
          this.inFlight.get(writeKey(sent.stamp))?.delete(e.msg);
          if (e.type === 'deliver' && sent.send.kind === 'gossip') this.noteDelivery(sent.send, e.node, e.line);
          if (e.type === 'lost' && e.reason === 'dropped') {
            const k = writeKey(sent.stamp);
            let list = this.droppedFloods.get(k);
            if (!list) this.droppedFloods.set(k, (list = []));
            list.push({ send: sent.send, faultLine: this.faultLine('drop', sent.send.from, sent.send.to) });
          }
        }
        break;
      }
      case 'applied': {
        const k = writeKey(e.stamp);
        let list = this.applied.get(k);
        if (!list) this.applied.set(k, (list = []));
        const at: AppliedAt = { index: i, node: e.node, via: e.via, from: e.from, line: e.line };
        list.push(at);
        if (e.via === 'put') this.made(e.key, e.stamp);
        this.historyOf(e.node, e.key).entries.push({
          line: e.line, kind: 'applied', stamp: e.stamp, value: e.value, via: e.via, from: e.from, write: this.writes.get(k),
          text: `line ${e.line}: ${e.key}=${e.value} ${formatStamp(e.stamp)} ${arrivalText(e.via, e.from, e.node, e.line)}`,
        });
        break;
      }
      case 'put': {
        const k = writeKey(e.stamp);
        this.made(e.key, e.stamp);
        this.out.writes.set(e.line, {
          line: e.line, client: e.client, key: e.key, value: e.value, write: this.writes.get(k),
          reached: [], dropped: [], erased: [], heldAtEnd: [], text: [],
        });
        break;
      }
      case 'get': {
        const key = `${e.line}:${e.step}`;
        const g = this.pendingGets.get(key) ?? this.explainGet(e.line, e.client, e.key, e.server, e.result, i);
        this.pendingGets.delete(key);
        this.out.gets.set(e.line, g);
        break;
      }
      case 'failed':
        if (e.op === 'get') {
          this.out.gets.set(e.line, {
            line: e.line, client: e.client, key: e.key, outcome: 'failed', failure: e.reason, path: [], newer: [],
            hint: `→ failed: ${e.reason}`, text: [`The get by client ${e.client} failed: ${e.reason}.`], lines: [e.line],
          });
        } else {
          this.out.writes.set(e.line, {
            line: e.line, client: e.client, key: e.key, value: '', failure: e.reason,
            reached: [], dropped: [], erased: [], heldAtEnd: [], text: [`The put by client ${e.client} failed: ${e.reason}.`],
          });
        }
        break;
      case 'storePrinted':
        this.out.stores.set(e.line, this.explainStore(e));
        break;
      default:
        break;
    }
    this.state.apply(e);
  }

  /** A write came into being (its put applied): remember the cluster's shape and the newest write of the key. */
  private made(key: string, stamp: Stamp): void {
    const k = writeKey(stamp);
    if (this.contexts.has(k)) return;
    this.contexts.set(k, this.context());
    const newest = this.newestMade.get(key);
    if (!newest || this.scheme.compare(stamp, newest) > 0) this.newestMade.set(key, stamp);
  }

  /** Whether `server` was dead (killed and not joined again) at index `at`. */
  private deadAt(server: NodeId, at: number): boolean {
    let kill = -1;
    for (const x of this.kills) if (x.server === server && x.index < at) kill = x.index;
    return kill > this.startBefore(server, at);
  }

  private isServer(id: NodeId): boolean {
    return this.state.servers.has(id);
  }

  private historyOf(server: NodeId, key: string): KeyHistory {
    const k = `${server}\u0000${key}`;
    let h = this.histories.get(k);
    if (!h) this.histories.set(k, (h = { server, key, entries: [] }));
    return h;
  }

  /** A gossip delivered to a server that already held a newer stamp: it lost by last-writer-wins. */
  private noteDelivery(sent: EventOf<'send'>, node: NodeId, line: number): void {
    const { key, stamp, value } = sent.body;
    if (key === undefined || !stamp) return;
    const held = this.state.servers.get(node)?.store.get(key);
    if (!held || this.scheme.compare(held.stamp, stamp) <= 0) return;
    const k = writeKey(stamp);
    let list = this.dropped.get(k);
    if (!list) this.dropped.set(k, (list = []));
    list.push({ server: node, line, held: held.stamp });
    this.historyOf(node, key).entries.push({
      line, kind: 'dropped', stamp, value, from: sent.from, held: held.stamp, write: this.writes.get(k),
      text: `line ${line}: ${key}=${value ?? '?'} ${formatStamp(stamp)} arrived by gossip from ${sent.from} and lost to the newer ${formatStamp(held.stamp)} it held`,
    });
  }

  /** The line of the latest fault command of `kind` still in force on `from` → `to` (a heal ends it). */
  private faultLine(kind: 'delay' | 'drop', from: NodeId, to: NodeId): number | undefined {
    for (let i = this.faults.length - 1; i >= 0; i--) {
      const f = this.faults[i];
      if ((f.from !== '*' && f.from !== from) || (f.to !== '*' && f.to !== to)) continue;
      if (f.fault === 'heal') return undefined;
      if (f.fault === kind) return kind === 'drop' ? (f.p ? f.line : undefined) : (f.ms || f.maxMs ? f.line : undefined);
    }
    return undefined;
  }

  /** Why a message in flight was slow: the network held it back, or its receiver is paused. */
  private slowNote(send: EventOf<'send'>): string {
    const notes: string[] = [];
    if (send.delay) {
      const line = this.faultLine('delay', send.from, send.to);
      notes.push(`the network held it back ${send.delay} ms${line !== undefined ? ` (the delay on line ${line})` : ''}`);
    }
    const paused = this.paused.get(send.to);
    if (paused !== undefined) notes.push(`server ${send.to} was paused on line ${paused} and takes nothing in until it is resumed`);
    return notes.length ? `: ${notes.join('; ')}` : '';
  }

  /** Connected groups of live servers, numbered. */
  private groups(): Map<NodeId, number> {
    const groupOf = new Map<NodeId, number>();
    const live = this.state.liveServers();
    let n = 0;
    for (const start of live) {
      if (groupOf.has(start)) continue;
      const stack = [start];
      groupOf.set(start, n);
      while (stack.length) {
        const x = stack.pop()!;
        for (const y of this.state.linksOf(x)) {
          if (!groupOf.has(y) && this.state.isLiveServer(y)) {
            groupOf.set(y, n);
            stack.push(y);
          }
        }
      }
      n++;
    }
    return groupOf;
  }

  private context(): WriteContext {
    return { groupOf: this.groups(), cuts: [...this.cuts.values()] };
  }

  private liveHolders(key: string, stamp: Stamp): NodeId[] {
    return this.state.sortedServers().filter((s) => s.alive && compareSame(s.store.get(key)?.stamp, stamp)).map((s) => s.id);
  }

  /** The index at which the incarnation of `server` alive before `bound` started. */
  private startBefore(server: NodeId, bound: number): number {
    const list = this.starts.get(server) ?? [];
    let best = -1;
    for (const s of list) if (s < bound) best = s;
    return best;
  }

  /** The hops that brought `stamp` to `server`, from the put's server to it, as of `bound`. */
  private pathTo(stamp: Stamp, server: NodeId, bound: number): Hop[] {
    const list = this.applied.get(writeKey(stamp)) ?? [];
    const hops: Hop[] = [];
    const seen = new Set<NodeId>();
    let node = server;
    let limit = bound;
    for (;;) {
      if (seen.has(node)) break;
      seen.add(node);
      const since = this.startBefore(node, limit);
      let at: AppliedAt | undefined;
      for (const a of list) if (a.node === node && a.index < limit && a.index > since) at = a;
      if (!at) break;
      const hop: Hop = { server: node, via: at.via, from: at.from, line: at.line, text: '' };
      hop.text = hopText(hop);
      hops.unshift(hop);
      if (at.via === 'put') break;
      if (at.via === 'stabilize' && at.from === node) {
        // The root gathered it from its group; the trace does not say through whom, so start from the put.
        const origin = list.find((a) => a.via === 'put');
        if (origin && origin.node !== node) {
          const o: Hop = { server: origin.node, via: 'put', from: origin.from, line: origin.line, text: '' };
          o.text = hopText(o);
          hops.unshift(o);
        }
        break;
      }
      node = at.from;
      limit = at.index;
    }
    return hops;
  }

  /** Why `stamp` was not on `server` at event index `m`. */
  private missing(key: string, stamp: Stamp, server: NodeId, m: number): Missing {
    const k = writeKey(stamp);
    const holders = this.liveHolders(key, stamp);
    const reasons: Reason[] = [];
    const created = this.created.get(k) ?? -1;
    const write = this.writes.get(k);
    const madeOn = write ? `line ${write.line}` : `its put`;

    if (holders.length === 0) {
      const seen = new Set<NodeId>();
      for (const a of this.applied.get(k) ?? []) {
        if (a.index >= m || seen.has(a.node)) continue;
        const kill = this.kills.find((x) => x.server === a.node && x.index > a.index && x.index < m);
        if (!kill) continue;
        seen.add(a.node);
        reasons.push({ kind: 'killed', server: a.node, line: kill.line, role: 'holder',
          text: `server ${a.node}, which held it, was killed on line ${kill.line} (its store was lost)` });
      }
    }

    if (this.gossip === 'off') {
      const after = this.stabilizes.filter((s) => s.index > created && s.index < m).map((s) => s.line);
      reasons.push({
        kind: 'gossipOff', stabilizeLines: after,
        text: after.length === 0
          ? `gossip is off (writes spread only by stabilize) and no stabilize ran between ${madeOn} and this line`
          : `gossip is off (writes spread only by stabilize), and the stabilize on ${after.length === 1 ? 'line' : 'lines'} ${after.join(', ')} did not put server ${server} in a group with a server holding it`,
      });
    }

    for (const send of this.inFlight.get(k)?.values() ?? []) {
      const faultLine = send.delay ? this.faultLine('delay', send.from, send.to) : undefined;
      reasons.push({ kind: 'inFlight', msg: send.msg, from: send.from, to: send.to, line: send.line, ...(faultLine !== undefined ? { faultLine } : {}),
        text: (send.kind === 'gossipAck'
          ? `its gossip was still under way: the gossip ack from server ${send.from} to server ${send.to} (line ${send.line}) had not been delivered yet, so the flood had not gone on from there`
          : `it was still in flight: the ${send.kind} from server ${send.from} to server ${send.to} (line ${send.line}) had not been delivered yet`) + this.slowNote(send) });
    }

    for (const { send, faultLine } of this.droppedFloods.get(k) ?? []) {
      reasons.push({ kind: 'dropped', msg: send.msg, from: send.from, to: send.to, line: send.line, ...(faultLine !== undefined ? { faultLine } : {}),
        text: `the network dropped the ${send.kind === 'gossipAck' ? 'gossip ack' : send.kind} from server ${send.from} to server ${send.to} (line ${send.line}` +
          `${faultLine !== undefined ? `; the drop on line ${faultLine}` : ''}), so ${send.kind === 'gossipAck' ? `the flood did not go on from server ${send.from}` : `server ${send.to} was not reached by it`}` +
          ' (a flood sends a write once: only a later write of the key or stabilize brings it)' });
    }

    const start = this.startBefore(server, m);
    if (start > created && created >= 0) {
      const s = this.state.servers.get(server);
      reasons.push({ kind: 'joinedLater', server, line: s?.startedLine ?? 0,
        text: `server ${server} joined on line ${s?.startedLine ?? '?'}, after ${madeOn}: a new server starts empty, and only stabilize or gossip of a later write fills it` });
    }

    const now = this.groups();
    const mine = now.get(server);
    const holderGroups = new Set(holders.map((h) => now.get(h)));
    if (holders.length > 0 && mine !== undefined && !holderGroups.has(mine)) {
      const side = (x: NodeId): boolean => now.get(x) === mine;
      const other = (x: NodeId): boolean => holderGroups.has(now.get(x));
      reasons.push(...this.separation([...this.cuts.values()], side, other, m, 'now'));
    } else if (this.gossip !== 'off' && created >= 0 && start < created) {
      // Same group now (or nobody holds it): was the server cut off from the put's server when it was made?
      const ctx = this.contexts.get(k);
      const origin = write?.server;
      if (ctx && origin !== undefined && ctx.groupOf.has(server) && ctx.groupOf.get(server) !== ctx.groupOf.get(origin)) {
        const side = (x: NodeId): boolean => ctx.groupOf.get(x) === ctx.groupOf.get(server);
        const other = (x: NodeId): boolean => ctx.groupOf.get(x) === ctx.groupOf.get(origin);
        reasons.push(...this.separation(ctx.cuts, side, other, created, 'then'));
      }
    }

    if (reasons.length === 0) reasons.push({ kind: 'unknown', text: 'the record does not show why' });
    return { stamp, write, holders, reasons };
  }

  /** The cut links (and killed servers) that separate two sets of servers, as of index `bound`. */
  private separation(cuts: readonly Cut[], side: (x: NodeId) => boolean, other: (x: NodeId) => boolean, bound: number, when: 'now' | 'then'): Reason[] {
    const out: Reason[] = [];
    let direct = cuts.filter((c) => (side(c.a) && other(c.b)) || (side(c.b) && other(c.a)));
    // Groups joined only through a third group: name every cut link between live servers leaving this side.
    if (direct.length === 0) direct = cuts.filter((c) => side(c.a) !== side(c.b) && !this.deadAt(c.a, bound) && !this.deadAt(c.b, bound));
    for (const c of direct) {
      const restoredLine = when === 'then' ? this.restored.get(pairKey(c.a, c.b)) : undefined;
      out.push({
        kind: 'cut', a: c.a, b: c.b, line: c.line, ...(restoredLine !== undefined ? { restoredLine } : {}),
        text: when === 'now'
          ? `the link ${c.a}–${c.b} was cut on line ${c.line}`
          : `the link ${c.a}–${c.b} was cut on line ${c.line} when the write was made` +
            (restoredLine !== undefined ? ` (restored on line ${restoredLine}, but gossip floods a write only once)` : ''),
      });
    }
    for (const kill of this.kills) {
      // Only a kill the server has not come back from (it rejoins linked to every live server).
      if (kill.index >= bound || this.startBefore(kill.server, bound) > kill.index) continue;
      if (kill.links.some(side) && kill.links.some(other)) {
        out.push({ kind: 'killed', server: kill.server, line: kill.line, role: 'bridge',
          text: `server ${kill.server}, which linked them, was killed on line ${kill.line}` });
      }
    }
    return out;
  }

  private explainGet(line: number, client: NodeId, key: string, server: NodeId, result: GetResult, m: number): GetExplanation {
    const lines = new Set<number>([line]);
    const text: string[] = [];
    const g: GetExplanation = { line, client, key, outcome: result.kind, server, result, path: [], newer: [], hint: '', text, lines: [] };
    const held = this.state.servers.get(server)?.store.get(key)?.stamp ?? null;

    if (result.kind === 'value') {
      g.hint = `→ ${clip(`${key}:${result.value}`)} ${formatStamp(result.stamp)} from server ${server}`;
      text.push(`Server ${server} answered ${key}:${result.value} with stamp ${formatStamp(result.stamp)}.`);
      const w = this.writes.get(writeKey(result.stamp));
      if (w) {
        g.write = w;
        lines.add(w.line);
        text.push(`That value was written by ${writeText(w)}.`);
      }
      g.path = this.pathTo(result.stamp, server, m);
      for (const h of g.path) lines.add(h.line);
      if (g.path.length) text.push(`It reached server ${server} by: ${g.path.map((h) => h.text).join(' → ')}.`);
    } else if (result.kind === 'ERR_KEY') {
      g.hint = `→ ${clip(key)}:ERR_KEY from server ${server}`;
      text.push(`Server ${server} held no value for ${key}, and client ${client} had no dependency on it: ERR_KEY.`);
    } else {
      g.hint = `→ ${clip(key)}:ERR_DEP from server ${server}`;
      const dep = this.state.clients.get(client)?.deps.get(key);
      const depLine = dep && compareSame(dep.stamp, result.dep) ? dep.line : undefined;
      const w = this.writes.get(writeKey(result.dep));
      const miss = this.missing(key, result.dep, server, m);
      g.dependency = { stamp: result.dep, line: depLine, write: w, held: result.held, missing: miss };
      text.push(`Client ${client} depends on ${formatStamp(result.dep)} for ${key}` +
        (depLine !== undefined ? `, set on line ${depLine}` : '') +
        `; server ${server} holds ${result.held ? `only ${formatStamp(result.held)}` : 'nothing'} for it: ERR_DEP.`);
      if (depLine !== undefined) lines.add(depLine);
      if (w) {
        lines.add(w.line);
        text.push(`That dependency is ${writeText(w)}.`);
      }
      text.push(...this.missingText(miss, server, 'It', lines));
    }

    if (result.kind !== 'ERR_DEP') {
      for (const n of this.newerWrites(key, held)) {
        const miss = this.missing(key, n, server, m);
        g.newer.push(miss);
        const w = miss.write;
        if (w) lines.add(w.line);
        text.push(`A newer write existed: ${w ? writeText(w) : `stamp ${formatStamp(n)}`}.`);
        text.push(...this.missingText(miss, server, 'It', lines));
      }
    }
    g.lines = [...lines].sort((a, b) => a - b);
    return g;
  }

  private missingText(miss: Missing, server: NodeId, subject: string, lines: Set<number>): string[] {
    const out: string[] = [];
    out.push(miss.holders.length
      ? `${subject} was on ${servers(miss.holders)} at that moment.`
      : `${subject} was on no live server at that moment.`);
    for (const r of miss.reasons) {
      if ('line' in r && r.line > 0) lines.add(r.line);
      if ((r.kind === 'dropped' || r.kind === 'inFlight') && r.faultLine !== undefined) lines.add(r.faultLine);
      if (r.kind === 'cut' && r.restoredLine !== undefined) lines.add(r.restoredLine);
      if (r.kind === 'gossipOff') r.stabilizeLines.forEach((l) => lines.add(l));
    }
    out.push(`It had not reached server ${server}: ${miss.reasons.map((r) => r.text).join('; ')}.`);
    return out;
  }

  /**
   * The newer writes of `key` than `held` that existed at index m: the newest one some live server
   * held, and the newest one made at all if no live server held it (lost with a killed server).
   */
  private newerWrites(key: string, held: Stamp | null): Stamp[] {
    const newer = (s: Stamp): boolean => held === null || this.scheme.compare(s, held) > 0;
    let live: Stamp | undefined;
    for (const s of this.state.servers.values()) {
      const st = s.alive ? s.store.get(key)?.stamp : undefined;
      if (st && newer(st) && (!live || this.scheme.compare(st, live) > 0)) live = st;
    }
    // The replay is at index m: every write made before it has passed through made().
    const made = this.newestMade.get(key);
    const newest = made && newer(made) ? made : undefined;
    const out: Stamp[] = [];
    if (live) out.push(live);
    if (newest && (!live || this.scheme.compare(newest, live) > 0) && this.liveHolders(key, newest).length === 0) out.push(newest);
    return out;
  }

  private explainStore(e: EventOf<'storePrinted'>): StoreExplanation {
    const s = this.state.servers.get(e.server);
    const entries = e.entries.map((x): StoreEntryExplanation => {
      const write = this.writes.get(writeKey(x.stamp));
      const known = s?.store.get(x.key);
      const arrival = known && compareSame(known.stamp, x.stamp) ? known.arrival : undefined;
      const parts = [`${x.key}=${x.value} ${formatStamp(x.stamp)}`];
      if (write) parts.push(`written on line ${write.line} by client ${write.client}`);
      if (arrival) parts.push(arrivalText(arrival.via, arrival.from, e.server, arrival.line));
      return { key: x.key, value: x.value, stamp: x.stamp, ...(write ? { write } : {}), ...(arrival ? { arrival } : {}), text: parts.join(', ') };
    });
    const n = entries.length;
    const listed = entries.map((x) => `${x.key}:${x.value}`).join(' ');
    const hint = n === 0 ? '→ empty' : n <= 3 && listed.length <= MAX_HINT_VALUE ? `→ ${listed}` : `→ ${n} keys`;
    const text = [n === 0
      ? `Server ${e.server} held nothing.`
      : `Server ${e.server} held ${n} ${n === 1 ? 'key' : 'keys'}:`, ...entries.map((x) => x.text)];
    return { line: e.line, server: e.server, entries, hint, text };
  }

  private finishWrite(w: WriteExplanation): void {
    if (!w.write) return;
    const k = writeKey(w.write.stamp);
    w.value = w.write.value;
    w.reached = (this.applied.get(k) ?? []).map((a) => {
      const hop: Hop = { server: a.node, via: a.via, from: a.from, line: a.line, text: '' };
      hop.text = hopText(hop);
      return hop;
    });
    w.dropped = this.dropped.get(k) ?? [];
    w.erased = this.erased.get(k) ?? [];
    w.heldAtEnd = this.liveHolders(w.key, w.write.stamp);
    const t = w.text;
    t.push(`Stamp ${formatStamp(w.write.stamp)}, applied by server ${w.write.server}.`);
    if (w.reached.length) t.push(`Reached ${w.reached.map((h) => h.text).join(', ')}.`);
    for (const d of w.dropped) t.push(`Reached server ${d.server} by gossip (line ${d.line}) and lost there to the newer ${formatStamp(d.held)}.`);
    for (const x of w.erased) t.push(`Lost on server ${x.server} when it was killed on line ${x.line}.`);
    const replaced = [...new Set(w.reached.map((h) => h.server))].filter((s) => {
      const held = this.state.servers.get(s);
      const now = held?.alive ? held.store.get(w.key)?.stamp : undefined;
      return now !== undefined && this.scheme.compare(now, w.write!.stamp) > 0;
    }).sort((a, b) => a - b);
    if (w.heldAtEnd.length) t.push(`At the end of the run held by ${servers(w.heldAtEnd)}.`);
    else t.push('At the end of the run no live server held it.');
    if (replaced.length) t.push(`Replaced by a newer write of ${w.key} on ${servers(replaced)}.`);
  }
}

/** Everything that happened to `key` on `server` (empty when nothing did). */
export function historyOf(x: RunExplanation, server: NodeId, key: string): HistoryEntry[] {
  return x.history.find((h) => h.server === server && h.key === key)?.entries ?? [];
}

function compareSame(a: Stamp | null | undefined, b: Stamp | null | undefined): boolean {
  return !!a && !!b && sameStamp(a, b);
}

function arrivalText(via: ApplyVia, from: NodeId, node: NodeId, line: number): string {
  switch (via) {
    case 'put': return `by put from client ${from} (line ${line})`;
    case 'gossip': return `by gossip from server ${from} (line ${line})`;
    case 'stabilize': return from === node ? `by stabilize on line ${line} (root of its group)` : `by stabilize on line ${line} (installed from server ${from})`;
  }
}
