import { CliArgs, commandWord, parseArgs, UsageError } from './args';
import { sameFile } from './files';
import { FileError } from '../language/scriptFile';
import { helpText } from './help';
import { runInteractive } from './interactive';
import { EXIT, runScript } from './run';
import type { Streams } from './streams';
import { printDiagnostics, readAndCheck } from '../language/scriptFile';
import { isTestCommand, runTestCommand } from './test';
import { isExploreCommand, runExploreCommand } from './explore';
import { isCompareCommand, runCompareCommand } from './compare';
import { isConformCommand, runConformCommand } from './conform';
import { runNodeCommand } from './nodes';

/** The `kvcmd` command: wiring only. Resolves with the exit status. */
export async function main(argv: readonly string[], io?: Streams): Promise<number> {
  const controller = new AbortController();
  io ??= defaultStreams(controller);
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // `kvcmd test` has its own flags and takes several paths (cli/test.ts).
    if (isTestCommand(argv)) return await runTestCommand(argv, io, controller.signal);
    // `kvcmd explore` too (cli/explore.ts): every schedule of a script on the model.
    if (isExploreCommand(argv)) return await runExploreCommand(argv, io, controller.signal);
    // `kvcmd compare` (cli/compare.ts): two runs of a script side by side.
    if (isCompareCommand(argv)) return await runCompareCommand(argv, io, controller.signal);
    // `kvcmd conform` (cli/conform.ts): the conformance kit for foreign nodes; `kvcmd node`: kvcmd's own node as a program (docs/nodes.md).
    if (isConformCommand(argv)) return await runConformCommand(argv, io, controller.signal);
    if (commandWord(argv) === 'node') {
      // A node runs until its run ends it: the default signal behaviour applies, as for lsp.
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      return await runNodeCommand(argv);
    }
    const args = parseArgs(argv);
    switch (args.command) {
      case 'help':
        io.out(helpText());
        return EXIT.OK;
      case 'lsp': {
        // The server runs until its client sends exit or closes the stream; the default signal
        // behaviour applies, so SIGTERM ends it at once.
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
        const { runLanguageServer } = await import('../lsp/start.js');
        return await runLanguageServer();
      }
      case 'dap': {
        // The debug adapter speaks on stdin/stdout until its client disconnects or closes the stream.
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
        const { serveDap } = await import('../debug/adapter.js');
        await serveDap(process.stdin, process.stdout);
        return 0;
      }
      case 'check': {
        // Without FILE, stdin is read only when it is a pipe or a file: at a terminal it would wait silently.
        if (args.file === undefined && process.stdin.isTTY) throw new UsageError("check needs a FILE, or - to read the script from stdin");
        const script = readAndCheck(args.file);
        printDiagnostics(script, io.err);
        return script.hasErrors ? EXIT.REFUSED : EXIT.OK;
      }
      case 'verify': {
        const { verifyFile } = await import('../check/index.js');
        return verifyFile(args.file!, io);
      }
      case 'run': {
        refuseOverwrites(args);
        const fromTerminal = (args.file === undefined || args.file === '-') && process.stdin.isTTY;
        if (args.check && fromTerminal) throw new UsageError('--check needs a whole script: stdin is a terminal (pipe the script or name a FILE)');
        if (args.interactive || fromTerminal) return await runInteractive(args, io, controller.signal);
        return await runScript(readAndCheck(args.file), args, io, controller.signal);
      }
    }
  } catch (err) {
    if (err instanceof FileError) {
      io.err(`kvcmd: ${err.message}\n`);
      return EXIT.REFUSED;
    }
    if (err instanceof UsageError) {
      io.err(`kvcmd: ${err.message}\nTry 'kvcmd --help'.\n`);
      return EXIT.REFUSED;
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || e.code === 'EISDIR' || e.code === 'EACCES') {
      io.err(`kvcmd: cannot read '${e.path ?? ''}': ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : 'permission denied'}\n`);
      return EXIT.REFUSED;
    }
    io.err(`kvcmd: ${e.message ?? String(err)}\n`);
    return EXIT.RUN_BROKE;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** The run's output files must not be the script (nor each other): the run would overwrite what it reads. */
function refuseOverwrites(args: CliArgs): void {
  const outputs: [string, string][] = [];
  for (const [flag, out] of [['--events', args.events], ['--diagram', args.diagram], ['--shiviz', args.shiviz]] as const) {
    if (out !== undefined && out !== '-') outputs.push([flag, out]);
  }
  if (args.file !== undefined && args.file !== '-') {
    for (const [flag, out] of outputs) {
      if (sameFile(out, args.file)) throw new UsageError(`${flag} '${out}' is the script itself: the run would overwrite it; name another file`);
    }
  }
  for (let i = 0; i < outputs.length; i++) {
    for (let j = i + 1; j < outputs.length; j++) {
      if (sameFile(outputs[i][1], outputs[j][1])) throw new UsageError(`${outputs[i][0]} and ${outputs[j][0]} name the same file '${outputs[j][1]}'`);
    }
  }
}

/** stdout and stderr; a closed stdout (`kvcmd run x | head`) ends the run quietly rather than crashing. */
function defaultStreams(controller: AbortController): Streams {
  let open = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    open = false;
    controller.abort();
  });
  return { out: (s) => void (open && process.stdout.write(s)), err: (s) => void process.stderr.write(s) };
}
