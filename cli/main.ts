import { parseArgs, UsageError } from './args';
import { helpText } from './help';
import { runInteractive } from './interactive';
import { runScript } from './run';
import type { Streams } from './streams';
import { printDiagnostics, readAndCheck } from './script';

/** The `kvcmd` command: wiring only. Resolves with the exit status. */
export async function main(argv: readonly string[], io?: Streams): Promise<number> {
  const controller = new AbortController();
  io ??= defaultStreams(controller);
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const args = parseArgs(argv);
    switch (args.command) {
      case 'help':
        io.out(helpText());
        return 0;
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
        const script = readAndCheck(args.file);
        printDiagnostics(script, io.err);
        return script.hasErrors ? 2 : 0;
      }
      case 'verify': {
        const { verifyFile } = await import('../check/index.js');
        return verifyFile(args.file!, io);
      }
      case 'run': {
        const fromTerminal = (args.file === undefined || args.file === '-') && process.stdin.isTTY;
        if (args.check && fromTerminal) throw new UsageError('--check needs a whole script: stdin is a terminal (pipe the script or name a FILE)');
        if (args.interactive || fromTerminal) return await runInteractive(args, io, controller.signal);
        return await runScript(readAndCheck(args.file), args, io, controller.signal);
      }
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`kvcmd: ${err.message}\nTry 'kvcmd --help'.\n`);
      return 2;
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || e.code === 'EISDIR' || e.code === 'EACCES') {
      io.err(`kvcmd: cannot read '${e.path ?? ''}': ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : 'permission denied'}\n`);
      return 2;
    }
    io.err(`kvcmd: ${e.message ?? String(err)}\n`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
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
