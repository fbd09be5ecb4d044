// The cluster just before any line, without replaying the whole script each time.
// `topologyBefore` from the language library walks every command above the line: O(n) per
// request, too slow for completion and hover in a 20,000-line script. We keep sparse snapshots
// (one every SPAN lines), built lazily as far as a request needs, and replay at most SPAN lines
// of commands from the nearest one.
import { Command, Topology } from '../language/index';

const SPAN = 512;

export class TopologyIndex {
  /** checkpoints[k] = the topology before line k*SPAN. */
  private checkpoints: Topology[] = [new Topology()];
  private memo: { line0: number; topo: Topology } | undefined;

  constructor(private commands: readonly Command[], inherited?: TopologyIndex, validBeforeLine = 0) {
    // Snapshots before the first changed line stay true after an edit: nothing above it moved.
    if (inherited) {
      const keep = Math.floor(validBeforeLine / SPAN) + 1;
      this.checkpoints = inherited.checkpoints.slice(0, Math.max(1, keep));
    }
  }

  /** Reuses every snapshot: for edits that provably leave the topology of every line unchanged. */
  static sameTopology(commands: readonly Command[], from: TopologyIndex): TopologyIndex {
    const t = new TopologyIndex(commands);
    t.checkpoints = from.checkpoints;
    return t;
  }

  /** The topology just before 0-based `line0`. Callers must not mutate it. */
  before(line0: number): Topology {
    if (this.memo && this.memo.line0 === line0) return this.memo.topo;
    const k = Math.floor(Math.max(0, line0) / SPAN);
    while (this.checkpoints.length <= k) {
      const last = this.checkpoints.length - 1;
      const next = this.checkpoints[last].clone();
      this.replay(next, last * SPAN, (last + 1) * SPAN);
      this.checkpoints.push(next);
    }
    const topo = this.checkpoints[k].clone();
    this.replay(topo, k * SPAN, line0);
    this.memo = { line0, topo };
    return topo;
  }

  /** Applies the commands whose 0-based line is in [from, to). */
  private replay(topo: Topology, from: number, to: number): void {
    const cmds = this.commands;
    for (let i = this.firstCommandAt(from); i < cmds.length; i++) {
      const line0 = cmds[i].line - 1;
      if (line0 >= to) break;
      topo.apply(cmds[i], line0);
    }
  }

  /** Index of the first command on or after 0-based line `line0` (commands are in line order). */
  private firstCommandAt(line0: number): number {
    let lo = 0;
    let hi = this.commands.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.commands[mid].line - 1 < line0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
