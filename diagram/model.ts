// The data of a run's message diagram, built from its causal record (record/events.ts). Pure: no
// DOM, no Node APIs. The page (page.ts) embeds the source of `createDiagramBuilder` and runs the
// same code in the browser, so that events posted later (live following) go through the one
// builder. For that, the builder must stay self-contained: everything it uses is declared inside
// it; only types come from outside.
import { describeMessage } from '../record/describe';
import type { ClusterEvent } from '../record/events';
import type { LossReason, MessageKind, NodeId, Role } from '../protocol/messages';

/** A stretch of rows during which a node was running: from its join to its kill (or the end). */
export interface LaneSegment {
  from: number;
  /** The row of the kill; absent while the node is alive at the end of the record. */
  to?: number;
  line: number;
  endLine?: number;
}

/** One column of the diagram: a server or a client, over all its lives (a killed id may join again). */
export interface DiagramLane {
  node: NodeId;
  role: Role;
  segments: LaneSegment[];
  /** Rows during which the server was paused (pauseServer): `to` is the resume or kill, absent while still paused. */
  paused?: { from: number; to?: number }[];
}

/** One message, from its send to its delivery or loss. */
export interface DiagramArrow {
  msg: string;
  re?: string;
  kind: MessageKind;
  from: NodeId;
  to: NodeId;
  sendRow: number;
  /** The row of the delivery or the loss; -1 while the message is in flight. */
  endRow: number;
  /** Lamport counters: the sender's after sending, the receiver's after receiving. */
  sendCounter: number;
  endCounter?: number;
  lost?: LossReason;
  /** The second copy of a message that arrived twice (a fault): drawn as a second arrow from the same send. */
  duplicate?: true;
  /** ms the network held the message back (a delay fault). */
  delay?: number;
  /** Short label: kind and counters, `gossip 4→6`, `gossip 4→✕` when lost. */
  label: string;
  /** What the message carries, in the words of record/describe.ts (`describeMessage`). */
  details: string;
  line: number;
  step: number;
  /** ms since the run started, at the send and at the end (real runs only). */
  t?: number;
  endT?: number;
}

export type MarkKind = 'join' | 'kill' | 'cut' | 'link' | 'applied' | 'put' | 'get' | 'failed' | 'store' | 'stabilize' | 'group'
  | 'fault' | 'pause' | 'resume';

/** Anything drawn at a row that is not a message: on one lane, between two, or across all of them. */
export interface DiagramMark {
  kind: MarkKind;
  row: number;
  /** stabilize: the row of stabilizeDone (-1 while running). */
  endRow?: number;
  /**
   * The lanes it touches: one node, a link's two ends, a stabilize group's members; none for a
   * stabilize. A fault names its ends that are nodes, sender first (none when both are `*`).
   */
  nodes: NodeId[];
  /** A few words drawn beside it, e.g. `color=blue (2,0)`. */
  label: string;
  /** The whole story, for tooltips and the details bar. */
  text: string;
  line: number;
  step: number;
  t?: number;
}

/** A stretch of consecutive rows caused by the same script line. */
export interface DiagramBand {
  line: number;
  from: number;
  to: number;
  text: string;
}

export interface DiagramModel {
  lanes: DiagramLane[];
  arrows: DiagramArrow[];
  marks: DiagramMark[];
  bands: DiagramBand[];
  /** Number of rows: the time axis, one row per event the diagram shows. */
  rows: number;
  /** Message kinds in order of first appearance. */
  kinds: MessageKind[];
  /** Arrows and marks interleaved in row order (for keyboard navigation): [0, arrowIndex] or [1, markIndex]. */
  order: [0 | 1, number][];
  run?: { seed: number; gossip: string; backend: string };
}

export interface DiagramBuilder {
  add(e: ClusterEvent): void;
  readonly model: DiagramModel;
}

/**
 * An incremental builder: `add` each event in record order; `model` is always up to date.
 *
 * Time axis: one row per event the diagram shows (messages' ends, losses, joins, kills, link
 * changes, applies, put/get results and failures, printStore, stabilize steps), numbered in
 * record order. Events with nothing to draw (stdout, runStarted, runFinished) take no row. So the
 * diagram depends only on the order of the record, never on wall-clock time: a real run and the
 * model of the same script draw the same picture. `t` is kept for tooltips.
 *
 * The links a join creates implicitly (`linkCreated` in the same step as a `nodeStarted` of one
 * of its ends) are not drawn: a join links to every live server, which would draw a fan of marks
 * on every join. createConnection and breakConnection are drawn.
 *
 * Faults: a fault command is a mark; a dropped message's arrow ends in a cross (`lost: 'dropped'`);
 * a message that arrived twice gets a second arrow from the same send (`duplicate`); a paused
 * server's lane records the rows it was paused.
 */
export function createDiagramBuilder(scriptLines?: readonly string[]): DiagramBuilder {
  const model: DiagramModel = { lanes: [], arrows: [], marks: [], bands: [], rows: 0, kinds: [], order: [] };
  const laneOf = new Map<NodeId, DiagramLane>();
  // msg id -> index of its arrow while in flight (a rejoined node numbers its messages afresh,
  // so an id is looked up only until its end is seen).
  const inFlight = new Map<string, number>();
  // msg id -> its arrow once ended: a duplicate's end, right after, copies it.
  const ended = new Map<string, number>();
  const joinStep = new Map<NodeId, number>();
  const stabilizing = new Map<number, number>();

  const stamp = (s: { counter: number; server: number } | null | undefined): string => (s ? '(' + s.counter + ',' + s.server + ')' : 'none');


  const lane = (node: NodeId, role?: Role): DiagramLane => {
    let l = laneOf.get(node);
    if (!l) {
      l = { node, role: role ?? 'server', segments: [] };
      laneOf.set(node, l);
      model.lanes.push(l);
      model.lanes.sort((a, b) => (a.role === b.role ? a.node - b.node : a.role === 'server' ? -1 : 1));
    } else if (role && l.role !== role && l.segments.length === 0) {
      l.role = role;
      model.lanes.sort((a, b) => (a.role === b.role ? a.node - b.node : a.role === 'server' ? -1 : 1));
    }
    return l;
  };

  const row = (line: number): number => {
    const r = model.rows++;
    const last = model.bands[model.bands.length - 1];
    if (last && last.line === line && last.to === r - 1) last.to = r;
    else {
      const src = scriptLines && line > 0 ? scriptLines[line - 1] : undefined;
      model.bands.push({ line, from: r, to: r, text: src !== undefined ? src.trim() : line > 0 ? 'line ' + line : '' });
    }
    return r;
  };

  const mark = (kind: MarkKind, e: { line: number; step: number; t?: number }, nodes: NodeId[], label: string, text: string, endRow?: number): DiagramMark => {
    const m: DiagramMark = { kind, row: row(e.line), nodes, label, text, line: e.line, step: e.step };
    if (endRow !== undefined) m.endRow = endRow;
    if (e.t !== undefined) m.t = e.t;
    model.order.push([1, model.marks.length]);
    model.marks.push(m);
    return m;
  };

  const add = (e: ClusterEvent): void => {
    switch (e.type) {
      case 'runStarted':
        model.run = { seed: e.seed, gossip: e.gossip, backend: e.backend };
        return;
      case 'nodeStarted': {
        const l = lane(e.id, e.role);
        joinStep.set(e.id, e.step);
        const m = mark('join', e, [e.id], 'joined', e.role + ' ' + e.id + ' joined');
        l.segments.push({ from: m.row, line: e.line });
        return;
      }
      case 'nodeKilled': {
        const l = lane(e.id);
        const m = mark('kill', e, [e.id], 'killed', 'server ' + e.id + ' killed');
        const seg = l.segments[l.segments.length - 1];
        if (seg && seg.to === undefined) {
          seg.to = m.row;
          seg.endLine = e.line;
        }
        const p = l.paused && l.paused[l.paused.length - 1];
        if (p && p.to === undefined) p.to = m.row;
        return;
      }
      case 'serverPaused':
      case 'serverResumed': {
        const l = lane(e.server);
        const paused = e.type === 'serverPaused';
        const m = mark(paused ? 'pause' : 'resume', e, [e.server], paused ? 'paused' : 'resumed',
          'server ' + e.server + (paused ? ' paused: what is sent to it waits' : ' resumed'));
        if (paused) (l.paused ??= []).push({ from: m.row });
        else {
          const p = l.paused && l.paused[l.paused.length - 1];
          if (p && p.to === undefined) p.to = m.row;
        }
        return;
      }
      case 'fault': {
        const ends: NodeId[] = [];
        if (e.from !== '*') ends.push(lane(e.from).node);
        if (e.to !== '*') ends.push(lane(e.to).node);
        const what = e.fault === 'delay' ? 'delay ' + (e.maxMs !== undefined && e.maxMs !== e.ms ? e.ms + '-' + e.maxMs : e.ms) + ' ms'
          : e.fault === 'heal' ? 'heal' : e.fault + ' ' + e.p;
        const link = e.from + '→' + e.to;
        mark('fault', e, ends, what + ' ' + link, 'messages from ' + (e.from === '*' ? 'any node' : e.from) + ' to ' + (e.to === '*' ? 'any node' : e.to) + ': ' +
          (e.fault === 'heal' ? 'no fault any more' : what));
        return;
      }
      case 'linkCut':
      case 'linkCreated': {
        const implicit = e.type === 'linkCreated' && (joinStep.get(e.a) === e.step || joinStep.get(e.b) === e.step);
        if (implicit) return;
        lane(e.a);
        lane(e.b);
        mark(e.type === 'linkCut' ? 'cut' : 'link', e, [e.a, e.b], e.type === 'linkCut' ? 'cut ' + e.a + '–' + e.b : 'link ' + e.a + '–' + e.b, 'link ' + e.a + ' – ' + e.b + (e.type === 'linkCut' ? ' cut' : ' created'));
        return;
      }
      case 'send': {
        lane(e.from);
        lane(e.to);
        if (!model.kinds.includes(e.kind)) model.kinds.push(e.kind);
        const a: DiagramArrow = {
          msg: e.msg, kind: e.kind, from: e.from, to: e.to, sendRow: row(e.line), endRow: -1, sendCounter: e.counter,
          label: e.kind + ' ' + e.counter + '→…', details: (e as DrawnEvent).details ?? e.kind, line: e.line, step: e.step,
        };
        if (e.re !== undefined) a.re = e.re;
        if (e.t !== undefined) a.t = e.t;
        if (e.delay) a.delay = e.delay;
        inFlight.set(e.msg, model.arrows.length);
        model.order.push([0, model.arrows.length]);
        model.arrows.push(a);
        return;
      }
      case 'deliver':
      case 'lost': {
        let i = inFlight.get(e.msg);
        if (e.duplicate) {
          // The second copy: drawn again, from the same send to where it arrived.
          const first = ended.get(e.msg);
          if (first === undefined) return;
          const copy: DiagramArrow = { ...model.arrows[first], duplicate: true };
          delete copy.lost;
          delete copy.endCounter;
          delete copy.endT;
          i = model.arrows.length;
          // Navigation goes by send rows: the copy comes right after its original.
          let at = model.order.length;
          while (at > 0 && !(model.order[at - 1][0] === 0 && model.order[at - 1][1] === first)) at--;
          model.order.splice(at === 0 ? model.order.length : at, 0, [0, i]);
          model.arrows.push(copy);
        } else if (i !== undefined) {
          inFlight.delete(e.msg);
          ended.set(e.msg, i);
          // A copy's end comes within a few events of its original's: the oldest need not be kept.
          if (ended.size > 1000) ended.delete(ended.keys().next().value as string);
        }
        if (i === undefined) return;
        const a = model.arrows[i];
        a.endRow = row(e.line);
        if (e.t !== undefined) a.endT = e.t;
        if (e.type === 'deliver') {
          a.endCounter = e.counter;
          a.label = a.kind + ' ' + a.sendCounter + '→' + e.counter;
        } else {
          a.lost = e.reason;
          a.label = a.kind + ' ' + a.sendCounter + '→✕';
        }
        if (a.duplicate) a.label += ' (copy)';
        return;
      }
      case 'applied':
        lane(e.node);
        mark('applied', e, [e.node], e.key + '=' + e.value + ' ' + stamp(e.stamp), 'applied ' + e.key + '=' + e.value + ' ' + stamp(e.stamp) + ' via ' + e.via + ' from ' + e.from + ' (counter ' + e.counter + ')');
        return;
      case 'put':
        lane(e.client, 'client');
        mark('put', e, [e.client], 'put ' + e.key + ' ' + stamp(e.stamp), 'put ' + e.key + '=' + e.value + ' done: server ' + e.server + ' stamped ' + stamp(e.stamp) + ' (counter ' + e.counter + ')');
        return;
      case 'get':
        lane(e.client, 'client');
        mark('get', e, [e.client], e.key + ' = ' + (e.result.kind === 'value' ? e.result.value : e.result.kind), 'get ' + e.key + ' from server ' + e.server + ': ' +
          (e.result.kind === 'value' ? e.result.value + ' ' + stamp(e.result.stamp) : e.result.kind) + ' (counter ' + e.counter + ')');
        return;
      case 'failed':
        lane(e.client, 'client');
        mark('failed', e, [e.client], e.op + ' failed', e.op + ' ' + e.key + ' failed: ' + e.reason);
        return;
      case 'storePrinted':
        lane(e.server);
        mark('store', e, [e.server], 'printStore', 'printStore ' + e.server + ': ' + (e.entries.length === 0 ? 'empty' : e.entries.map((x) => x.key + '=' + x.value + ' ' + stamp(x.stamp)).join(', ')));
        return;
      case 'stabilizeBegun': {
        mark('stabilize', e, [], 'stabilize #' + e.epoch, 'stabilize #' + e.epoch + ' begun', -1);
        stabilizing.set(e.epoch, model.marks.length - 1);
        return;
      }
      case 'stabilizeGroup':
        for (const n of e.members) lane(n);
        mark('group', e, [...e.members].sort((x, y) => x - y), 'group {' + e.members.join(',') + '}', 'stabilize #' + e.epoch + ': group {' + e.members.join(', ') + '} (root ' + e.root + ') identical');
        return;
      case 'stabilizeDone': {
        // The end of the span, a mark of its own (navigable) with endRow = its row.
        const m = mark('stabilize', e, [], 'done #' + e.epoch, 'stabilize #' + e.epoch + ' done');
        m.endRow = m.row;
        const begun = stabilizing.get(e.epoch);
        if (begun !== undefined) {
          model.marks[begun].endRow = m.row;
          stabilizing.delete(e.epoch);
        }
        return;
      }
      default:
        return;
    }
  };

  return { add, model };
}

/** An event as the page gets it: a send carries its words (record/describe.ts), which the builder cannot import. */
export type DrawnEvent = ClusterEvent & { details?: string };

/** The events with each send's `details`, as the page and the builder read them. */
export function withDetails(events: readonly ClusterEvent[]): DrawnEvent[] {
  return events.map((e) => (e.type === 'send' ? { ...e, details: describeMessage(e) } : e));
}

/** The diagram of a whole record. */
export function buildDiagram(events: readonly ClusterEvent[], scriptLines?: readonly string[]): DiagramModel {
  const b = createDiagramBuilder(scriptLines);
  for (const e of withDetails(events)) b.add(e);
  return b.model;
}
