// Exploring a script's schedules on the model: every order in which the messages in flight may be
// delivered, and (in async gossip mode) every choice of which to leave in flight across the
// following commands. Stateless model checking: a schedule is the list of choices made at the
// decision points; each schedule is replayed from scratch (the model is deterministic).
//
// Partial-order reduction (sleep sets): two deliveries to different nodes commute, since each one
// reads and writes only its receiver's state and what it sends stays in flight whichever lands
// first. Once the subtree under "deliver m first" has been run, m is put to sleep in its siblings'
// subtrees and stays asleep until a delivery to m's receiver (or a hold, which lets the master act
// on any node) happens; an asleep message is never chosen. Every Mazurkiewicz trace (schedules
// equal up to reordering independent deliveries) is then run exactly once. A run in which every
// message that could land is asleep can only repeat an order already run: it is cut short.
import type { Command } from '../language/commands';
import { isLostReply, type Envelope, type GossipMode, type ProtocolName } from '../protocol/messages';
import type { ClusterEvent } from '../record/events';
import type { DeliveryChoice, DeliveryPoint, ModelHostOptions } from '../cluster/modelHost';
import { ClusterRun } from '../cluster/runner';
import { checkRecord } from '../check/checker';
import type { Violation } from '../check/checker';

/** One choice at a decision point: the index of the in-flight message delivered next, or 'h' (hold the rest). */
export type Choice = number | 'h';

/** A decision point met in a run, with the choice made there. */
export interface Decision {
  choice: Choice;
  /** Messages in flight at that point (indexes 0..messages-1 are choices). */
  messages: number;
  /** Whether 'h' was a choice (async mode, the control's answer in). */
  canHold: boolean;
}

export interface ScheduleSettings {
  seed: number;
  /** 'async' (the point of exploring); 'settled' and 'off' explore only delivery orders, never hold. */
  gossip: GossipMode;
  /** How writes are ordered (docs/protocol.md); the runner's default when absent. */
  protocol?: ProtocolName;
  /** The model's node factory (tests: deliberately broken servers); default protocol's. */
  createNode?: ModelHostOptions['createNode'];
}

export interface ScheduleRun {
  /** The script's stdout, one line per get or store entry. */
  stdout: string;
  /** The run reached its end (otherwise `error` says why). */
  ok: boolean;
  error?: string;
  /** Set when the run stopped because the schedule does not fit it (then `ok` is false). */
  scheduleError?: ScheduleError;
  /** put/get operations that failed (no reachable server). */
  failedOps: number;
  /** Every decision point met (points with a single possible choice are not decisions). */
  decisions: Decision[];
  violations: Violation[];
  events: ClusterEvent[];
}

/**
 * The compact text of a schedule: choices joined by '.', 'h' for hold, '-' for the empty schedule.
 * Trailing 0s are dropped: past the given choices a replay takes choice 0 (the oldest message).
 */
export function formatSchedule(choices: readonly Choice[]): string {
  let end = choices.length;
  while (end > 0 && choices[end - 1] === 0) end--;
  return end === 0 ? '-' : choices.slice(0, end).join('.');
}

/**
 * A schedule that cannot be read or does not fit a run. `choice` is the 1-based position of the
 * offending choice in the schedule; `line` the script line whose command was running when it was
 * met (undefined: after the last command, when held messages land, or not known).
 */
export class ScheduleError extends Error {
  constructor(message: string, readonly choice?: number, readonly line?: number) {
    super(message);
  }
}

const MAX_CHOICE = 999_999;

export function parseSchedule(text: string): Choice[] {
  const t = text.trim();
  if (t === '' || t === '-') return [];
  return t.split('.').map((part, i) => {
    if (part === 'h') return 'h';
    if (/^[0-9]+$/.test(part) && Number(part) <= MAX_CHOICE) return Number(part);
    const what = part === '' ? 'is empty (two dots in a row, or a dot at an end)' : `('${part}') is not a message index (0 to ${MAX_CHOICE}) or h`;
    throw new ScheduleError(`choice ${i + 1} ${what}: a schedule is choices joined by '.', e.g. 0.2.h.1, or - for none`, i + 1);
  });
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Replays one schedule: `hook` is the model's schedule (ModelHostOptions.schedule) for one run,
 * taking the given choices at the decision points in order and choice 0 past their end. A choice
 * that does not fit its point throws a ScheduleError (kept in `failure`). A driver that sets `line`
 * before each command gets located errors. One replay per run: the hook counts the points it meets.
 */
export class ScheduleReplay {
  readonly decisions: Decision[] = [];
  /** The script line of the command running now (the driver's to set); undefined after the last one. */
  line: number | undefined;
  failure: ScheduleError | undefined;

  constructor(private readonly choices: readonly Choice[], private readonly gossip: GossipMode) {}

  readonly hook = (point: DeliveryPoint): DeliveryChoice => {
    const canHold = point.canHold && this.gossip === 'async';
    const messages = point.inFlight.length;
    if (messages + (canHold ? 1 : 0) < 2) return 0;
    const i = this.decisions.length;
    const choice = i < this.choices.length ? this.choices[i] : 0;
    if (choice === 'h' ? !canHold : choice >= messages) {
      const offered = canHold ? `0 to ${messages - 1} or h` : messages === 1 ? 'only 0' : `0 to ${messages - 1}, and hold is not possible here`;
      const why = choice === 'h' && this.gossip !== 'async' ? ` (gossip ${this.gossip} never holds)` : '';
      const where = this.line === undefined ? ' (after the last command, as held messages land)' : '';
      this.failure = new ScheduleError(`choice ${i + 1} ('${choice}') does not fit${where}: ${plural(messages, 'message')} in flight, so ${offered}${why}`, i + 1, this.line);
      throw this.failure;
    }
    this.decisions.push({ choice, messages, canHold });
    return choice === 'h' ? 'hold' : choice;
  };

  /** After a complete run: choices left over that are not 0 mean the schedule is not one of this run's. */
  leftover(): ScheduleError | undefined {
    const used = this.decisions.length;
    const extra = this.choices.slice(used);
    const at = extra.findIndex((c) => c !== 0);
    if (at < 0) return undefined;
    return new ScheduleError(`choice ${used + at + 1} ('${extra[at]}') is never used: the run meets only ${plural(used, 'decision point')} with this schedule`, used + at + 1);
  }
}

export interface RunScheduleOptions {
  /** Record the run and check it (default true); without it only stdout and the fit are known. */
  check?: boolean;
}

/**
 * Runs the script once on the model under the schedule `choices` (choice 0 past their end), traced,
 * and checks its record. Choices that do not fit a decision point end the run with an error, and so
 * do non-zero choices left over at its end.
 */
export async function runSchedule(commands: readonly Command[], settings: ScheduleSettings, choices: readonly Choice[], options: RunScheduleOptions = {}): Promise<ScheduleRun> {
  const check = options.check ?? true;
  const replay = new ScheduleReplay(choices, settings.gossip);
  const events: ClusterEvent[] = [];
  const run = new ClusterRun({
    seed: settings.seed, gossip: settings.gossip, ...(settings.protocol ? { protocol: settings.protocol } : {}), trace: check, backend: 'model',
    model: { schedule: replay.hook, ...(settings.createNode ? { createNode: settings.createNode } : {}) },
  }, (e) => events.push(e));
  let error: unknown;
  try {
    for (const cmd of commands) {
      replay.line = cmd.line;
      await run.execute(cmd);
    }
  } catch (err) {
    error = err;
  }
  replay.line = undefined;
  const result = await run.end(error);
  const scheduleError = replay.failure ?? (result.ok ? replay.leftover() : undefined);
  let stdout = '';
  let failedOps = 0;
  for (const e of events) {
    if (e.type === 'stdout') stdout += e.text + '\n';
    else if (e.type === 'failed') failedOps++;
  }
  const ok = result.ok && scheduleError === undefined;
  const violations = ok && check ? checkRecord(events).violations : [];
  return {
    stdout, ok, ...(ok ? {} : { error: scheduleError?.message ?? result.error ?? '?' }), ...(scheduleError ? { scheduleError } : {}),
    failedOps, decisions: replay.decisions, violations, events,
  };
}

/**
 * Whether `choices` fits the script's run (a quick untraced run on the model): undefined when it
 * does, else the located reason. What `kvcmd run --schedule` and the debugger check before running.
 */
export async function scheduleMisfit(commands: readonly Command[], settings: ScheduleSettings, choices: readonly Choice[]): Promise<ScheduleError | undefined> {
  return (await runSchedule(commands, settings, choices, { check: false })).scheduleError;
}

/** The schedule after `decisions` in depth-first order (choices 0..n-1 then 'h' at each point), or undefined when none is left. */
export function nextSchedule(decisions: readonly Decision[]): Choice[] | undefined {
  for (let i = decisions.length - 1; i >= 0; i--) {
    const d = decisions[i];
    let next: Choice | undefined;
    if (d.choice === 'h') next = undefined;
    else if (d.choice + 1 < d.messages) next = d.choice + 1;
    else if (d.canHold) next = 'h';
    if (next !== undefined) return [...decisions.slice(0, i).map((x) => x.choice), next];
  }
  return undefined;
}

/** A word safe in a POSIX shell as it is, or quoted. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line that replays `witness` exactly: `kvcmd run FILE --model --gossip M --seed N
 * --schedule W`, with `--protocol P` when one was chosen on the command line (a script's own
 * protocol directive applies to the replay by itself).
 */
export function replayCommand(file: string, settings: { gossip: GossipMode; seed: number; protocol?: ProtocolName }, witness: string): string {
  const protocol = settings.protocol ? ` --protocol ${settings.protocol}` : '';
  return `kvcmd run ${shellWord(file)} --model --gossip ${settings.gossip} --seed ${settings.seed}${protocol} --schedule ${witness}`;
}

export interface ExploreOptions extends ScheduleSettings {
  /** Stop after this many schedules (the report then says the exploration was not exhaustive). */
  maxSchedules: number;
  /** Stop after this much time (ms), if given. */
  maxMs?: number;
  /** Partial-order reduction (sleep sets); default on. Off: every order of every delivery is run. */
  reduce?: boolean;
  signal?: AbortSignal;
}

export interface OutcomeReport {
  stdout: string;
  /** Schedules that gave this stdout. */
  count: number;
  /** The shortest schedule (compact text) giving it, among those explored; the first found on a tie. */
  witness: string;
}

export interface ViolationReport {
  rule: string;
  message: string;
  lines: number[];
  count: number;
  witness: string;
}

export interface ErrorReport {
  error: string;
  count: number;
  witness: string;
}

/** What one get or printStore line printed across the schedules run. */
export interface LineReport {
  /** 1-based script line. */
  line: number;
  command: 'get' | 'printStore';
  /** Each distinct result, most schedules first: `k:a`, a store as `k:a j:b`, `(empty)`, `failed: why`. */
  outcomes: { text: string; count: number; witness: string }[];
}

export interface ExploreReport {
  gossip: GossipMode;
  seed: number;
  /** Schedules run to their end (or to a broken run), each counted once. */
  schedules: number;
  /** Runs cut short by the reduction: every way on from there had been run already. */
  pruned: number;
  /** Every schedule was run (no cut by --max-schedules, the time budget or a cancel). */
  exhaustive: boolean;
  /** Why the exploration stopped early, when it did. */
  stoppedBy?: 'schedules' | 'time' | 'cancelled';
  /** Whether independent deliveries were run in one order only (partial-order reduction). */
  reduced: boolean;
  /** The most decision points met in one run. */
  maxDecisions: number;
  /** Distinct stdouts, most schedules first. */
  outcomes: OutcomeReport[];
  /** Per get or printStore line, in line order: what it printed, with counts and witnesses. */
  lines: LineReport[];
  /** Checker violations (rule and message), each with the schedules showing it and the shortest witness. */
  violations: ViolationReport[];
  /** Runs that did not reach their end. */
  errors: ErrorReport[];
  /** Schedules in which some put or get failed. */
  failedOpsSchedules: number;
  ms: number;
}

interface Tally {
  count: number;
  witness: string;
  length: number;
}

function tally<T extends Tally>(map: Map<string, T>, key: string, witness: string, make: () => Omit<T, keyof Tally>): void {
  const length = witness === '-' ? 0 : witness.split('.').length;
  const t = map.get(key);
  if (!t) map.set(key, { ...make(), count: 1, witness, length } as T);
  else {
    t.count++;
    if (length < t.length) Object.assign(t, { witness, length });
  }
}

/** What each get and printStore line printed in one run, by line (the lines that ran). */
function linesPrinted(commands: readonly Command[], events: readonly ClusterEvent[]): Map<number, string> {
  const printed = new Map<number, string[]>();
  const failed = new Map<number, string>();
  for (const e of events) {
    if (e.type === 'stdout') {
      let list = printed.get(e.line);
      if (!list) printed.set(e.line, (list = []));
      list.push(e.text);
    } else if (e.type === 'failed') failed.set(e.line, `failed: ${e.reason}`);
  }
  const out = new Map<number, string>();
  for (const c of commands) {
    if (c.name !== 'get' && c.name !== 'printStore') continue;
    const text = printed.get(c.line)?.join(' ') ?? failed.get(c.line) ?? (c.name === 'printStore' ? '(empty)' : '(nothing)');
    out.set(c.line, text);
  }
  return out;
}

/** A message in flight, named the same in every run where it is sent (its sender's number for it, its counter). */
function messageKey(env: Envelope): string {
  return isLostReply(env) ? `${env.body.type}:${env.to}.${env.replyTo}` : `${env.from}.${env.id}@${env.counter}>${env.to}`;
}

/** A decision point on the depth-first path: what was met there and what has been tried. */
interface PathNode {
  choice: Choice;
  messages: number;
  canHold: boolean;
  keys: string[];
  dests: number[];
  /** The sleep set on arrival: message key → receiver. */
  sleep: Map<string, number>;
  /** Choices whose subtrees have been run, in order. */
  tried: number[];
}

/** Thrown by the exploring hook when every continuation has been run already (sleep-set blocked). */
class Pruned extends Error {}

/**
 * Drives the depth-first search over decision points, one run at a time. `hook` is the model's
 * schedule for the current run: it follows the path's choices, then extends the path with the first
 * choice not asleep. `advance` moves to the next path after a run; false when none is left.
 */
class DepthFirst {
  private readonly path: PathNode[] = [];
  private depth = 0;
  private sleep = new Map<string, number>();
  decisions: Decision[] = [];
  pruned = false;

  constructor(private readonly gossip: GossipMode, private readonly reduce: boolean) {}

  /** Before each run. */
  begin(): void {
    this.depth = 0;
    this.sleep = new Map();
    this.decisions = [];
    this.pruned = false;
  }

  readonly hook = (point: DeliveryPoint): DeliveryChoice => {
    const canHold = point.canHold && this.gossip === 'async';
    const n = point.inFlight.length;
    if (n + (canHold ? 1 : 0) < 2) {
      // No decision, but the delivery still wakes what sleeps for its receiver.
      if (this.reduce) {
        const env = point.inFlight[0];
        if (this.sleep.has(keyAmong(point.inFlight, 0))) this.prune();
        this.afterDelivery(this.sleep, env.to);
      }
      return 0;
    }
    let node = this.path[this.depth];
    if (!node) {
      const keys = point.inFlight.map((_, i) => keyAmong(point.inFlight, i));
      const first = this.firstAwake(0, n, canHold, keys, this.sleep);
      if (first === undefined) this.prune();
      node = { choice: first, messages: n, canHold, keys, dests: point.inFlight.map((e) => e.to), sleep: this.sleep, tried: [] };
      this.path.push(node);
    }
    this.depth++;
    this.decisions.push({ choice: node.choice, messages: n, canHold });
    if (this.reduce) {
      if (node.choice === 'h') this.sleep = new Map();
      else {
        const next = new Map(node.sleep);
        for (const t of node.tried) next.set(node.keys[t], node.dests[t]);
        this.afterDelivery(next, node.dests[node.choice]);
        this.sleep = next;
      }
    }
    return node.choice === 'h' ? 'hold' : node.choice;
  };

  /** Moves to the next path in depth-first order; false when every path has been run. */
  advance(): boolean {
    // A pruned run ended at a point not on the path: the path's deepest node is where to go on.
    this.path.length = Math.min(this.path.length, this.depth);
    while (this.path.length > 0) {
      const node = this.path[this.path.length - 1];
      if (node.choice !== 'h') {
        node.tried.push(node.choice);
        const next = this.firstAwake(node.choice + 1, node.messages, node.canHold, node.keys, node.sleep);
        if (next !== undefined) {
          node.choice = next;
          return true;
        }
      }
      this.path.pop();
    }
    return false;
  }

  private firstAwake(from: number, n: number, canHold: boolean, keys: string[], sleep: Map<string, number>): Choice | undefined {
    for (let i = from; i < n; i++) if (!this.reduce || !sleep.has(keys[i])) return i;
    // Hold is never asleep: it lets the master act on any node, so it depends on every delivery.
    return canHold ? 'h' : undefined;
  }

  /** A delivery to `to` wakes every message asleep for the same receiver. */
  private afterDelivery(sleep: Map<string, number>, to: number): void {
    for (const [k, dest] of sleep) if (dest === to) sleep.delete(k);
  }

  private prune(): never {
    this.pruned = true;
    throw new Pruned('every continuation of this schedule has been run already');
  }
}

/** The key of message i among those in flight (two alike, which a node's restart could make, are told apart by rank). */
function keyAmong(inFlight: readonly Envelope[], i: number): string {
  const key = messageKey(inFlight[i]);
  let rank = 0;
  for (let j = 0; j < i; j++) if (messageKey(inFlight[j]) === key) rank++;
  return rank === 0 ? key : `${key}#${rank}`;
}

/** Work between two yields to the event loop, so that a signal (Ctrl-C, an editor's cancel) gets through. */
const SLICE_MS = 10;

/**
 * Depth-first over the decision points, each schedule replayed from scratch, with sleep sets unless
 * `reduce` is false: every complete schedule (up to the order of independent deliveries) is run
 * once, until none is left or a budget is reached. A witness is the shortest schedule (fewest
 * choices once trailing 0s are dropped) among those run.
 */
export async function explore(commands: readonly Command[], options: ExploreOptions): Promise<ExploreReport> {
  const started = performance.now();
  const reduce = options.reduce ?? true;
  const outcomes = new Map<string, Tally & { stdout: string }>();
  const violations = new Map<string, Tally & { rule: string; message: string; lines: number[] }>();
  const errors = new Map<string, Tally & { error: string }>();
  const lines = new Map<number, Map<string, Tally & { text: string }>>();
  const printing = commands.filter((c): c is Extract<Command, { name: 'get' | 'printStore' }> => c.name === 'get' || c.name === 'printStore');
  for (const c of printing) lines.set(c.line, new Map());
  let schedules = 0;
  let pruned = 0;
  let maxDecisions = 0;
  let failedOpsSchedules = 0;
  let stoppedBy: ExploreReport['stoppedBy'];
  const search = new DepthFirst(options.gossip, reduce);
  let more = true;
  let slice = performance.now();
  // Between two commands of a schedule too: a long script's one schedule takes seconds, and would
  // otherwise hold the event loop (an editor's language server) and overrun the budget that long.
  const goOn = async (): Promise<boolean> => {
    if (performance.now() - slice >= SLICE_MS) {
      await new Promise((r) => setImmediate(r));
      slice = performance.now();
    }
    if (options.signal?.aborted) stoppedBy = 'cancelled';
    else if (options.maxMs !== undefined && performance.now() - started >= options.maxMs) stoppedBy = 'time';
    return stoppedBy === undefined;
  };
  while (more) {
    if (options.signal?.aborted) { stoppedBy = 'cancelled'; break; }
    if (schedules >= options.maxSchedules) { stoppedBy = 'schedules'; break; }
    if (options.maxMs !== undefined && performance.now() - started >= options.maxMs) { stoppedBy = 'time'; break; }
    search.begin();
    const events: ClusterEvent[] = [];
    const run = await runCommandsOn(commands, options, search.hook, events, goOn);
    // Stopped in the middle: that schedule is not counted.
    if (run.stopped) break;
    if (search.pruned) pruned++;
    else {
      schedules++;
      const witness = formatSchedule(search.decisions.map((d) => d.choice));
      maxDecisions = Math.max(maxDecisions, search.decisions.length);
      let failed = false;
      let stdout = '';
      for (const e of events) {
        if (e.type === 'stdout') stdout += e.text + '\n';
        else if (e.type === 'failed') failed = true;
      }
      if (failed) failedOpsSchedules++;
      if (!run.ok) tally(errors, run.error ?? '?', witness, () => ({ error: run.error ?? '?' }));
      else {
        tally(outcomes, stdout, witness, () => ({ stdout }));
        for (const [line, text] of linesPrinted(printing, events)) tally(lines.get(line)!, text, witness, () => ({ text }));
        for (const v of checkRecord(events).violations) tally(violations, `${v.rule}: ${v.message}`, witness, () => ({ rule: v.rule, message: v.message, lines: v.lines }));
      }
    }
    more = search.advance();
    if (performance.now() - slice >= SLICE_MS) {
      await new Promise((r) => setImmediate(r));
      slice = performance.now();
    }
  }
  const byCount = <T extends Tally>(a: T, b: T): number => b.count - a.count;
  const strip = <T extends Tally>({ length: _length, ...rest }: T): Omit<T, 'length'> => rest;
  const exhaustive = !more;
  return {
    gossip: options.gossip,
    seed: options.seed,
    schedules,
    pruned,
    exhaustive,
    ...(exhaustive ? {} : { stoppedBy: stoppedBy ?? 'schedules' }),
    reduced: reduce,
    maxDecisions,
    outcomes: [...outcomes.values()].sort((a, b) => byCount(a, b) || (a.stdout < b.stdout ? -1 : 1)).map(strip),
    lines: printing.map((c) => ({
      line: c.line, command: c.name,
      outcomes: [...lines.get(c.line)!.values()].sort((a, b) => byCount(a, b) || (a.text < b.text ? -1 : 1)).map(strip),
    })),
    violations: [...violations.values()].sort(byCount).map(strip),
    errors: [...errors.values()].sort(byCount).map(strip),
    failedOpsSchedules,
    ms: performance.now() - started,
  };
}

/** One traced run of the script under an explorer's hook. */
async function runCommandsOn(commands: readonly Command[], settings: ScheduleSettings, schedule: ModelHostOptions['schedule'], events: ClusterEvent[],
  goOn?: () => Promise<boolean>): Promise<{ ok: boolean; error?: string; stopped?: boolean }> {
  const run = new ClusterRun({
    seed: settings.seed, gossip: settings.gossip, ...(settings.protocol ? { protocol: settings.protocol } : {}), trace: true, backend: 'model',
    model: { schedule, ...(settings.createNode ? { createNode: settings.createNode } : {}) },
  }, (e) => events.push(e));
  let error: unknown;
  try {
    for (const cmd of commands) {
      await run.execute(cmd);
      if (goOn && !(await goOn())) {
        await run.end(new Error('stopped'));
        return { ok: false, stopped: true };
      }
    }
  } catch (err) {
    error = err;
  }
  return run.end(error);
}
