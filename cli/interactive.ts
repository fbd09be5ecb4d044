import * as readline from 'readline';
import { analyze } from '../language/analyzer';
import { formatDiagnostic } from '../language/diagnostics';
import { Master } from '../cluster/master';
import { createHost, randomSeed } from '../cluster/runner';
import { CliArgs } from './args';
import { reportEvent } from './report';
import { Streams } from './run';

/**
 * Line-by-line mode for a terminal: each line is checked against what ran before and executed at
 * once; a line with errors is reported and left out, as if never typed.
 */
export async function runInteractive(args: CliArgs, io: Streams, signal: AbortSignal): Promise<number> {
  const host = createHost({ seed: 0, gossip: args.gossip, backend: args.model ? 'model' : 'processes' });
  const seed = args.seed ?? randomSeed();
  const master = new Master(host, { seed, gossip: args.gossip, trace: false });
  master.onEvent((e) => reportEvent('<stdin>', e, io.out, io.err));
  io.err(`kvcmd: seed ${seed}, gossip ${args.gossip}; type commands, Ctrl-D to end\n`);
  const accepted: string[] = [];
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  signal.addEventListener('abort', () => rl.close());
  try {
    for await (const line of rl) {
      const analysis = analyze([...accepted, line].join('\n'));
      const here = analysis.diagnostics.filter((d) => d.range.start.line === accepted.length);
      for (const d of here) io.err(formatDiagnostic('<stdin>', d) + '\n');
      if (here.some((d) => d.severity === 'error')) {
        // Keep the numbering of later lines honest: a skipped line stays, as a comment.
        accepted.push('');
        continue;
      }
      accepted.push(line);
      for (const cmd of analysis.commands.filter((c) => c.line === accepted.length)) await master.execute(cmd);
    }
  } finally {
    await master.close();
  }
  return signal.aborted ? 130 : 0;
}
