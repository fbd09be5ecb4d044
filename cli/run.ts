import { ClusterEvent } from '../record/events';
import { randomSeed, runCommands } from '../cluster/runner';
import { CliArgs } from './args';
import { EventFile } from './events';
import { reportEvent } from './report';
import { CheckedScript, printDiagnostics } from './script';

export interface Streams {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** `kvcmd run`: refuse a script with errors (exit 2, nothing started), otherwise run it. */
export async function runScript(script: CheckedScript, args: CliArgs, io: Streams, signal: AbortSignal): Promise<number> {
  printDiagnostics(script, io.err);
  if (script.hasErrors) return 2;
  const events = args.events ? new EventFile(args.events) : undefined;
  const onEvent = (e: ClusterEvent): void => {
    events?.write(e);
    reportEvent(script.name, e, io.out, io.err);
  };
  try {
    const result = await runCommands(script.analysis.commands, {
      seed: args.seed ?? randomSeed(),
      gossip: args.gossip,
      // Recording events means recording every message; without a file nobody would read them.
      trace: args.events !== undefined,
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
