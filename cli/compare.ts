// `kvcmd compare FILE [--protocol A --protocol B] [--gossip A [--gossip B]] [--seed A [--seed B]] [--faults on|off ...] [--json]`:
// one script, two runs on the model (compare/compare.ts); its own flags, parsed here.
import { protocolFor } from '../language/directives';
import { printDiagnostics, readAndCheck } from '../language/scriptFile';
import type { GossipMode, ProtocolName } from '../protocol/messages';
import { compareRuns, formatComparison, type Side } from '../compare/compare';
import { commandWord, gossipValue, protocolValue, seedValue, ArgWalker, UsageError } from './args';

export interface CompareArgs {
  file?: string;
  protocols: ProtocolName[];
  gossips: GossipMode[];
  seeds: number[];
  faults: boolean[];
  json: boolean;
}

export function isCompareCommand(argv: readonly string[]): boolean {
  return commandWord(argv) === 'compare';
}

export function parseCompareArgs(argv: readonly string[]): CompareArgs {
  const args: CompareArgs = { protocols: [], gossips: [], seeds: [], faults: [], json: false };
  const positional: string[] = [];
  const words = new ArgWalker(argv);
  for (let w = words.next(); w; w = words.next()) {
    const { a, flag } = w;
    const value = (): string => words.value();
    switch (flag) {
      case '--protocol': args.protocols.push(protocolValue(value())); break;
      case '--gossip': args.gossips.push(gossipValue(value())); break;
      case '--seed': args.seeds.push(seedValue(value())); break;
      case '--faults': {
        const v = value();
        if (v !== 'on' && v !== 'off') throw new UsageError(`--faults must be on or off, not '${v}'`);
        args.faults.push(v === 'on');
        break;
      }
      case '--json': args.json = true; break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}' for compare (options: --protocol, --gossip, --seed, --faults, --json)`);
        positional.push(a);
    }
  }
  const [, file, ...extra] = positional;
  if (file === undefined) throw new UsageError('compare needs a script file (kvcmd compare FILE --protocol A --protocol B)');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  for (const [name, list] of [['--protocol', args.protocols], ['--gossip', args.gossips], ['--seed', args.seeds], ['--faults', args.faults]] as const) {
    if (list.length > 2) throw new UsageError(`${name} is given ${list.length} times: once for both sides, or twice (A, then B)`);
  }
  if (args.protocols.length < 2 && args.gossips.length < 2 && args.seeds.length < 2 && args.faults.length < 2) {
    throw new UsageError('compare needs two sides: give --protocol, --gossip, --seed or --faults twice (for example --protocol lamport --protocol vector)');
  }
  args.file = file;
  return args;
}

/** 0: the same output and clean checks on both sides; 1: they part, or a side broke or has violations; 2: refused. */
export async function runCompareCommand(argv: readonly string[], io: { out: (s: string) => void; err: (s: string) => void }, signal?: AbortSignal): Promise<number> {
  const args = parseCompareArgs(argv);
  const script = readAndCheck(args.file);
  printDiagnostics(script, io.err);
  if (script.hasErrors) return 2;
  const own = protocolFor(script.analysis.directives);
  const side = (i: 0 | 1): Side => ({
    protocol: args.protocols[i] ?? args.protocols[0] ?? own,
    gossip: args.gossips[i] ?? args.gossips[0] ?? 'settled',
    seed: args.seeds[i] ?? args.seeds[0] ?? 1,
    faults: args.faults[i] ?? args.faults[0] ?? true,
  });
  const report = await compareRuns(script.analysis.commands, side(0), side(1), signal);
  if (signal?.aborted) return 130;
  io.out(args.json ? JSON.stringify({ file: script.name, ...report }, null, 2) + '\n' : formatComparison(script.name, report));
  const clean = (s: typeof report.a) => s.ok && s.violations.length === 0;
  return report.diverging === 0 && clean(report.a) && clean(report.b) ? 0 : 1;
}
