// The cluster as of any line of a script: the ClusterState after the record's events up to the last
// one caused by a command on or before that line. The record is in happened-before order, so any
// prefix of it is a state the cluster really went through; the cut after line L is the shortest
// prefix holding every event of the commands on lines ≤ L.
//
// Fast on big records: moving forward replays only the events in between; moving back starts
// from the nearest checkpoint (a copy of the state every `every` events, kept as the replay passes
// it). The record may still grow (a run going on): only its prefix is ever read, never changed.
import { ClusterState, type ClientState, type ServerState } from './clusterState';
import type { ClusterEvent, EventOf } from './events';

export type AppliedEvent = EventOf<'applied'>;

/** The script line that caused an event, or undefined for the run's first and last events. */
export function lineOf(e: ClusterEvent): number | undefined {
  return 'line' in e && e.line > 0 ? e.line : undefined;
}

/**
 * A copy of a state that shares nothing mutable with it. The entries of the stores, dependencies
 * and puts are not copied: ClusterState replaces them, it never changes one in place.
 */
export function cloneState(s: ClusterState): ClusterState {
  const c = new ClusterState();
  for (const [id, v] of s.servers) c.servers.set(id, { ...v, links: new Set(v.links), store: new Map(v.store) } satisfies ServerState);
  for (const [id, v] of s.clients) c.clients.set(id, { ...v, links: new Set(v.links), deps: new Map(v.deps) } satisfies ClientState);
  for (const [k, v] of s.puts) c.puts.set(k, v);
  for (const [k, v] of s.paused) c.paused.set(k, v);
  return c;
}

/** Every write `server` kept for `key` among the first `upTo` events, oldest first (a killed server's old ones included). */
export function keyHistory(events: readonly ClusterEvent[], server: number, key: string, upTo = events.length): AppliedEvent[] {
  const out: AppliedEvent[] = [];
  for (let i = 0; i < upTo && i < events.length; i++) {
    const e = events[i];
    if (e.type === 'applied' && e.node === server && e.key === key) out.push(e);
  }
  return out;
}

export interface TimelineOptions {
  /** Events between checkpoints; default: 256, or more for big records so that at most ~64 are kept. */
  every?: number;
}

export class Timeline {
  private readonly every: number;
  /** checkpoints[k]: the state after k·every events (k = 0 is the empty cluster). */
  private readonly checkpoints: ClusterState[] = [new ClusterState()];
  private cursor = new ClusterState();
  /** How many events `cursor` has applied. */
  private pos = 0;
  /** Events applied so far, all queries together: the work done, for tests and benchmarks. */
  replayed = 0;

  // The cut index: for each line, 1 + the index of its last event; then, ascending by line, the running maximum.
  private indexed = 0;
  private readonly lastEnd = new Map<number, number>();
  private sorted: { lines: number[]; ends: number[] } | undefined;

  constructor(private readonly events: readonly ClusterEvent[], options: TimelineOptions = {}) {
    this.every = Math.max(1, options.every ?? Math.max(256, Math.ceil(events.length / 64)));
  }

  /** How many events, a prefix of the record, make up the cluster after `line` (0 before the first command). */
  cut(line: number): number {
    const { lines, ends } = this.index();
    let lo = 0, hi = lines.length; // first index with lines[i] > line
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lines[mid] <= line) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : ends[lo - 1];
  }

  /** The script lines that caused events, ascending. */
  lines(): readonly number[] {
    return this.index().lines;
  }

  /** The last line that caused an event (0 when none did). */
  lastLine(): number {
    const l = this.index().lines;
    return l.length ? l[l.length - 1] : 0;
  }

  /** The cluster after the commands up to `line` (1-based): a new state, the caller's to keep. */
  at(line: number): ClusterState {
    return this.after(this.cut(line));
  }

  /** The cluster after the first `n` events of the record: a new state, the caller's to keep. */
  after(n: number): ClusterState {
    const target = Math.max(0, Math.min(n, this.events.length));
    const k = Math.min(Math.floor(target / this.every), this.checkpoints.length - 1);
    const from = k * this.every;
    // Forward from where the last query stopped, unless a checkpoint is nearer.
    if (target < this.pos || from > this.pos) {
      this.cursor = cloneState(this.checkpoints[k]);
      this.pos = from;
    }
    while (this.pos < target) {
      this.cursor.apply(this.events[this.pos++]);
      this.replayed++;
      if (this.pos % this.every === 0 && this.pos / this.every === this.checkpoints.length) this.checkpoints.push(cloneState(this.cursor));
    }
    return cloneState(this.cursor);
  }

  private index(): { lines: number[]; ends: number[] } {
    if (this.sorted && this.indexed === this.events.length) return this.sorted;
    for (; this.indexed < this.events.length; this.indexed++) {
      const l = lineOf(this.events[this.indexed]);
      if (l !== undefined) this.lastEnd.set(l, this.indexed + 1);
    }
    const lines = [...this.lastEnd.keys()].sort((a, b) => a - b);
    let max = 0;
    const ends = lines.map((l) => (max = Math.max(max, this.lastEnd.get(l)!)));
    return (this.sorted = { lines, ends });
  }
}
