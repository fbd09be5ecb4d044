// The debugger's engine, with no DAP in it: runs a script command by command (it calls
// `run.execute` itself, so it can stop between commands) and, on the in-process model, one
// delivery at a time through the model's `beforeDelivery` hook (a promise it resolves to go on).
//
// A run passes through a sequence of points, each numbered from 0 in the order passed (`seq`):
//   line      before a command runs;
//   delivery  before the model delivers a message (the `delivered` messages before it within the
//             command are done);
//   result    after a get that answered ERR_DEP or ERR_KEY (where the exception filters stop).
// The model is deterministic (fixed seed, one message in flight at a time in settled and off
// modes), so point n of a run is point n of any replay of it: stepping back and reverse continue
// end the run and replay it from scratch, silently, up to an earlier point.
//
// With a schedule (a witness of explore/, any gossip mode) the model delivers in the order the
// schedule says and may hold messages across commands; each replay follows the same schedule, so
// the same holds: that is what makes an async run debuggable.
import { ClusterRun, type Backend } from '../cluster/runner';
import type { ModelHost } from '../cluster/modelHost';
import type { ProcessHostOptions } from '../cluster/processHost';
import type { Command } from '../language/commands';
import { summarizeBody, type Envelope, type GossipMode, type MessageKind, type NodeId, type ProtocolName, type Stamp } from '../protocol/messages';
import { formatStamp } from '../protocol/stamp';
import { ClusterState } from '../record/clusterState';
import { describeGet, describeMessage } from '../record/describe';
import type { ClusterEvent, EventOf } from '../record/events';
import { ScheduleReplay, type Choice } from '../explore/explore';

export type Point =
  | { kind: 'line'; cmd: number }
  | { kind: 'delivery'; cmd: number; delivered: number; message: MessageView }
  | { kind: 'result'; cmd: number; description: string };

export type StopReason = 'entry' | 'breakpoint' | 'step' | 'exception' | 'pause';

export type StopResult =
  | { kind: 'stopped'; reason: StopReason; line: number; description?: string }
  | { kind: 'terminated'; ok: boolean; error?: string };

export interface ExceptionFilters {
  errDep: boolean;
  errKey: boolean;
}

export interface SessionOptions {
  commands: readonly Command[];
  seed: number;
  gossip: GossipMode;
  /** How writes are ordered (docs/protocol.md); the runner's default when absent. */
  protocol?: ProtocolName;
  /** 'model' (default): every operation. 'processes': real node processes, step over only. */
  backend?: Backend;
  process?: ProcessHostOptions;
  /** The model only: the decision points' choices (explore/'s schedule, e.g. a witness); required for gossip 'async'. */
  schedule?: readonly Choice[];
}

export interface SessionListener {
  /** A line the script prints (get, printStore), once per session however often a stretch is replayed. */
  output?(text: string): void;
  /** Every event of the record as the current run makes it (replays included). */
  event?(e: ClusterEvent): void;
}

/** A message as the views show it. */
export interface MessageView {
  /** `FROM.ID`, as the record names it (`FROM.0` for a lost request's bounce). */
  msg: string;
  from: NodeId;
  to: NodeId;
  kind: MessageKind | 'refused' | 'unreachable';
  /** describeMessage's label, e.g. `gossip color=blue (3,0)`. */
  label: string;
  /** The script line that caused it. */
  line: number;
  /** The sender's Lamport counter after the send. */
  counter: number;
}

export interface NodeView {
  id: NodeId;
  role: 'server' | 'client';
  alive: boolean;
  counter?: number;
  links: NodeId[];
  /** Servers: key → value and stamp, by key. */
  store: { key: string; value: string; stamp: Stamp }[];
  /** Clients: key → dependency stamp, by key. */
  deps: { key: string; stamp: Stamp }[];
}

export interface DebugView {
  /** Where the run stands; undefined before it starts and after it ends. */
  point: Point | undefined;
  /** The 1-based script line of the current command (0 when none). */
  line: number;
  command: Command | undefined;
  nodes: NodeView[];
  /** Messages sent and not delivered, in delivery order (the model only; empty on real processes). */
  inFlight: MessageView[];
  /** The message about to be delivered, when stepped in. */
  delivering: MessageView | undefined;
  /** The record of the current run so far. */
  events: readonly ClusterEvent[];
}

type Mode =
  | { kind: 'entry' }
  | { kind: 'continue' }
  | { kind: 'next'; from: number }
  | { kind: 'stepIn' }
  | { kind: 'pause' }
  | { kind: 'seq'; target: number; reason: StopReason };

/** Thrown inside an abandoned run so that its command unwinds and the run ends. */
class Abandoned extends Error {
  constructor() {
    super('abandoned by the debugger');
  }
}

export class DebugSession {
  private readonly commands: readonly Command[];
  private readonly backend: Backend;
  private breakpoints = new Set<number>();
  private filters: ExceptionFilters = { errDep: false, errKey: false };

  // The current run.
  private gen = 0;
  private run: ClusterRun | undefined;
  /** Cuts the current run short (a real process's sleep or a command in progress). */
  private abort: AbortController | undefined;
  private driver: Promise<void> | undefined;
  private events: ClusterEvent[] = [];
  private state = new ClusterState();
  /** Every point the current run has passed, by seq. */
  private points: Point[] = [];
  private mode: Mode = { kind: 'entry' };
  private resume: ((go: boolean) => void) | undefined;
  private waiter: ((r: StopResult) => void) | undefined;
  private finished: StopResult | undefined;
  /** stdout lines of the current run; and the most any run of this session has printed. */
  private printed = 0;
  private printedMax = 0;
  /** Whether the last step forward was a step into (then step back goes back one point, not one line). */
  private steppedIn = false;
  /** The current run's replay of `options.schedule`, which the driver tells the line of each command. */
  private replaying: ScheduleReplay | undefined;

  constructor(private readonly options: SessionOptions, private readonly listener: SessionListener = {}) {
    this.commands = options.commands;
    this.backend = options.backend ?? 'model';
    if (options.schedule && this.backend !== 'model') throw new Error('a schedule needs the model: real processes deliver in their own order');
    if (options.gossip === 'async' && !options.schedule) {
      throw new Error("gossip 'async' needs a schedule (a witness of kvcmd explore): without one the model delivers one message at a time and cannot show races (or use 'settled' or 'off')");
    }
  }

  /** Whether stepping into deliveries and back in time are possible (the model only). */
  get canStepIn(): boolean {
    return this.backend === 'model';
  }

  /** The script lines that hold a command, ascending. */
  commandLines(): number[] {
    return this.commands.map((c) => c.line);
  }

  /** Breakpoints on command lines (other lines never stop). */
  setBreakpoints(lines: Iterable<number>): void {
    this.breakpoints = new Set(lines);
  }

  setExceptionFilters(filters: Partial<ExceptionFilters>): void {
    this.filters = { errDep: filters.errDep ?? false, errKey: filters.errKey ?? false };
  }

  /** Starts the run: stops before the first command with `stopOnEntry`, else at the first breakpoint. */
  start(stopOnEntry: boolean): Promise<StopResult> {
    return this.begin(stopOnEntry ? { kind: 'entry' } : { kind: 'continue' });
  }

  /** Ends the run and starts it again from scratch; the script prints its lines again. */
  async restart(stopOnEntry: boolean): Promise<StopResult> {
    await this.abandon();
    this.printedMax = 0;
    return this.start(stopOnEntry);
  }

  /** To the next breakpoint, exception (filters on) or the end. */
  continue(): Promise<StopResult> {
    return this.go({ kind: 'continue' });
  }

  /** Step over: runs the current command fully and stops before the next one. */
  next(): Promise<StopResult> {
    const at = this.current();
    return this.go({ kind: 'next', from: at ? at.cmd : -1 });
  }

  /** One point on: the next delivery, or the next command when none is left. The model only. */
  stepIn(): Promise<StopResult> {
    this.needModel('step into deliveries');
    const stop = this.go({ kind: 'stepIn' });
    this.steppedIn = true;
    return stop;
  }

  /**
   * One step back, the reverse of the last step: after step into (and from a delivery), the point
   * before this one (the previous delivery or the command's line); otherwise the previous
   * command's line (the reverse of step over).
   */
  stepBack(): Promise<StopResult> {
    this.needModel('step back');
    const seq = this.stoppedSeq();
    const at = this.points[seq];
    let target = 0;
    if (at.kind === 'delivery' || this.steppedIn) target = seq - 1;
    else {
      for (let i = seq - 1; i >= 0; i--) {
        if (this.points[i].kind === 'line') {
          target = i;
          break;
        }
      }
    }
    return this.replay(Math.max(0, target), 'step');
  }

  /** Back to the latest earlier point where continue would have stopped, or the start. */
  reverseContinue(): Promise<StopResult> {
    this.needModel('reverse continue');
    const seq = this.stoppedSeq();
    for (let i = seq - 1; i >= 0; i--) {
      const why = this.stopsAt(this.points[i]);
      this.steppedIn = false;
      if (why) return this.replay(i, why.reason);
    }
    this.steppedIn = false;
    return this.replay(0, 'entry');
  }

  /** Stops at the next point (the model is fast: this matters for real processes and sleeps). */
  pause(): void {
    if (!this.resume && !this.finished && this.driver) this.mode = { kind: 'pause' };
  }

  /** Ends the run (every node shut down). */
  async end(): Promise<void> {
    await this.abandon();
  }

  /** Whether the run is stopped at a point (operations other than pause need that). */
  get stopped(): boolean {
    return this.resume !== undefined;
  }

  /** What the views show now. */
  view(): DebugView {
    const point = this.resume ? this.points[this.points.length - 1] : undefined;
    const cmd = point ? this.commands[point.cmd] : undefined;
    return {
      point,
      line: cmd?.line ?? 0,
      command: cmd,
      nodes: this.nodes(),
      inFlight: this.inFlight(),
      delivering: point?.kind === 'delivery' ? point.message : undefined,
      events: this.events,
    };
  }

  // --- the run ---------------------------------------------------------------------------------

  private begin(mode: Mode): Promise<StopResult> {
    const gen = ++this.gen;
    if (mode.kind !== 'seq') this.steppedIn = false;
    this.mode = mode;
    this.events = [];
    this.state = new ClusterState();
    this.points = [];
    this.printed = 0;
    this.finished = undefined;
    const stop = new Promise<StopResult>((resolve) => (this.waiter = resolve));
    const model = this.backend === 'model';
    this.abort = new AbortController();
    // A fresh replay per run: it counts the decision points it meets from the start.
    const replay = this.options.schedule ? new ScheduleReplay(this.options.schedule, this.options.gossip) : undefined;
    this.replaying = replay;
    this.run = new ClusterRun({
      seed: this.options.seed,
      gossip: this.options.gossip,
      ...(this.options.protocol ? { protocol: this.options.protocol } : {}),
      trace: true,
      backend: this.backend,
      ...(model ? { model: { beforeDelivery: (env: Envelope) => this.beforeDelivery(gen, env), ...(replay ? { schedule: replay.hook } : {}) } } : {}),
      ...(this.options.process ? { process: this.options.process } : {}),
      signal: this.abort.signal,
    }, (e) => this.onEvent(gen, e));
    this.driver = this.drive(gen, this.run);
    return stop;
  }

  private async drive(gen: number, run: ClusterRun): Promise<void> {
    let error: unknown;
    try {
      for (let i = 0; i < this.commands.length; i++) {
        await this.point(gen, { kind: 'line', cmd: i });
        if (gen === this.gen && this.replaying) this.replaying.line = this.commands[i].line;
        const from = this.events.length;
        await run.execute(this.commands[i]);
        const exception = this.exceptionIn(from);
        if (exception) await this.point(gen, { kind: 'result', cmd: i, description: exception });
      }
    } catch (err) {
      error = err;
    }
    if (gen === this.gen && this.replaying) this.replaying.line = undefined;
    const result = await run.end(error);
    if (gen !== this.gen) return;
    this.finished = { kind: 'terminated', ok: result.ok, ...(result.error ? { error: result.error } : {}) };
    this.settle(this.finished);
  }

  private async beforeDelivery(gen: number, env: Envelope): Promise<void> {
    if (gen !== this.gen) throw new Abandoned();
    const at = this.points[this.points.length - 1];
    if (!at) return;
    const delivered = at.kind === 'delivery' ? at.delivered + 1 : 0;
    await this.point(gen, { kind: 'delivery', cmd: at.cmd, delivered, message: messageView(env) });
  }

  /** Passes a point: stops there if the mode says so, and waits to be resumed. */
  private async point(gen: number, p: Point): Promise<void> {
    if (gen !== this.gen) throw new Abandoned();
    const seq = this.points.length;
    this.points.push(p);
    const stop = this.shouldStop(seq, p);
    if (!stop) return;
    // The views follow the record: let it show what happened so far within this command too.
    this.run?.releaseRecorded();
    const go = await new Promise<boolean>((resolve) => {
      this.resume = resolve;
      this.settle({ kind: 'stopped', reason: stop.reason, line: this.commands[p.cmd].line, ...(stop.description ? { description: stop.description } : {}) });
    });
    if (!go || gen !== this.gen) throw new Abandoned();
  }

  private shouldStop(seq: number, p: Point): { reason: StopReason; description?: string } | undefined {
    const m = this.mode;
    switch (m.kind) {
      case 'seq':
        return seq === m.target ? { reason: m.reason, ...(p.kind === 'result' ? { description: p.description } : {}) } : undefined;
      case 'entry':
        return seq === 0 ? { reason: 'entry' } : this.stopsAt(p);
      case 'pause':
        return { reason: 'pause' };
      case 'stepIn':
        return p.kind === 'result' ? { reason: 'step', description: p.description } : { reason: 'step' };
      case 'next':
        if (p.kind === 'line' && p.cmd > m.from) return { reason: 'step' };
        return p.kind === 'result' ? this.stopsAt(p) : undefined;
      case 'continue':
        return this.stopsAt(p);
    }
  }

  /** Where continue stops: a breakpoint's line, a get's ERR_DEP/ERR_KEY when its filter is on. */
  private stopsAt(p: Point): { reason: StopReason; description?: string } | undefined {
    if (p.kind === 'line') return this.breakpoints.has(this.commands[p.cmd].line) ? { reason: 'breakpoint' } : undefined;
    if (p.kind === 'result') {
      const on = p.description.includes('ERR_DEP') ? this.filters.errDep : this.filters.errKey;
      return on ? { reason: 'exception', description: p.description } : undefined;
    }
    return undefined;
  }

  /** The get among the events since `from` that answered ERR_DEP or ERR_KEY, described. */
  private exceptionIn(from: number): string | undefined {
    for (let i = from; i < this.events.length; i++) {
      const e = this.events[i];
      if (e.type === 'get' && e.result.kind !== 'value') return `get ${e.client} ${e.key} → ${describeGet(e.result)}`;
    }
    return undefined;
  }

  private onEvent(gen: number, e: ClusterEvent): void {
    if (gen !== this.gen) return;
    this.events.push(e);
    this.state.apply(e);
    if (e.type === 'stdout' && ++this.printed > this.printedMax) {
      this.printedMax = this.printed;
      this.listener.output?.(e.text);
    }
    this.listener.event?.(e);
  }

  private settle(r: StopResult): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.(r);
  }

  private go(mode: Mode): Promise<StopResult> {
    if (this.finished) return Promise.resolve(this.finished);
    const resume = this.resume;
    if (!resume) return Promise.reject(new Error('the run is not stopped'));
    this.steppedIn = false;
    this.resume = undefined;
    this.mode = mode;
    const stop = new Promise<StopResult>((resolve) => (this.waiter = resolve));
    resume(true);
    return stop;
  }

  private async replay(target: number, reason: StopReason): Promise<StopResult> {
    await this.abandon();
    return this.begin({ kind: 'seq', target, reason });
  }

  /** Ends the current run: a command waiting at a point unwinds, every node shuts down. */
  private async abandon(): Promise<void> {
    this.gen++;
    const resume = this.resume;
    this.resume = undefined;
    resume?.(false);
    // A command still running (the model between two points, a real process's command) ends at once.
    if (this.driver) this.abort?.abort();
    const driver = this.driver;
    this.driver = undefined;
    await driver;
    this.run = undefined;
    this.settle({ kind: 'terminated', ok: false, error: 'ended by the debugger' });
  }

  private current(): Point | undefined {
    return this.resume ? this.points[this.points.length - 1] : undefined;
  }

  private stoppedSeq(): number {
    if (!this.resume) throw new Error('the run is not stopped');
    return this.points.length - 1;
  }

  private needModel(what: string): void {
    if (this.backend !== 'model') {
      throw new Error(`cannot ${what} on real processes: only the in-process model can be held before a delivery and replayed (launch with "backend": "model")`);
    }
  }

  // --- views -----------------------------------------------------------------------------------

  private nodes(): NodeView[] {
    const host = this.backend === 'model' && this.run ? (this.run.host as ModelHost) : undefined;
    const out: NodeView[] = [];
    for (const id of this.state.ids()) {
      const role = this.state.roleOf(id);
      const snap = host?.peek(id);
      if (host) {
        if (!snap) out.push({ id, role, alive: false, links: [], store: [], deps: [] });
        else out.push({ id, role, alive: true, counter: snap.counter, links: [...snap.links], store: snap.store.map((e) => ({ ...e })), deps: snap.deps.map((d) => ({ ...d })) });
        continue;
      }
      // Real processes: the cluster as the record of the run says it is.
      const s = this.state.servers.get(id);
      const c = this.state.clients.get(id);
      const alive = this.state.isAlive(id);
      const store = s ? [...s.store.values()].sort(byKey).map((k) => ({ key: k.key, value: k.value, stamp: k.stamp })) : [];
      const deps = c ? [...c.deps.values()].sort(byKey).map((d) => ({ key: d.key, stamp: d.stamp })) : [];
      const counter = (s ?? c)?.counter;
      out.push({ id, role, alive, ...(alive && counter !== undefined ? { counter } : {}), links: this.state.linksOf(id), store, deps });
    }
    return out;
  }

  private inFlight(): MessageView[] {
    if (this.backend !== 'model' || !this.run) return [];
    return (this.run.host as ModelHost).inFlight().map(messageView);
  }
}

const byKey = (a: { key: string }, b: { key: string }): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** A message in flight, named and labelled as the record would name its send. */
export function messageView(env: Envelope): MessageView {
  const base = { msg: `${env.from}.${env.id}`, from: env.from, to: env.to, line: env.cause.line, counter: env.counter };
  const b = env.body;
  if (b.type === 'refused' || b.type === 'unreachable') {
    return { ...base, kind: b.type, label: `${b.type === 'refused' ? 'refused (link cut)' : 'unreachable'}: request ${env.to}.${env.replyTo} lost` };
  }
  const send: EventOf<'send'> = {
    type: 'send', line: env.cause.line, step: env.cause.step, msg: base.msg, from: env.from, to: env.to, kind: b.type,
    node: env.from, counter: env.counter, body: summarizeBody(b), ...(env.replyTo ? { re: `${env.to}.${env.replyTo}` } : {}),
  };
  return { ...base, kind: b.type, label: describeMessage(send) };
}



/** `blue (3,0)`: a store entry as the Nodes view shows it. */
export function formatEntry(e: { value: string; stamp: Stamp }): string {
  return `${e.value} ${formatStamp(e.stamp)}`;
}
