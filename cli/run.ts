import { ClusterEvent } from '../record/events';
import { randomSeed, runCommands } from '../cluster/runner';
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
  const out = events?.toStdout ? () => undefined : io.out;
  const onEvent = (e: ClusterEvent): void => {
    events?.write(e);
    reportEvent(script.name, e, out, io.err);
  };
  try {
    const result = await runCommands(script.analysis.commands, {
      seed: args.seed ?? randomSeed(),
      gossip: args.gossip,
      // Recording events means recording every message; without a file nobody would read them.
      trace: events !== undefined,
      backend: args.model ? 'model' : 'processes',
      signal,
      process: { onNodeError: (id, text) => io.err(`[node ${id ?? '?'}] ${text}`) },
    }, onEvent);
    if (result.snapshot) events?.write({ type: 'snapshot', ...result.snapshot });
    if (signal.aborted) return 130;
    return result.ok ? 0 : 1;
  } finally {
    events?.close();
  }
}
