import * as readline from 'readline';
import { analyze } from '../language/analyzer';
import { formatDiagnostic } from '../language/diagnostics';
import { protocolFor } from '../language/directives';
import { ClusterRun, randomSeed } from '../cluster/runner';
import { ClusterEvent } from '../record/events';
import type { Command } from '../language/commands';
import { formatStamp } from '../protocol/stamp';
import { CliArgs } from './args';
import { nodeCommandsOf } from './nodes';
import { EventFile } from './events';
import { reportEvent } from './report';
import { EXIT, RunPictures, runStatus } from './run';
import type { Streams } from './streams';

/**
 * Line-by-line mode for a terminal: each line is checked against what ran before and executed at
 * once; a line with errors is reported and left out, as if never typed.
 */
export async function runInteractive(args: CliArgs, io: Streams, signal: AbortSignal, prompting = process.stdin.isTTY === true): Promise<number> {
  const events = args.events ? EventFile.open(args.events, io) : undefined;
  const pictures = RunPictures.open(args);
  let failedOps = 0;
  // What the command being executed showed the user: an acknowledgement is for commands that showed nothing.
  let shown = false;
  let stamped: ClusterEvent | undefined;
  const onEvent = (e: ClusterEvent): void => {
    if (e.type === 'failed') failedOps++;
    if (e.type === 'failed' || e.type === 'stdout') shown = true;
    if (e.type === 'put') stamped = e;
    events?.write(e);
    pictures?.add(e);
    reportEvent('<stdin>', e, io.out, io.err);
  };
  const nodes = args.model ? undefined : nodeCommandsOf(args, undefined);
  const run = new ClusterRun({
    seed: args.seed ?? randomSeed(), gossip: args.gossip, protocol: protocolFor(undefined, args.protocol), backend: args.model ? 'model' : 'processes', trace: true, signal,
    // Nodes report every message: a fault typed later needs the master to wait, at each command's
    // end, until no message is half reported (cluster/runner.ts's runCommands says why).
    // Each put is acknowledged with the stamp its client reports: its answer is waited for.
    waitForClients: true,
    ...(nodes ? { nodes } : {}),
  }, onEvent);
  io.err(`kvcmd: type commands, one per line; ${prompting ? 'Ctrl-D' : 'end of input'} or a line 'done' ends the session\n`);
  const accepted: string[] = [];
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  signal.addEventListener('abort', () => rl.close());
  let broke: unknown;
  const prompt = (): void => void (prompting && io.err(PROMPT));
  try {
    prompt();
    for await (const line of rl) {
      const analysis = analyze([...accepted, line].join('\n'));
      // A line `done` ends the session, as it ends a script.
      if (analysis.doneLine === accepted.length) break;
      const here = analysis.diagnostics.filter((d) => d.range.start.line === accepted.length);
      for (const d of here) io.err(formatDiagnostic('<stdin>', d) + '\n');
      if (here.some((d) => d.severity === 'error')) {
        // Keep the numbering of later lines honest: a skipped line stays, as a comment.
        accepted.push('');
        prompt();
        continue;
      }
      accepted.push(line);
      for (const cmd of analysis.commands.filter((c) => c.line === accepted.length)) {
        shown = false;
        stamped = undefined;
        await run.execute(cmd);
        if (!shown) io.err(`ok: ${acknowledgement(cmd, here.map((d) => d.code), stamped)}\n`);
      }
      prompt();
    }
  } catch (err) {
    broke = err;
  } finally {
    const result = await run.end(broke);
    if (result.snapshot) events?.write({ type: 'snapshot', ...result.snapshot });
    events?.close();
    pictures?.close('kvcmd run <stdin>', accepted, io);
  }
  if (signal.aborted) return EXIT.CANCELLED;
  return runStatus({ cancelled: false, broke: broke !== undefined, failedOps });
}

/** Shown on stderr before each line, only when a person types at a terminal. */
export const PROMPT = 'kvcmd> ';

/** Warnings that mean the command did nothing (language/noop.ts). */
const NO_OPS = new Set<string>(['kill-dead', 'kill-unknown', 'not-linked', 'already-linked', 'print-dead', 'already-paused', 'not-paused']);

/**
 * The short line that tells an interactive user a command ran when it printed nothing itself
 * (get and printStore print their results; a failed put or get prints its error).
 */
export function acknowledgement(cmd: Command, warnings: readonly string[], put?: ClusterEvent): string {
  if (warnings.some((w) => NO_OPS.has(w))) return 'nothing to do (see the warning)';
  switch (cmd.name) {
    case 'joinServer': return `server ${cmd.server} joined`;
    case 'killServer': return `server ${cmd.server} killed`;
    case 'joinClient': return `client ${cmd.client} joined${warnings.includes('dead-server') ? ', with no link' : `, linked to server ${cmd.server}`}`;
    case 'breakConnection': return `link ${cmd.a} – ${cmd.b} cut`;
    case 'createConnection': return `link ${cmd.a} – ${cmd.b} created`;
    case 'stabilize': return 'stabilized';
    case 'printStore': return warnings.includes('paused-server') ? 'nothing printed: the server is paused (see the warning)' : `the store of server ${cmd.server} is empty`;
    case 'put':
      return put?.type === 'put' ? `put ${cmd.key}=${cmd.value} applied by server ${put.server}, stamp ${formatStamp(put.stamp)}` : `put ${cmd.key}=${cmd.value}`;
    case 'get': return `get ${cmd.key}`;
    case 'sleep': return `slept ${cmd.ms} ms`;
    case 'pauseServer': return warnings.includes('dead-server') ? 'nothing to do (see the warning)' : `server ${cmd.server} paused`;
    case 'resumeServer': return `server ${cmd.server} resumed`;
    case 'delay': return `messages ${cmd.from} → ${cmd.to} delayed ${cmd.maxMs === cmd.ms ? `${cmd.ms}` : `${cmd.ms}-${cmd.maxMs}`} ms`;
    case 'drop': return `messages ${cmd.from} → ${cmd.to} dropped with probability ${cmd.p}`;
    case 'duplicate': return `messages ${cmd.from} → ${cmd.to} duplicated with probability ${cmd.p}`;
    case 'heal': return `messages ${cmd.from} → ${cmd.to} travel normally`;
  }
}
