import type { GossipMode, NodeId, Stamp } from '../protocol/messages';
import type { ClusterEvent, EventOf } from '../record/events';
import { HeldEntry, Replay, ReplayedStore } from './replay';
import { Order, orderOf, same, show } from './stamp';

/**
 * The rules a record is checked against (docs/checker.md):
 * - `session`: read-your-writes and monotonic reads, per client and key;
 * - `dependency`: every ERR_DEP justified by the answering server's store, every dependency the client's history;
 * - `convergence`: after a stabilize, each group's stores are identical;
 * - `lost-write`: a stabilize loses no write its group held when it began;
 * - `stamps`: Lamport counters and stamps (monotonic counters, a deliver above its send, a put's stamp
 *   from its apply, writes kept only when newer, values read that some put wrote);
 * - `gossip`: in settled mode, a put's flood reaches every neighbour of every server that kept it.
 */
export type Rule = 'session' | 'dependency' | 'convergence' | 'lost-write' | 'stamps' | 'gossip';
export const RULES: readonly Rule[] = ['session', 'dependency', 'convergence', 'lost-write', 'stamps', 'gossip'];

export interface Violation {
  rule: Rule;
  message: string;
  /** The witnesses: indexes into the record's events (0 is runStarted), the main one first. */
  events: number[];
  /** The script lines of those events, ascending. */
  lines: number[];
}

export interface CheckReport {
  violations: Violation[];
  /** What could not be checked, and why (an untraced record, async gossip, a run cut short). */
  notes: string[];
  /** The record has the nodes' own events (messages and applied writes). */
  traced: boolean;
  gossip: GossipMode | undefined;
  events: number;
}

type NodeEvent = EventOf<'send' | 'deliver' | 'lost' | 'applied'>;

function isNodeEvent(e: ClusterEvent): e is NodeEvent {
  return e.type === 'send' || e.type === 'deliver' || e.type === 'lost' || e.type === 'applied';
}


/** Checks a record (its events in order, as `kvcmd run --events` writes them, without the snapshot). */
export function checkRecord(events: readonly ClusterEvent[]): CheckReport {
  return new Checker(events).run();
}

class Checker {
  private readonly violations: Violation[] = [];
  private readonly notes: string[] = [];
  private readonly gossip: GossipMode | undefined;
  private readonly traced: boolean;
  /** Work to do right after replaying the event at an index. */
  private readonly probes = new Map<number, (() => void)[]>();
  /** Work to do once the whole record is replayed. */
  private readonly after: (() => void)[] = [];
  /** The record's protocol's ordering of stamps (its runStarted names it; lamport when it does not). */
  private readonly order: Order;
  private readonly replay: Replay;

  private readonly olderKept = (i: number, node: NodeId, held: HeldEntry, kept: Stamp): void => this.flag('stamps',
    `server ${node} kept ${show(kept)} over the newer ${show(held.stamp)} it held (last writer wins keeps the greatest stamp)`, [i, held.at]);

  constructor(private readonly ev: readonly ClusterEvent[]) {
    const first = ev[0];
    this.gossip = first?.type === 'runStarted' ? first.gossip : undefined;
    this.order = orderOf(first?.type === 'runStarted' ? first.protocol : undefined);
    this.replay = new Replay(this.order, this.olderKept);
    this.traced = ev.some(isNodeEvent);
  }

  run(): CheckReport {
    if (!this.traced) {
      this.notes.push('untraced record (no message or applied events): checked session, the clients\' dependencies and the stamps of puts and gets; ' +
        'convergence, lost-write, gossip and the server-side parts of dependency and stamps were skipped (kvcmd run --events and --check record everything)');
    } else if (this.gossip === 'async') {
      this.notes.push('gossip rule skipped: in async mode floods race the commands, so no point of the record is the end of one');
    } else if (this.gossip === 'off') {
      this.notes.push('gossip rule not applicable: gossip was off');
    }
    const index = this.index();
    if (this.traced) {
      this.planGets(index);
      this.planStabilizes(index);
      if (this.gossip === 'settled') this.planGossip(index);
    }
    this.pass(index);
    for (const f of this.after) f();
    this.violations.sort((a, b) => a.events[0] - b.events[0] || RULES.indexOf(a.rule) - RULES.indexOf(b.rule));
    return { violations: this.violations, notes: this.notes, traced: this.traced, gossip: this.gossip, events: this.ev.length };
  }

  private flag(rule: Rule, message: string, witnesses: (number | undefined)[]): void {
    const [main, ...rest] = witnesses.filter((w): w is number => w !== undefined);
    const events = [main, ...[...new Set(rest)].filter((w) => w !== main).sort((a, b) => a - b)];
    const lines = [...new Set(events.map((i) => lineOf(this.ev[i])).filter((l): l is number => l !== undefined && l > 0))].sort((a, b) => a - b);
    this.violations.push({ rule, message, events, lines });
  }

  private at(i: number, f: () => void): void {
    const list = this.probes.get(i);
    if (list) list.push(f);
    else this.probes.set(i, [f]);
  }

  /** One look over the record for what later checks must find: replies, applies, steps, stabilizes. */
  private index(): RecordIndex {
    const x: RecordIndex = {
      getReply: new Map(), putApplied: new Map(), written: new Map(), lastOfStep: new Map(), nodeSpan: new Map(),
      appliedAt: new Map(), stabilize: new Map(), droppedIn: new Map(), cutShortIn: new Map(),
    };
    /** Sends without an end so far, by message id. */
    const open = new Map<string, number>();
    this.ev.forEach((e, i) => {
      if ('step' in e) x.lastOfStep.set(e.step, i);
      if (isNodeEvent(e)) {
        let spans = x.nodeSpan.get(e.step);
        if (!spans) x.nodeSpan.set(e.step, (spans = new Map()));
        const span = spans.get(e.node);
        if (span) span.last = i;
        else spans.set(e.node, { first: i, last: i });
      }
      if (e.type === 'send') open.set(e.msg, i);
      else if (e.type === 'deliver' || e.type === 'lost') open.delete(e.msg);
      switch (e.type) {
        case 'send':
          if (e.kind === 'getReply' && e.body.key !== undefined) x.getReply.set(`${e.step}|${e.from}|${e.to}|${e.body.key}`, i);
          break;
        case 'lost':
          if (e.reason === 'dropped' && !x.droppedIn.has(e.step)) x.droppedIn.set(e.step, i);
          break;
        case 'applied': {
          if (e.via === 'put') {
            x.putApplied.set(`${e.node}|${e.key}|${this.order.writeId(e.stamp)}|${e.value}`, i);
            // A put whose reply the network dropped was still written: the client tried elsewhere, or failed.
            x.written.set(`${e.key}\0${e.value}\0${this.order.writeId(e.stamp)}`, i);
          }
          const list = x.appliedAt.get(e.node);
          if (list) list.push(i);
          else x.appliedAt.set(e.node, [i]);
          break;
        }
        case 'put':
          x.written.set(`${e.key}\0${e.value}\0${this.order.writeId(e.stamp)}`, i);
          break;
        case 'stabilizeBegun':
        case 'stabilizeGroup':
        case 'stabilizeDone': {
          let s = x.stabilize.get(e.epoch);
          if (!s) x.stabilize.set(e.epoch, (s = { groups: [] }));
          if (e.type === 'stabilizeBegun') s.begun = i;
          else if (e.type === 'stabilizeDone') s.done = i;
          else s.groups.push(i);
          break;
        }
      }
    });
    // A message whose end never came: a server on its way was killed (holding it for a paused server, or waiting for it).
    for (const i of open.values()) {
      const e = this.ev[i];
      if (e.type === 'send' && !x.cutShortIn.has(e.step)) x.cutShortIn.set(e.step, i);
    }
    return x;
  }

  /** The one pass in record order: replay, then the local rules and the probes at each event. */
  private pass(x: RecordIndex): void {
    const history = new Map<string, { stamp: Stamp; at: number }>();
    const nodeCounter = new Map<NodeId, { counter: number; at: number }>();
    const clientCounter = new Map<NodeId, { counter: number; at: number }>();
    const lastSend = new Map<string, number>();
    for (let i = 0; i < this.ev.length; i++) {
      const e = this.ev[i];
      this.replay.apply(i, e);
      if (e.type === 'nodeStarted') {
        this.lastStart.set(e.id, i);
        // A rejoined server is a new process: counter 0, message numbers from 1.
        nodeCounter.delete(e.id);
        for (const m of [...lastSend.keys()]) if (m.startsWith(`${e.id}.`)) lastSend.delete(m);
      }
      if (isNodeEvent(e)) this.counters(i, e, nodeCounter, lastSend);
      if (e.type === 'put') this.put(i, e, x, history, clientCounter);
      if (e.type === 'get') this.get(i, e, x, history, clientCounter);
      for (const f of this.probes.get(i) ?? []) f();
    }
  }

  /** Rule stamps: per node the counter never goes down, a send or a receive raises it, a deliver lands above its send. */
  private counters(i: number, e: NodeEvent, nodeCounter: Map<NodeId, { counter: number; at: number }>, lastSend: Map<string, number>): void {
    // The second copy of a message that arrived twice was discarded: it repeats its first copy's end.
    if ((e.type === 'deliver' || e.type === 'lost') && e.duplicate) return;
    const prev = nodeCounter.get(e.node);
    const raises = e.type === 'send' || e.type === 'deliver';
    if (prev && (raises ? e.counter <= prev.counter : e.counter < prev.counter)) {
      this.flag('stamps', `node ${e.node}'s Lamport counter went from ${prev.counter} to ${e.counter} at a ${e.type}${e.type === 'applied' ? '' : ` of ${e.kind} ${e.msg}`}` +
        (raises ? ' (a send or a receive must raise it)' : ' (it never decreases)'), [i, prev.at]);
    }
    nodeCounter.set(e.node, { counter: e.counter, at: i });
    if (e.type === 'send') lastSend.set(e.msg, i);
    if (e.type === 'deliver') {
      const s = lastSend.get(e.msg);
      const sent = s === undefined ? undefined : (this.ev[s] as EventOf<'send'>);
      if (!sent) this.flag('stamps', `${e.kind} ${e.msg} was delivered to ${e.node} but never sent`, [i]);
      else if (e.counter <= sent.counter) this.flag('stamps', `${e.kind} ${e.msg} was sent with counter ${sent.counter} and delivered at ${e.node} with ${e.counter}, not above it`, [i, s]);
    }
  }

  private clientCount(i: number, e: EventOf<'put' | 'get'>, clientCounter: Map<NodeId, { counter: number; at: number }>): void {
    const prev = clientCounter.get(e.client);
    if (prev && e.counter <= prev.counter) {
      this.flag('stamps', `client ${e.client}'s Lamport counter went from ${prev.counter} to ${e.counter} between two of its answered commands`, [i, prev.at]);
    }
    clientCounter.set(e.client, { counter: e.counter, at: i });
  }

  private put(i: number, e: EventOf<'put'>, x: RecordIndex, history: Map<string, { stamp: Stamp; at: number }>, clientCounter: Map<NodeId, { counter: number; at: number }>): void {
    this.clientCount(i, e, clientCounter);
    const h = history.get(`${e.client}\0${e.key}`);
    const dep = this.order.depend(h?.stamp, e.stamp);
    if (!h || !same(dep, h.stamp)) history.set(`${e.client}\0${e.key}`, { stamp: dep, at: i });
    // A stamp names one write: two values of a key under one stamp cannot both win, and last
    // writer wins keeps whichever a server saw first.
    const twin = this.stampOwner.get(`${e.key}\0${this.order.writeId(e.stamp)}`);
    if (twin === undefined) this.stampOwner.set(`${e.key}\0${this.order.writeId(e.stamp)}`, i);
    else if ((this.ev[twin] as EventOf<'put'>).value !== e.value) {
      const rejoin = this.lastStart.get(e.stamp.server);
      const why = rejoin !== undefined && rejoin > twin ? ` (server ${e.stamp.server} rejoined in between, its counter back at 0)` : '';
      this.flag('stamps', `put ${e.key}=${e.value} got stamp ${show(e.stamp)}, already the stamp of ${e.key}=${(this.ev[twin] as EventOf<'put'>).value}${why}`,
        [i, twin, rejoin !== undefined && rejoin > twin ? rejoin : undefined]);
    }
    if (e.stamp.server !== e.server) this.flag('stamps', `put of ${e.key} applied by server ${e.server} carries stamp ${show(e.stamp)} of server ${e.stamp.server}`, [i]);
    if (!this.traced) return;
    const a = x.putApplied.get(`${e.server}|${e.key}|${this.order.writeId(e.stamp)}|${e.value}`);
    if (a === undefined) {
      this.flag('stamps', `put ${e.key}=${e.value} was answered with stamp ${show(e.stamp)}, but server ${e.server} never applied that write`, [i]);
      return;
    }
    const applied = this.ev[a] as EventOf<'applied'>;
    if (this.order.counterIsLamport && applied.counter !== e.stamp.counter) {
      this.flag('stamps', `put ${e.key}=${e.value} got stamp ${show(e.stamp)}, but server ${e.server} applied it with its counter at ${applied.counter}`, [i, a]);
    }
  }

  private get(i: number, e: EventOf<'get'>, x: RecordIndex, history: Map<string, { stamp: Stamp; at: number }>, clientCounter: Map<NodeId, { counter: number; at: number }>): void {
    this.clientCount(i, e, clientCounter);
    const hk = `${e.client}\0${e.key}`;
    const h = history.get(hk);
    const who = `get ${e.key} by client ${e.client} (server ${e.server})`;
    // Rule dependency: the dependency sent is what the client's own history says.
    if (!same(e.depBefore, h?.stamp)) {
      this.flag('dependency', `${who} carried dependency ${show(e.depBefore)}, but the client's history of ${e.key} says ${show(h?.stamp)}`, [i, h?.at]);
    }
    const r = e.result;
    let sessionBroken = false;
    if (r.kind === 'ERR_KEY' && h) {
      sessionBroken = true;
      this.flag('session', `${who} answered ERR_KEY after the client ${this.what(h.at)} ${e.key} ${show(h.stamp)}`, [i, h.at]);
    }
    if (r.kind === 'value') {
      if (h && !this.order.covers(r.stamp, h.stamp)) {
        sessionBroken = true;
        this.flag('session', `${who} returned ${r.value} ${show(r.stamp)}, ${this.order.behind} ${show(h.stamp)} the client ${this.what(h.at)} before`, [i, h.at]);
      }
      if (!sessionBroken && e.depBefore && !this.order.covers(r.stamp, e.depBefore)) {
        this.flag('dependency', `${who} returned ${r.value} ${show(r.stamp)}, ${this.order.behind} the dependency ${show(e.depBefore)} it carried`, [i]);
      }
      if (!x.written.has(`${e.key}\0${r.value}\0${this.order.writeId(r.stamp)}`)) {
        this.flag('stamps', `${who} returned ${r.value} ${show(r.stamp)}, which no put in the record wrote`, [i]);
      }
      const next = this.order.depend(h?.stamp, r.stamp);
      if (!h || !same(next, h.stamp)) history.set(hk, { stamp: next, at: i });
    }
    if (r.kind === 'ERR_DEP' && !same(r.dep, e.depBefore)) {
      this.flag('dependency', `${who} answered ERR_DEP for dependency ${show(r.dep)}, but the client sent ${show(e.depBefore)}`, [i]);
    }
    if (!this.traced || r.kind === 'ERR_KEY') return;
    // The server's side: what it held when it answered (at its getReply, wherever the record puts it).
    if (!x.getReply.has(`${e.step}|${e.server}|${e.client}|${e.key}`)) {
      this.notes.push(`get ${e.key} by client ${e.client} (script line ${e.line}): no getReply from server ${e.server} in the record; its answer was not checked against the server's store`);
      return;
    }
    this.after.push(() => {
      const held = this.heldAtReply.get(i);
      if (r.kind === 'ERR_DEP') {
        if (held && this.order.covers(held.stamp, r.dep)) {
          this.flag('dependency', `${who} answered ERR_DEP, but the server held ${held.value} ${show(held.stamp)}, not older than the dependency ${show(r.dep)}`, [i, held.at, h?.at]);
        }
      } else if (!held || !same(held.stamp, r.stamp) || held.value !== r.value) {
        this.flag('stamps', `${who} returned ${r.value} ${show(r.stamp)}, but the server held ${held ? `${held.value} ${show(held.stamp)}` : 'nothing'} when it answered`, [i, held?.at]);
      }
    });
  }

  /** What each get's server held of its key when it sent the getReply (entries are never mutated, only replaced). */
  private readonly heldAtReply = new Map<number, HeldEntry | undefined>();

  private planGets(x: RecordIndex): void {
    this.ev.forEach((e, i) => {
      if (e.type !== 'get' || e.result.kind === 'ERR_KEY') return;
      const j = x.getReply.get(`${e.step}|${e.server}|${e.client}|${e.key}`);
      if (j !== undefined) this.at(j, () => this.heldAtReply.set(i, this.replay.held(e.server, e.key)));
    });
  }

  /** `key\0stamp` -> the first put with that stamp. */
  private readonly stampOwner = new Map<string, number>();
  /** node -> its latest nodeStarted so far. */
  private readonly lastStart = new Map<NodeId, number>();

  /** "wrote" or "read", for the event that set a dependency. */
  private what(i: number): string {
    return this.ev[i].type === 'put' ? 'wrote' : 'read';
  }

  /** Rules convergence and lost-write: stores before and after each stabilize, per group member. */
  private planStabilizes(x: RecordIndex): void {
    for (const [epoch, s] of x.stabilize) {
      if (s.begun === undefined) continue;
      if (s.done === undefined) {
        this.notes.push(`stabilize epoch ${epoch} (script line ${lineOf(this.ev[s.begun])}) never finished: its convergence was not checked`);
        continue;
      }
      const begun = s.begun;
      const done = s.done;
      const step = (this.ev[begun] as EventOf<'stabilizeBegun'>).step;
      for (const gi of s.groups) {
        const group = this.ev[gi] as EventOf<'stabilizeGroup'>;
        const before = new Map<NodeId, ReplayedStore>();
        const afterStores = new Map<NodeId, ReplayedStore>();
        const excused = new Set<string>();
        for (const m of group.members) {
          const span = x.nodeSpan.get(step)?.get(m);
          const q = span ? span.first - 1 : begun;
          const p = Math.max(done, span?.last ?? done);
          this.at(q, () => before.set(m, this.replay.storeOf(m)));
          this.at(p, () => afterStores.set(m, this.replay.storeOf(m)));
          // In async mode gossip from earlier puts may land on a member while it takes part: a key
          // so written may differ at the end without any fault of stabilize.
          if (this.gossip === 'async') {
            for (const a of x.appliedAt.get(m) ?? []) {
              const ae = this.ev[a] as EventOf<'applied'>;
              if (a > (span?.first ?? begun) && a <= p && ae.step !== step) excused.add(ae.key);
            }
          }
        }
        this.after.push(() => this.judgeGroup(epoch, done, group.members, before, afterStores, excused));
      }
    }
  }

  private judgeGroup(epoch: number, done: number, members: NodeId[], before: Map<NodeId, ReplayedStore>, after: Map<NodeId, ReplayedStore>, excused: Set<string>): void {
    const name = `stabilize (epoch ${epoch}) of group {${members.join(',')}}`;
    // convergence: every key the same everywhere.
    const keys = new Set<string>();
    for (const m of members) for (const k of after.get(m)?.keys() ?? []) keys.add(k);
    for (const k of [...keys].sort()) {
      if (excused.has(k)) continue;
      let best: { m: NodeId; e: HeldEntry } | undefined;
      for (const m of members) {
        const e = after.get(m)?.get(k);
        if (e && (!best || this.order.compare(e.stamp, best.e.stamp) > 0)) best = { m, e };
      }
      const behind = members.filter((m) => {
        const e = after.get(m)?.get(k);
        return !e || !same(e.stamp, best!.e.stamp) || e.value !== best!.e.value;
      });
      if (behind.length === 0) continue;
      const b = behind[0];
      const bEntry = after.get(b)?.get(k);
      this.flag('convergence', `after ${name}, server ${best!.m} holds ${k}=${best!.e.value} ${show(best!.e.stamp)} but server${behind.length > 1 ? 's' : ''} ${behind.join(', ')} ` +
        `${bEntry ? `hold${behind.length > 1 ? '' : 's'} ${k}=${bEntry.value} ${show(bEntry.stamp)}` : `hold${behind.length > 1 ? '' : 's'} no ${k}`}${behind.length > 1 ? ' (or other)' : ''}`,
      [done, best!.e.at, bEntry?.at]);
    }
    // lost-write: whatever a member held when it began is still there, or superseded, everywhere.
    const lost = new Map<string, { from: NodeId; e: HeldEntry; key: string; to: NodeId }>();
    for (const m of members) {
      for (const [k, e] of before.get(m) ?? []) {
        for (const n of members) {
          const now = after.get(n)?.get(k);
          if (now && this.order.compare(now.stamp, e.stamp) >= 0) continue;
          const id = `${k}\0${n}`;
          const prev = lost.get(id);
          if (!prev || this.order.compare(e.stamp, prev.e.stamp) > 0) lost.set(id, { from: m, e, key: k, to: n });
        }
      }
    }
    for (const { from, e, key, to } of [...lost.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.to - b.to))) {
      const now = after.get(to)?.get(key);
      this.flag('lost-write', `${key}=${e.value} ${show(e.stamp)}, held by server ${from} when ${name} began, is missing from server ${to} after it ` +
        `(${now ? `it holds ${now.value} ${show(now.stamp)}` : 'it holds nothing'})`, [done, e.at, now?.at]);
    }
  }

  /** Rule gossip (settled mode): when a put's step ends, every live neighbour of a server holding the write holds it or newer. */
  private planGossip(x: RecordIndex): void {
    this.ev.forEach((e, i) => {
      if (e.type !== 'put') return;
      // The network dropped a message of this put's flood (a fault): the flood is allowed to stop short.
      const dropped = x.droppedIn.get(e.step);
      if (dropped !== undefined) {
        this.notes.push(`put ${e.key}=${e.value} (script line ${e.line}): gossip rule skipped, the network dropped a message of its flood (record line ${dropped + 1})`);
        return;
      }
      const cut = x.cutShortIn.get(e.step);
      if (cut !== undefined) {
        this.notes.push(`put ${e.key}=${e.value} (script line ${e.line}): gossip rule skipped, a message of its flood never arrived (a server on its way was killed; record line ${cut + 1})`);
        return;
      }
      const end = x.lastOfStep.get(e.step) ?? i;
      this.at(end, () => {
        const holders = this.replay.liveServers().filter((s) => same(this.replay.held(s, e.key)?.stamp, e.stamp));
        const reported = new Set<NodeId>();
        for (const a of holders) {
          for (const { id: b, linkedAt } of this.replay.serverNeighbours(a)) {
            const held = this.replay.held(b, e.key);
            if (reported.has(b) || (held && this.order.compare(held.stamp, e.stamp) >= 0)) continue;
            reported.add(b);
            this.flag('gossip', `put ${e.key}=${e.value} ${show(e.stamp)} reached server ${a}, but its flood never reached server ${b}, linked to it ` +
              `(${held ? `which still holds ${held.value} ${show(held.stamp)}` : 'which holds no ' + e.key})`,
            [i, this.replay.held(a, e.key)?.at, linkedAt]);
          }
        }
      });
    });
  }
}

interface RecordIndex {
  /** `step|server|client|key` -> the server's getReply send. */
  getReply: Map<string, number>;
  /** `server|key|stamp` -> the applied event of a put. */
  putApplied: Map<string, number>;
  /** `key\0value\0stamp` of every put -> its event (or a server's apply of a put, traced: its reply may have been dropped). */
  written: Map<string, number>;
  lastOfStep: Map<number, number>;
  /** step -> node -> the first and last of that node's own events caused by the step. */
  nodeSpan: Map<number, Map<NodeId, { first: number; last: number }>>;
  appliedAt: Map<NodeId, number[]>;
  stabilize: Map<number, { begun?: number; done?: number; groups: number[] }>;
  /** step -> the first message of that command the network dropped (a fault). */
  droppedIn: Map<number, number>;
  /** step -> a message of that command whose end never came (a server on its way was killed). */
  cutShortIn: Map<number, number>;
}

function lineOf(e: ClusterEvent | undefined): number | undefined {
  return e && 'line' in e ? e.line : undefined;
}
