// Exploring a script's schedules on the model: every order in which the messages in flight may be
// delivered, and (in async gossip mode) every choice of which to leave in flight across the
// following commands. Stateless model checking: a schedule is the list of choices made at the
// decision points; each schedule is replayed from scratch (the model is deterministic).
import type { Command } from '../language/commands';
import type { GossipMode } from '../protocol/messages';
import type { ClusterEvent } from '../record/events';
import type { DeliveryPoint, ModelHostOptions } from '../cluster/modelHost';
import { runCommands } from '../cluster/runner';
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
  /** The model's node factory (tests: deliberately broken servers); default protocol's. */
  createNode?: ModelHostOptions['createNode'];
}

export interface ScheduleRun {
  /** The script's stdout, one line per get or store entry. */
  stdout: string;
  /** The run reached its end (otherwise `error` says why). */
  ok: boolean;
  error?: string;
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

export class ScheduleError extends Error {}

export function parseSchedule(text: string): Choice[] {
  const t = text.trim();
  if (t === '' || t === '-') return [];
  return t.split('.').map((part) => {
    if (part === 'h') return 'h';
    if (/^[0-9]{1,6}$/.test(part)) return Number(part);
    throw new ScheduleError(`a schedule is choices joined by '.', each a message index or 'h' (e.g. 0.2.h.1), not '${text}'`);
  });
}

/**
 * Runs the script once on the model under the schedule `choices` (choice 0 past their end), traced,
 * and checks its record. Choices that do not fit a decision point end the run with an error.
 */
export async function runSchedule(commands: readonly Command[], settings: ScheduleSettings, choices: readonly Choice[]): Promise<ScheduleRun> {
  const decisions: Decision[] = [];
  const schedule = (point: DeliveryPoint): number | 'hold' => {
    const canHold = point.canHold && settings.gossip === 'async';
    const messages = point.inFlight.length;
    if (messages + (canHold ? 1 : 0) < 2) return 0;
    const i = decisions.length;
    const choice = i < choices.length ? choices[i] : 0;
    if (choice === 'h' ? !canHold : choice >= messages) {
      throw new ScheduleError(`schedule choice ${i + 1} ('${choice}') does not fit: ${messages} message${messages === 1 ? '' : 's'} in flight${canHold ? ' or h' : ', hold not possible'}`);
    }
    decisions.push({ choice, messages, canHold });
    return choice === 'h' ? 'hold' : choice;
  };
  const events: ClusterEvent[] = [];
  const result = await runCommands(commands, { seed: settings.seed, gossip: settings.gossip, trace: true, backend: 'model', model: { schedule, ...(settings.createNode ? { createNode: settings.createNode } : {}) } }, (e) => events.push(e));
  let stdout = '';
  let failedOps = 0;
  for (const e of events) {
    if (e.type === 'stdout') stdout += e.text + '\n';
    else if (e.type === 'failed') failedOps++;
  }
  const violations = result.ok ? checkRecord(events).violations : [];
  return { stdout, ok: result.ok, ...(result.error !== undefined ? { error: result.error } : {}), failedOps, decisions, violations, events };
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

export interface ExploreOptions extends ScheduleSettings {
  /** Stop after this many schedules (the report then says the exploration was not exhaustive). */
  maxSchedules: number;
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

export interface ExploreReport {
  gossip: GossipMode;
  seed: number;
  schedules: number;
  /** Every schedule was run (no --max-schedules cut). */
  exhaustive: boolean;
  /** The most decision points met in one run. */
  maxDecisions: number;
  /** Distinct stdouts, most schedules first. */
  outcomes: OutcomeReport[];
  /** Checker violations (rule and message), each with the schedules showing it and the shortest witness. */
  violations: ViolationReport[];
  /** Runs that did not reach their end. */
  errors: ErrorReport[];
  /** Schedules in which some put or get failed. */
  failedOpsSchedules: number;
}

interface Tally {
  count: number;
  witness: string;
  length: number;
}

function tally<T extends Tally>(map: Map<string, T>, key: string, choices: readonly Choice[], make: () => Omit<T, keyof Tally>): void {
  const witness = formatSchedule(choices);
  const length = witness === '-' ? 0 : witness.split('.').length;
  const t = map.get(key);
  if (!t) map.set(key, { ...make(), count: 1, witness, length } as T);
  else {
    t.count++;
    if (length < t.length) Object.assign(t, { witness, length });
  }
}

/**
 * Depth-first over the decision points, each schedule replayed from scratch: every complete
 * schedule is run once (each is a distinct path, so no prefix is run twice as a whole schedule),
 * until none is left or `maxSchedules` have run. A witness is the shortest schedule (fewest choices
 * once trailing 0s are dropped) among those run: the shortest of all when the exploration is exhaustive.
 */
export async function explore(commands: readonly Command[], options: ExploreOptions): Promise<ExploreReport> {
  const outcomes = new Map<string, Tally & { stdout: string }>();
  const violations = new Map<string, Tally & { rule: string; message: string; lines: number[] }>();
  const errors = new Map<string, Tally & { error: string }>();
  let schedules = 0;
  let maxDecisions = 0;
  let failedOpsSchedules = 0;
  let next: Choice[] | undefined = [];
  while (next !== undefined && schedules < options.maxSchedules) {
    if (options.signal?.aborted) break;
    const run = await runSchedule(commands, options, next);
    schedules++;
    const choices = run.decisions.map((d) => d.choice);
    maxDecisions = Math.max(maxDecisions, run.decisions.length);
    if (run.failedOps > 0) failedOpsSchedules++;
    if (!run.ok) tally(errors, run.error ?? '?', choices, () => ({ error: run.error ?? '?' }));
    else tally(outcomes, run.stdout, choices, () => ({ stdout: run.stdout }));
    for (const v of run.violations) tally(violations, `${v.rule}: ${v.message}`, choices, () => ({ rule: v.rule, message: v.message, lines: v.lines }));
    next = nextSchedule(run.decisions);
    // Let a signal (Ctrl-C) in between schedules.
    if (schedules % 256 === 0) await new Promise((r) => setImmediate(r));
  }
  const byCount = <T extends Tally>(a: T, b: T): number => b.count - a.count;
  const strip = <T extends Tally>({ length: _length, ...rest }: T): Omit<T, 'length'> => rest;
  return {
    gossip: options.gossip,
    seed: options.seed,
    schedules,
    exhaustive: next === undefined,
    maxDecisions,
    outcomes: [...outcomes.values()].sort((a, b) => byCount(a, b) || (a.stdout < b.stdout ? -1 : 1)).map(strip),
    violations: [...violations.values()].sort(byCount).map(strip),
    errors: [...errors.values()].sort(byCount).map(strip),
    failedOpsSchedules,
  };
}
