import * as fs from 'fs';
import { ClusterEvent } from '../record/events';
import { diagramHtml } from '../diagram/page';
import { shivizLog } from '../diagram/shiviz';
import { randomSeed, runCommands } from '../cluster/runner';
import { checkRun } from '../check/index';
import { CliArgs } from './args';
import { EventFile } from './events';
import { describeNodes, nodeCommandsOf } from './nodes';
import { foreignMisfit } from '../cluster/nodeCommands';
import { openForWriting } from './files';
import { reportEvent } from './report';
import { CheckedScript, printDiagnostics } from '../language/scriptFile';
import { protocolFor } from '../language/directives';
import type { Streams } from './streams';
import { parseSchedule, scheduleMisfit, ScheduleReplay, type ScheduleSettings } from '../explore/explore';

/**
 * The exit statuses of `kvcmd` (docs/cli.md, and `kvcmd --help`). `kvcmd verify` keeps its own
 * 0/1/2 (docs/checker.md); `run --check` violations are RUN_BROKE, as docs/checker.md says.
 */
export const EXIT = Object.freeze({
  /** Help; a clean `check`; a run that reached its end and every put/get succeeded. */
  OK: 0,
  /** The run broke (a node died, another run error), an internal error; `run --check` found a violation. */
  RUN_BROKE: 1,
  /** Refused: the script has an error, a command-line mistake, an unreadable script. */
  REFUSED: 2,
  /** The run reached its end but at least one put or get failed (no reachable server). */
  OPS_FAILED: 3,
  /** Cancelled: SIGINT, SIGTERM, or stdout closed. */
  CANCELLED: 130,
});

/** The status of a run that was not refused, from what happened in it. */
export function runStatus(r: { cancelled: boolean; broke: boolean; violations?: boolean; failedOps: number }): number {
  if (r.cancelled) return EXIT.CANCELLED;
  if (r.broke || r.violations) return EXIT.RUN_BROKE;
  return r.failedOps > 0 ? EXIT.OPS_FAILED : EXIT.OK;
}

/** `kvcmd run`: refuse a script with errors (exit 2, nothing started), otherwise run it. */
export async function runScript(script: CheckedScript, args: CliArgs, io: Streams, signal: AbortSignal): Promise<number> {
  printDiagnostics(script, io.err);
  if (script.hasErrors) return EXIT.REFUSED;
  const seed = args.seed ?? randomSeed();
  const protocol = protocolFor(script.analysis.directives, args.protocol);
  const schedule = args.schedule === undefined ? undefined : await fittingSchedule(script, args.schedule, { seed, gossip: args.gossip, protocol }, io);
  if (schedule === null) return EXIT.REFUSED;
  const nodes = args.model ? undefined : nodeCommandsOf(args, args.file);
  const misfit = nodes && script.analysis.commands.map((c) => ({ line: c.line, why: foreignMisfit(c) })).find((m) => m.why);
  if (misfit) {
    io.err(`${script.name}:${misfit.line}: error: ${misfit.why}\n`);
    return EXIT.REFUSED;
  }
  const events = args.events ? EventFile.open(args.events, io) : undefined;
  const pictures = RunPictures.open(args);
  const out = events?.toStdout ? () => undefined : io.out;
  // --check: the run's record, kept to be checked at the end (check/).
  const record: ClusterEvent[] | undefined = args.check ? [] : undefined;
  let failedOps = 0;
  const onEvent = (e: ClusterEvent): void => {
    if (e.type === 'failed') failedOps++;
    record?.push(e);
    events?.write(e);
    pictures?.add(e);
    reportEvent(script.name, e, out, io.err);
  };
  if (nodes) io.err(describeNodes(nodes));
  try {
    const result = await runCommands(script.analysis.commands, {
      seed,
      gossip: args.gossip,
      protocol,
      // Recording events means recording every message; without a file nobody would read them.
      trace: events !== undefined || pictures !== undefined || args.check,
      backend: args.model ? 'model' : 'processes',
      ...(schedule ? { model: { schedule: schedule.hook } } : {}),
      signal,
      process: { onNodeError: (id, text) => io.err(`[node ${id ?? '?'}] ${text}`) },
      ...(nodes ? { nodes } : {}),
    }, onEvent);
    if (result.snapshot) events?.write({ type: 'snapshot', ...result.snapshot });
    if (signal.aborted) return EXIT.CANCELLED;
    if (schedule) io.err(`kvcmd: schedule ${args.schedule} replayed (${schedule.decisions.length} decision point${schedule.decisions.length === 1 ? '' : 's'})\n`);
    const clean = record ? checkRun(script.name, record, io.err) : true;
    if (failedOps > 0 && result.ok) io.err(`kvcmd: ${failedOps} put/get operation${failedOps === 1 ? '' : 's'} failed (exit ${EXIT.OPS_FAILED})\n`);
    return runStatus({ cancelled: false, broke: !result.ok, violations: !clean, failedOps });
  } finally {
    events?.close();
    pictures?.close(`kvcmd run ${script.name}`, script.analysis.script.text.split(/\r?\n/), io);
  }
}

/**
 * --schedule W: its replay (the hook goes to the model), once a quick silent run has shown that W
 * fits this script, so that a witness of another script is refused before anything runs or is
 * written; null when it does not, after saying where on stderr.
 */
async function fittingSchedule(script: CheckedScript, text: string, settings: ScheduleSettings, io: Streams): Promise<ScheduleReplay | null> {
  const choices = parseSchedule(text);
  const misfit = await scheduleMisfit(script.analysis.commands, settings, choices);
  if (misfit) {
    io.err(`${script.name}${misfit.line !== undefined ? `:${misfit.line}` : ''}: error: --schedule '${text}': ${misfit.message}\n`);
    return null;
  }
  return new ScheduleReplay(choices, settings.gossip);
}

/**
 * --diagram and --shiviz: the run's events kept in memory and written when the run ends (also
 * when it fails or is cancelled: the picture of a broken run is the one most worth seeing). The
 * files are opened at the start, so a path that cannot be written is refused before anything runs.
 */
export class RunPictures {
  private readonly events: ClusterEvent[] = [];

  private constructor(private readonly diagram?: { path: string; fd: number }, private readonly shiviz?: { path: string; fd: number }) {}

  static open(args: CliArgs): RunPictures | undefined {
    if (args.diagram === undefined && args.shiviz === undefined) return undefined;
    const open = (path: string | undefined) => (path === undefined ? undefined : { path, fd: openForWriting(path) });
    const diagram = open(args.diagram);
    try {
      return new RunPictures(diagram, open(args.shiviz));
    } catch (err) {
      if (diagram) fs.closeSync(diagram.fd);
      throw err;
    }
  }

  add(e: ClusterEvent): void {
    this.events.push(e);
  }

  close(title: string, scriptLines: string[], io: Streams): void {
    const seed = this.events.find((e) => e.type === 'runStarted');
    const fullTitle = seed?.type === 'runStarted' ? `${title} (seed ${seed.seed})` : title;
    const messages = this.events.filter((e) => e.type === 'send').length;
    if (this.diagram) {
      fs.writeSync(this.diagram.fd, diagramHtml(this.events, { title: fullTitle, scriptLines }));
      fs.closeSync(this.diagram.fd);
      io.err(`kvcmd: diagram of ${messages} messages written to ${this.diagram.path}\n`);
    }
    if (this.shiviz) {
      fs.writeSync(this.shiviz.fd, shivizLog(this.events));
      fs.closeSync(this.shiviz.fd);
      io.err(`kvcmd: ShiViz log written to ${this.shiviz.path}\n`);
    }
  }
}
