// `kvcmd test [DIR|FILE...] [--gossip M] [--protocol P] [--model] [--seed N] [--junit OUT.xml] [--update]
// [--server-cmd CMD] [--client-cmd CMD] [--exact]`: every
// script with a sibling `.expected` is a test (testing/scriptTests.ts). Its own argument parser:
// the flags differ from `run`'s and several paths are allowed (docs/cli.md, "kvcmd test").
import * as fs from 'fs';
import * as path from 'path';
import type { GossipMode, ProtocolName } from '../protocol/messages';
import { commandWord, gossipValue, protocolValue, seedValue, ArgWalker, UsageError } from './args';
import type { Streams } from './streams';
import { discoverTests, runScriptTest, TestUsageError, updatable, updateExpected, type ScriptTestResult } from '../testing/scriptTests';
import { failureDetails, junitXml } from '../testing/junit';
import { nodeCommandsOf } from './nodes';

export interface TestArgs {
  paths: string[];
  gossip: GossipMode;
  protocol?: ProtocolName;
  seed: number | undefined;
  model: boolean;
  junit: string | undefined;
  update: boolean;
  /** Foreign nodes (docs/nodes.md), and whether their outputs must equal the .expected files. */
  serverCmd: string[];
  clientCmd: string[];
  exact: boolean;
}

/** Whether argv is `kvcmd test ...`. */
export function isTestCommand(argv: readonly string[]): boolean {
  return commandWord(argv) === 'test';
}

export function parseTestArgs(argv: readonly string[]): TestArgs {
  const args: TestArgs = { paths: [], gossip: 'settled', seed: undefined, model: false, junit: undefined, update: false, serverCmd: [], clientCmd: [], exact: false };
  let sawCommand = false;
  const words = new ArgWalker(argv);
  for (let w = words.next(); w; w = words.next()) {
    const { a, flag } = w;
    const value = (): string => words.value();
    switch (flag) {
      case '--seed': args.seed = seedValue(value()); break;
      case '--gossip': args.gossip = gossipValue(value()); break;
      case '--protocol': args.protocol = protocolValue(value()); break;
      case '--model': args.model = true; break;
      case '--update': args.update = true; break;
      case '--server-cmd': args.serverCmd.push(value()); break;
      case '--client-cmd': args.clientCmd.push(value()); break;
      case '--exact': args.exact = true; break;
      case '--junit': {
        const v = value();
        if (v === '' || v === '-') throw new UsageError(`--junit needs a file name ('${v}' is not one)`);
        args.junit = v;
        break;
      }
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}' for test (options: --gossip, --protocol, --model, --seed, --junit, --update, --server-cmd, --client-cmd, --exact)`);
        if (!sawCommand && a === 'test') sawCommand = true;
        else if (a === '-') throw new UsageError('test reads scripts from files, not stdin: name a folder or .kvcmd files');
        else args.paths.push(a);
    }
  }
  if (args.model && args.serverCmd.length + args.clientCmd.length > 0) throw new UsageError('--server-cmd and --client-cmd start real processes: they cannot go with --model');
  return args;
}

/** Paths as the user sees them: relative to the working directory when inside it. */
function display(file: string): string {
  const rel = path.relative(process.cwd(), path.resolve(file));
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

const indent = (text: string, by = '  '): string => text.split('\n').map((l) => by + l).join('\n');

/** `kvcmd test`: 0 every test passed, 1 some failed, 2 a usage error (no tests found included), 130 cancelled. */
export async function runTestCommand(argv: readonly string[], io: Streams, signal: AbortSignal): Promise<number> {
  const args = parseTestArgs(argv);
  const paths = args.paths.length > 0 ? args.paths : ['.'];
  let tests;
  try {
    tests = discoverTests(paths);
  } catch (err) {
    if (err instanceof TestUsageError) throw new UsageError(err.message);
    throw err;
  }
  if (tests.length === 0) {
    throw new UsageError(`no tests found in ${paths.map((p) => `'${p}'`).join(', ')}: a test is a .kvcmd script with a sibling .expected file (name.kvcmd and name.expected)`);
  }
  // Opened first, so an unwritable report path is refused before anything runs.
  let junitFd: number | undefined;
  try {
    if (args.junit !== undefined) junitFd = fs.openSync(args.junit, 'w');
  } catch (err) {
    throw new UsageError(`cannot write the JUnit report '${args.junit}': ${(err as Error).message}`);
  }
  const backend = args.model ? 'model' : 'processes';
  const seed = args.seed ?? 1;
  // Each test's nodes: the flags, else the kvcmd.json beside it; read before anything runs.
  const nodes = tests.map((t) => (args.model ? undefined : nodeCommandsOf(args, t.script)));
  const foreign = [...new Set(nodes.map((n) => n?.origin).filter((o): o is string => o !== undefined))];
  const where = backend === 'model' ? 'model' : foreign.length > 0 ? `real processes, foreign nodes from ${foreign.join(', ')}` : 'real processes';
  io.err(`kvcmd: test: ${tests.length} test${tests.length === 1 ? '' : 's'} (seed ${seed}, gossip ${args.gossip}${args.protocol ? `, protocol ${args.protocol}` : ''}, ${where})\n`);
  const results: ScriptTestResult[] = [];
  const changed: string[] = [];
  const t0 = performance.now();
  try {
    for (const [i, t] of tests.entries()) {
      if (signal.aborted) break;
      const r = await runScriptTest(t, {
        gossip: args.gossip, seed, backend, signal, ...(args.protocol ? { protocol: args.protocol } : {}),
        ...(nodes[i] ? { nodes: nodes[i], ...(args.exact ? { exact: true } : {}) } : {}),
      });
      if (r.cancelled) break;
      if (args.update && updatable(r)) {
        if (updateExpected(r)) changed.push(r.test.expected);
        // The expected output is now what ran: only the other causes still fail the test.
        const stale = (why: string): boolean => why.startsWith('stdout differs') || why.startsWith('no expected output');
        r.reasons = r.reasons.filter((why) => !stale(why));
        r.status = r.reasons.length === 0 ? 'passed' : 'failed';
        r.warnings = r.warnings.filter((w) => !w.startsWith('stdout differs'));
      }
      results.push(r);
      report(r, io);
    }
  } finally {
    if (junitFd !== undefined) {
      fs.writeSync(junitFd, junitXml(results, { display }));
      fs.closeSync(junitFd);
    }
  }
  if (signal.aborted) {
    io.err(`kvcmd: test: cancelled after ${results.length} of ${tests.length} tests\n`);
    return 130;
  }
  const failed = results.filter((r) => r.status === 'failed').length;
  if (args.update) {
    for (const f of changed) io.out(`updated ${display(f)}\n`);
    io.out(changed.length === 0 ? 'no .expected file changed\n' : `${changed.length} .expected file${changed.length === 1 ? '' : 's'} updated\n`);
  }
  if (junitFd !== undefined) io.err(`kvcmd: test: JUnit report written to ${args.junit}\n`);
  io.out(`${results.length - failed} passed, ${failed} failed (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  return failed > 0 ? 1 : 0;
}

function report(r: ScriptTestResult, io: Streams): void {
  const name = display(r.test.script);
  const ms = `${Math.round(r.ms)} ms`;
  if (r.status === 'passed') {
    io.out(`PASS ${name} (${ms})\n`);
    for (const w of r.warnings) io.out(`  warning: ${w}\n`);
    // A difference that did not fail the test: async mode, or foreign nodes without --exact.
    if (r.mismatch) io.out(indent(`${name}:${r.mismatch.scriptLine ?? 0}: ${r.mismatch.summary}\n${r.mismatch.excerpt}`, '    ') + '\n');
    return;
  }
  io.out(`FAIL ${name} (${ms}): ${r.reasons.join('; ')}\n`);
  io.out(indent(failureDetails(r, display)) + '\n');
  for (const w of r.warnings) io.out(`  warning: ${w}\n`);
}
