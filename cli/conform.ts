// `kvcmd conform [--server-cmd CMD] [--client-cmd CMD] [--only NAME]`: the conformance kit
// (conform/kit.ts, docs/nodes.md "The conformance kit") against the nodes given, with a readable
// report: each probe and script, PASS or FAIL, and under a failure its rule and script line.
import * as path from 'path';
import { commandWord, ArgWalker, UsageError } from './args';
import type { Streams } from './streams';
import { describeNodes, nodeCommandsOf } from './nodes';
import type { NodeCommands } from '../cluster/nodeCommands';
import { DEFAULT_CALL_TIMEOUT, DEFAULT_START_TIMEOUT } from '../cluster/nodeCommands';
import { runKit, type KitResult } from '../conform/kit';

export interface ConformArgs {
  serverCmd: string[];
  clientCmd: string[];
  only: string[];
}

export function isConformCommand(argv: readonly string[]): boolean {
  return commandWord(argv) === 'conform';
}

export function parseConformArgs(argv: readonly string[]): ConformArgs {
  const args: ConformArgs = { serverCmd: [], clientCmd: [], only: [] };
  let sawCommand = false;
  const words = new ArgWalker(argv);
  for (let w = words.next(); w; w = words.next()) {
    const { a, flag } = w;
    const value = (): string => words.value();
    switch (flag) {
      case '--server-cmd': args.serverCmd.push(value()); break;
      case '--client-cmd': args.clientCmd.push(value()); break;
      case '--only': args.only.push(value()); break;
      default:
        if (!sawCommand && a === 'conform') sawCommand = true;
        else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}' for conform (options: --server-cmd, --client-cmd, --only)`);
        else throw new UsageError(`unexpected argument '${a}': conform runs its own scripts (conform/scripts/)`);
    }
  }
  return args;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function display(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function report(r: KitResult, io: Streams): void {
  const name = r.kind === 'probe' ? `probe ${r.name}` : r.name;
  io.out(`${r.ok ? 'PASS' : 'FAIL'} ${name} (${seconds(r.ms)}): ${r.title}\n`);
  for (const f of r.failures) {
    const where = f.file ? `${display(f.file)}${f.line ? `:${f.line}` : ''}: ` : '';
    const [first, ...more] = f.message.split('\n');
    io.out(`  [${f.rule}] ${where}${first}\n`);
    for (const m of more) io.out(`      ${m}\n`);
  }
  for (const n of r.notes) io.out(`  note: ${n}\n`);
}

/** `kvcmd conform`: 0 everything passed, 1 something failed, 2 a usage mistake, 130 cancelled. */
export async function runConformCommand(argv: readonly string[], io: Streams, signal: AbortSignal): Promise<number> {
  const args = parseConformArgs(argv);
  // No command at all: kvcmd's own node, run as a program, is what is checked (the reference).
  const nodes: NodeCommands = nodeCommandsOf(args, undefined) ?? {
    server: [], client: [], startTimeout: DEFAULT_START_TIMEOUT, callTimeout: DEFAULT_CALL_TIMEOUT, exact: true, origin: "kvcmd's own node",
  };
  io.err(describeNodes(nodes));
  const t0 = performance.now();
  const results = await runKit({ nodes, only: args.only, signal, each: (r) => report(r, io) });
  if (signal.aborted) {
    io.err(`kvcmd: conform: cancelled after ${results.length} checks\n`);
    return 130;
  }
  if (results.length === 0) throw new UsageError(`--only ${args.only.join(', ')} matches no probe and no script of the kit`);
  const failed = results.filter((r) => !r.ok);
  io.out(`${results.length - failed.length} passed, ${failed.length} failed (${seconds(performance.now() - t0)})${failed.length > 0 ? `: ${failed.map((r) => r.name).join(', ')}` : ''}\n`);
  return failed.length > 0 ? 1 : 0;
}
