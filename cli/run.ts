import * as fs from 'fs';
import { ClusterEvent } from '../record/events';
import { diagramHtml } from '../diagram/page';
import { shivizLog } from '../diagram/shiviz';
import { randomSeed, runCommands } from '../cluster/runner';
import { checkRun } from '../check/index';
import { CliArgs } from './args';
import { EventFile } from './events';
import { reportEvent } from './report';
import { CheckedScript, printDiagnostics } from './script';
import type { Streams } from './streams';

/** `kvcmd run`: refuse a script with errors (exit 2, nothing started), otherwise run it. */
export async function runScript(script: CheckedScript, args: CliArgs, io: Streams, signal: AbortSignal): Promise<number> {
  printDiagnostics(script, io.err);
  if (script.hasErrors) return 2;
  const events = args.events ? EventFile.open(args.events, io) : undefined;
  const pictures = RunPictures.open(args);
  const out = events?.toStdout ? () => undefined : io.out;
  // --check: the run's record, kept to be checked at the end (check/).
  const record: ClusterEvent[] | undefined = args.check ? [] : undefined;
  const onEvent = (e: ClusterEvent): void => {
    record?.push(e);
    events?.write(e);
    pictures?.add(e);
    reportEvent(script.name, e, out, io.err);
  };
  try {
    const result = await runCommands(script.analysis.commands, {
      seed: args.seed ?? randomSeed(),
      gossip: args.gossip,
      // Recording events means recording every message; without a file nobody would read them.
      trace: events !== undefined || pictures !== undefined || args.check,
      backend: args.model ? 'model' : 'processes',
      signal,
      process: { onNodeError: (id, text) => io.err(`[node ${id ?? '?'}] ${text}`) },
    }, onEvent);
    if (result.snapshot) events?.write({ type: 'snapshot', ...result.snapshot });
    if (signal.aborted) return 130;
    const clean = record ? checkRun(script.name, record, io.err) : true;
    return result.ok && clean ? 0 : 1;
  } finally {
    events?.close();
    pictures?.close(`kvcmd run ${script.name}`, script.analysis.script.text.split(/\r?\n/), io);
  }
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
    const open = (path: string | undefined) => (path === undefined ? undefined : { path, fd: fs.openSync(path, 'w') });
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
