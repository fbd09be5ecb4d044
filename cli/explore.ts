// `kvcmd explore FILE [--max-schedules N] [--seed N] [--gossip M] [--protocol P] [--json] [--replay W]`: its own
// flags, parsed here; cli/main.ts only dispatches.
import type { GossipMode, ProtocolName } from '../protocol/messages';
import { protocolFor } from '../language/directives';
import { printDiagnostics, readAndCheck } from '../language/scriptFile';
import { explore, ExploreReport, parseSchedule, replayCommand, runSchedule, ScheduleError } from '../explore/explore';
import { commandWord, gossipValue, protocolValue, seedValue, ArgWalker, UsageError } from './args';

export const DEFAULT_MAX_SCHEDULES = 10_000;

export interface ExploreArgs {
  file?: string;
  seed: number;
  gossip: GossipMode;
  /** --protocol: overrides the script's protocol directive, as for run. */
  protocol?: ProtocolName;
  maxSchedules: number;
  json: boolean;
  /** --replay W: run that one schedule and print its stdout. */
  replay?: string;
}


/** Whether argv is `kvcmd explore ...`. */
export function isExploreCommand(argv: readonly string[]): boolean {
  return commandWord(argv) === 'explore';
}

export function parseExploreArgs(argv: readonly string[]): ExploreArgs {
  const args: ExploreArgs = { seed: 1, gossip: 'async', maxSchedules: DEFAULT_MAX_SCHEDULES, json: false };
  const positional: string[] = [];
  const words = new ArgWalker(argv);
  for (let w = words.next(); w; w = words.next()) {
    const { a, flag } = w;
    const value = (): string => words.value();
    switch (flag) {
      case '--seed': args.seed = seedValue(value()); break;
      case '--max-schedules': {
        const v = value();
        if (!/^[0-9]+$/.test(v) || Number(v) < 1 || Number(v) > 1e9) throw new UsageError(`--max-schedules must be an integer from 1 to 1000000000, not '${v}'`);
        args.maxSchedules = Number(v);
        break;
      }
      case '--gossip': args.gossip = gossipValue(value()); break;
      case '--protocol': args.protocol = protocolValue(value()); break;
      case '--json': args.json = true; break;
      case '--replay': {
        const v = value();
        try {
          parseSchedule(v);
        } catch (err) {
          if (err instanceof ScheduleError) throw new UsageError(`--replay '${v}': ${err.message}`);
          throw err;
        }
        args.replay = v;
        break;
      }
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}' for explore`);
        positional.push(a);
    }
  }
  const [, file, ...extra] = positional;
  if (file === undefined) throw new UsageError('explore needs a script file (kvcmd explore FILE, or - for stdin)');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  args.file = file;
  if (args.replay !== undefined && args.json) throw new UsageError('--replay prints one run\'s stdout: it does not go with --json');
  return args;
}

interface Out {
  out: (s: string) => void;
  err: (s: string) => void;
}

/**
 * Runs `kvcmd explore`: 0 when every schedule ran to its end without a checker violation, 1 when
 * some did not (violations, broken runs), 2 for a script with errors. With --replay: that
 * schedule's stdout, its violations on stderr, 1 if any or if the schedule does not fit the run.
 */
export async function runExploreCommand(argv: readonly string[], io: Out, signal?: AbortSignal): Promise<number> {
  const args = parseExploreArgs(argv);
  const script = readAndCheck(args.file);
  printDiagnostics(script, io.err);
  if (script.hasErrors) return 2;
  const commands = script.analysis.commands;
  // The protocol `kvcmd run` would use, so that every witness replays there as it ran here.
  const settings = { seed: args.seed, gossip: args.gossip, protocol: protocolFor(script.analysis.directives, args.protocol) };
  if (args.replay !== undefined) {
    const run = await runSchedule(commands, settings, parseSchedule(args.replay));
    io.out(run.stdout);
    for (const v of run.violations) io.err(`kvcmd: explore: ${v.rule}: ${v.message}\n`);
    const e = run.scheduleError;
    if (e) io.err(`${script.name}${e.line !== undefined ? `:${e.line}` : ''}: error: --replay '${args.replay}': ${e.message}\n`);
    else if (!run.ok) io.err(`kvcmd: explore: the run broke: ${run.error}\n`);
    return run.ok && run.violations.length === 0 ? 0 : 1;
  }
  const report = await explore(commands, { ...settings, maxSchedules: args.maxSchedules, ...(signal ? { signal } : {}) });
  if (signal?.aborted) return 130;
  // The file as given (`-` for stdin), so that the printed command lines run as they are.
  const replayName = args.file === undefined || args.file === '-' ? '-' : args.file;
  const replayAs = { ...report, ...(args.protocol ? { protocol: args.protocol } : {}) };
  io.out(args.json ? JSON.stringify(reportJson(script.name, replayName, replayAs), null, 2) + '\n' : formatReport(script.name, replayAs, replayName));
  return report.violations.length > 0 || report.errors.length > 0 ? 1 : 0;
}

/** The report as --json prints it: every witness with the `kvcmd run` command line that replays it. */
export function reportJson(name: string, replayName: string, r: ExploreReport & { protocol?: ProtocolName }): object {
  const replay = <T extends { witness: string }>(x: T): T & { replay: string } => ({ ...x, replay: replayCommand(replayName, r, x.witness) });
  const { ms: _ms, ...rest } = r;
  return {
    file: name, ...rest,
    outcomes: r.outcomes.map(replay),
    lines: r.lines.map((l) => ({ ...l, outcomes: l.outcomes.map(replay) })),
    violations: r.violations.map(replay),
    errors: r.errors.map(replay),
  };
}

export function formatReport(name: string, r: ExploreReport & { protocol?: ProtocolName }, replayName = name): string {
  const lines: string[] = [];
  const s = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const cut = r.stoppedBy === 'time' ? 'the time budget ran out' : r.stoppedBy === 'cancelled' ? 'cancelled' : '--max-schedules reached';
  const pruned = r.pruned > 0 ? ` (and ${s(r.pruned, 'run')} cut short as a reordering of independent deliveries already run)` : '';
  lines.push(`${name}: ${s(r.schedules, 'schedule')} explored${pruned}, ${r.exhaustive ? 'exhaustive' : `NOT exhaustive (${cut})`}; gossip ${r.gossip}, seed ${r.seed}, at most ${s(r.maxDecisions, 'decision')} per run`);
  lines.push(`${s(r.outcomes.length, 'distinct stdout')}:`);
  const replay = (w: string): string => replayCommand(replayName, r, w);
  r.outcomes.forEach((o, i) => {
    lines.push(`  #${i + 1}: ${s(o.count, 'schedule')}, witness ${o.witness}`);
    for (const l of o.stdout === '' ? ['(no output)'] : o.stdout.replace(/\n$/, '').split('\n')) lines.push(`      ${l}`);
    lines.push(`      replay: ${replay(o.witness)}`);
  });
  if (r.failedOpsSchedules > 0) lines.push(`some put or get failed in ${s(r.failedOpsSchedules, 'schedule')}`);
  lines.push(r.violations.length === 0 ? 'no checker violations' : `${s(r.violations.length, 'checker violation')}:`);
  for (const v of r.violations) {
    lines.push(`  ${v.rule}: ${v.message} (script line ${v.lines.join(', ')}; ${s(v.count, 'schedule')}, shortest witness ${v.witness})`);
    lines.push(`      replay: ${replay(v.witness)}`);
  }
  for (const e of r.errors) {
    lines.push(`  the run broke: ${e.error} (${s(e.count, 'schedule')}, witness ${e.witness})`);
    lines.push(`      replay: ${replay(e.witness)}`);
  }
  return lines.join('\n') + '\n';
}
