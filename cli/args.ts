import { GOSSIP_MODES, GossipMode, isProtocolName, ProtocolName, PROTOCOLS } from '../protocol/messages';
import { parseSchedule, ScheduleError } from '../explore/explore';

export interface CliArgs {
  command: 'run' | 'check' | 'help' | 'lsp' | 'dap' | 'verify';
  file?: string;
  seed?: number;
  gossip: GossipMode;
  /** --protocol: overrides the script's `# kvcmd: protocol=` directive. */
  protocol?: ProtocolName;
  events?: string;
  /** --diagram: the run's message diagram as one HTML file. */
  diagram?: string;
  /** --shiviz: the run as a ShiViz log. */
  shiviz?: string;
  model: boolean;
  interactive: boolean;
  /** --check: record the run and check its history (check/). */
  check: boolean;
  /** --schedule W (with --model): the model delivers as the explorer's witness W says (explore/). */
  schedule?: string;
  /** --server-cmd / --client-cmd: nodes the user brings (docs/nodes.md); each `CMD` or `IDS=CMD`. */
  serverCmd: string[];
  clientCmd: string[];
  rest: string[];
}

export class UsageError extends Error {}

/**
 * Walks a command line word by word: each word with its flag's name (`--seed=7` is `--seed`), and
 * a flag's value when asked: after `=`, else the next word (which is then consumed).
 */
export class ArgWalker {
  private i = -1;

  constructor(private readonly argv: readonly string[]) {}

  next(): { a: string; flag: string } | undefined {
    if (++this.i >= this.argv.length) return undefined;
    const a = this.argv[this.i];
    return { a, flag: a.startsWith('--') ? a.split('=')[0] : a };
  }

  value(): string {
    const a = this.argv[this.i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq !== -1) return a.slice(eq + 1);
    const next = this.argv[++this.i];
    if (next === undefined) throw new UsageError(`${a} needs a value`);
    return next;
  }
}

/** Flags of any kvcmd command that take a value as the next word (so that word is not the command). */
const VALUED = new Set(['--seed', '--gossip', '--protocol', '--events', '--diagram', '--shiviz', '--junit', '--max-schedules', '--replay', '--schedule', '--server-cmd', '--client-cmd', '--only']);

/** The command word: the first word that is neither an option nor an option's value (undefined with -h). */
export function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') return undefined;
    if (a.startsWith('-') && a !== '-') {
      if (VALUED.has(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}

/** --seed's value, checked. */
export function seedValue(v: string): number {
  if (!/^[0-9]+$/.test(v) || Number(v) > 2 ** 31 - 1) throw new UsageError(`--seed must be an integer from 0 to ${2 ** 31 - 1}, not '${v}'`);
  return Number(v);
}

/** --gossip's value, checked. */
export function gossipValue(v: string): GossipMode {
  if (!(GOSSIP_MODES as readonly string[]).includes(v)) throw new UsageError(`--gossip must be one of ${GOSSIP_MODES.join(', ')}, not '${v}'`);
  return v as GossipMode;
}

/** --protocol's value, checked. */
export function protocolValue(v: string): ProtocolName {
  if (!isProtocolName(v)) throw new UsageError(`--protocol must be one of ${PROTOCOLS.join(', ')}, not '${v}'`);
  return v;
}

/** --schedule's value: a witness as `kvcmd explore` prints it, checked for form (whether it fits the run is known only by running). */
function scheduleValue(v: string): string {
  try {
    parseSchedule(v);
  } catch (err) {
    if (err instanceof ScheduleError) throw new UsageError(`--schedule '${v}': ${err.message}`);
    throw err;
  }
  return v;
}

/** A file the run writes at its end: standard output (`-`) is for the script's output and --events. */
function fileValue(flag: string, v: string): string {
  if (v === '-' || v === '') throw new UsageError(`${flag} needs a file name ('${v}' is not one: only --events can write to stdout)`);
  return v;
}

/** Hand-written on purpose: a handful of flags does not need a dependency. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { command: 'help', gossip: 'settled', model: false, interactive: false, check: false, serverCmd: [], clientCmd: [], rest: [] };
  const positional: string[] = [];
  const words = new ArgWalker(argv);
  for (let w = words.next(); w; w = words.next()) {
    const { a, flag } = w;
    const value = (): string => words.value();
    switch (flag) {
      case '-h': case '--help': args.command = 'help'; return args;
      case '--seed': args.seed = seedValue(value()); break;
      case '--gossip': args.gossip = gossipValue(value()); break;
      case '--protocol': args.protocol = protocolValue(value()); break;
      case '--events': args.events = value(); break;
      case '--diagram': args.diagram = fileValue(flag, value()); break;
      case '--shiviz': args.shiviz = fileValue(flag, value()); break;
      case '--model': args.model = true; break;
      case '--interactive': args.interactive = true; break;
      case '--check': args.check = true; break;
      case '--schedule': args.schedule = scheduleValue(value()); break;
      case '--server-cmd': args.serverCmd.push(value()); break;
      case '--client-cmd': args.clientCmd.push(value()); break;
      case '--stdio': case '--node-ipc': args.rest.push(a); break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}'`);
        positional.push(a);
    }
  }
  const [cmd, file, ...extra] = positional;
  if (cmd === undefined) return args;
  if (cmd !== 'run' && cmd !== 'check' && cmd !== 'help' && cmd !== 'lsp' && cmd !== 'dap' && cmd !== 'verify') throw new UsageError(`unknown command '${cmd}' (expected run, check, verify, lsp, dap or help)`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  args.command = cmd;
  args.file = file;
  if (cmd === 'verify' && file === undefined) throw new UsageError('verify needs a record file (kvcmd verify RECORD.jsonl, or - for stdin)');
  if (args.protocol && cmd !== 'run') throw new UsageError('--protocol goes with run (kvcmd run FILE --protocol NAME)');
  if (args.check && cmd !== 'run') throw new UsageError('--check goes with run (kvcmd run FILE --check)');
  if (args.check && args.interactive) throw new UsageError('--check needs a whole script: it cannot go with --interactive');
  if (args.serverCmd.length + args.clientCmd.length > 0) {
    if (cmd !== 'run') throw new UsageError('--server-cmd and --client-cmd go with run, test and conform (kvcmd run FILE --server-cmd CMD)');
    if (args.model) throw new UsageError('--server-cmd and --client-cmd start real processes: they cannot go with --model');
  }
  if (args.schedule !== undefined) {
    if (cmd !== 'run') throw new UsageError('--schedule goes with run (kvcmd run FILE --model --schedule W)');
    if (!args.model) throw new UsageError(`--schedule '${args.schedule}' needs --model: only the model can deliver messages in a chosen order (kvcmd run FILE --model --schedule W)`);
    if (args.interactive) throw new UsageError('--schedule replays a whole script: it cannot go with --interactive');
  }
  return args;
}
