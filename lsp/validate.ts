// What clients send is checked before the server keeps it: a malformed `kvcmd/runResults` must
// not make every later hover fail. Each event of a pushed run is checked against the record's
// format (record/events.ts, docs/events.md); a malformed event is dropped (and counted, so that
// the server can log a warning), the rest of the run is kept. The format is record/schema.ts, as
// for record files (check/record.ts); here the events arrive as JSON values, not lines of a file.
import type { ClusterEvent } from '../record/events';
import { eventProblem as shapeProblem, isObject } from '../record/schema';
import type { RunResultsParams } from './customMessages';

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Why an event is malformed, or undefined when it is a well-formed event of the record's format. */
export function eventProblem(e: unknown): string | undefined {
  return shapeProblem(e)?.problem;
}

export interface CheckedRunResults {
  /** The notification with only its well-formed events; undefined when it cannot be used at all. */
  params?: RunResultsParams;
  /** What was wrong: one entry per dropped event kind of problem (with a count), or why it was refused. */
  problems: string[];
  dropped: number;
}

/** Checks a `kvcmd/runResults` notification as it arrived. */
export function checkRunResults(raw: unknown): CheckedRunResults {
  if (!isObject(raw)) return { problems: ['the notification is not an object'], dropped: 0 };
  if (typeof raw.uri !== 'string') return { problems: ['uri is not a string'], dropped: 0 };
  if (!Number.isInteger(raw.version)) return { problems: ['version is not an integer'], dropped: 0 };
  if (!isInt(raw.seed)) return { problems: ['seed is not a non-negative integer'], dropped: 0 };
  if (typeof raw.gossip !== 'string') return { problems: ['gossip is not a string'], dropped: 0 };
  if (!Array.isArray(raw.events)) return { problems: ['events is not a list'], dropped: 0 };
  const events: ClusterEvent[] = [];
  const counts = new Map<string, number>();
  for (const e of raw.events) {
    const problem = eventProblem(e);
    if (problem === undefined) events.push(e as ClusterEvent);
    else counts.set(problem, (counts.get(problem) ?? 0) + 1);
  }
  const dropped = raw.events.length - events.length;
  const problems = [...counts].map(([p, n]) => (n > 1 ? `${p} (${n} events)` : p));
  const params: RunResultsParams = {
    uri: raw.uri,
    version: raw.version as number,
    seed: raw.seed,
    gossip: raw.gossip,
    finishedAt: typeof raw.finishedAt === 'string' ? raw.finishedAt : 'an unknown time',
    events,
  };
  if (isObject(raw.snapshot)) params.snapshot = raw.snapshot as unknown as RunResultsParams['snapshot'];
  if (typeof raw.finishedAt !== 'string') problems.push('finishedAt is not a string');
  return { params, problems, dropped };
}
