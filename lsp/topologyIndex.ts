// The cluster just before any line, without replaying the whole script each time.
// `topologyBefore` from the language library walks every command above the line: O(n) per
// request, too slow for completion and hover in a 20,000-line script. We keep sparse snapshots
// (one every SPAN lines), built lazily as far as a request needs, and replay at most SPAN lines
// of commands from the nearest one.
import { Command, Topology } from '../language/index';

const SPAN = 512;

export class TopologyIndex {
  /** checkpoints[k] = the topology before 0-based line k*SPAN: once the first k*SPAN lines have run. */
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
    // Below the last command nothing changes any more: a line far past the end (a client's wild
    // position) must not make checkpoints all the way down to it.
    const lastLine = this.commands.length ? this.commands[this.commands.length - 1].line : 0;
    line0 = Math.min(Math.max(0, Math.trunc(line0) || 0), lastLine);
    if (this.memo && this.memo.line0 === line0) return this.memo.topo;
    const k = Math.floor(line0 / SPAN);
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

  /**
   * Applies the commands of lines from+1 to `to` (1-based, like `Command.line`): what runs after
   * the first `from` lines, up to the first `to` lines. A 0-based line number is also the count of
   * lines above it, so `before(line0)` replays up to `line0`.
   */
  private replay(topo: Topology, from: number, to: number): void {
    const cmds = this.commands;
    for (let i = this.firstCommandAfter(from); i < cmds.length && cmds[i].line <= to; i++) topo.apply(cmds[i]);
  }

  /** Index of the first command below the first `lines` lines (commands are in line order). */
  private firstCommandAfter(lines: number): number {
    let lo = 0;
    let hi = this.commands.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.commands[mid].line <= lines) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
