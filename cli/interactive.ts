import * as readline from 'readline';
import { analyze } from '../language/analyzer';
import { formatDiagnostic } from '../language/diagnostics';
import { ClusterRun, randomSeed } from '../cluster/runner';
import { ClusterEvent } from '../record/events';
import { CliArgs } from './args';
import { EventFile } from './events';
import { reportEvent } from './report';
import { RunPictures } from './run';
import type { Streams } from './streams';

/**
 * Line-by-line mode for a terminal: each line is checked against what ran before and executed at
 * once; a line with errors is reported and left out, as if never typed.
 */
export async function runInteractive(args: CliArgs, io: Streams, signal: AbortSignal): Promise<number> {
  const events = args.events ? EventFile.open(args.events, io) : undefined;
  const pictures = RunPictures.open(args);
  const onEvent = (e: ClusterEvent): void => {
    events?.write(e);
    pictures?.add(e);
    reportEvent('<stdin>', e, io.out, io.err);
  };
  const run = new ClusterRun({
    seed: args.seed ?? randomSeed(), gossip: args.gossip, backend: args.model ? 'model' : 'processes', trace: events !== undefined || pictures !== undefined, signal,
  }, onEvent);
  io.err('kvcmd: type commands, Ctrl-D to end\n');
  const accepted: string[] = [];
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  signal.addEventListener('abort', () => rl.close());
  let broke: unknown;
  try {
    for await (const line of rl) {
      const analysis = analyze([...accepted, line].join('\n'));
      // A line `done` ends the session, as it ends a script.
      if (analysis.doneLine === accepted.length) break;
      const here = analysis.diagnostics.filter((d) => d.range.start.line === accepted.length);
      for (const d of here) io.err(formatDiagnostic('<stdin>', d) + '\n');
      if (here.some((d) => d.severity === 'error')) {
        // Keep the numbering of later lines honest: a skipped line stays, as a comment.
        accepted.push('');
        continue;
      }
      accepted.push(line);
      for (const cmd of analysis.commands.filter((c) => c.line === accepted.length)) await run.execute(cmd);
    }
  } catch (err) {
    broke = err;
  } finally {
    const result = await run.end(broke);
    if (result.snapshot) events?.write({ type: 'snapshot', ...result.snapshot });
    events?.close();
    pictures?.close('kvcmd run <stdin>', accepted, io);
  }
  if (signal.aborted) return 130;
  return broke === undefined ? 0 : 1;
}
