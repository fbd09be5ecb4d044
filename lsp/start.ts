// Entry for `kvcmd lsp --stdio` (cli/main.ts imports this lazily). The transport comes from the
// command line (--stdio, --node-ipc, --socket=N).
import { startLanguageServer } from './languageServer';

export { startLanguageServer };

/**
 * Runs the server until it ends, resolving with the exit status instead of exiting.
 * vscode-languageserver ends the process itself (process.exit) on the `exit` notification or
 * when the client's stream closes. Inside the CLI that would skip the launcher's own exit path
 * (bin/kvcmd.js reports an exit before main() resolved as an internal error), so while the
 * server runs, process.exit is routed to the promise; the launcher then exits with that status.
 */
export function runLanguageServer(): Promise<number> {
  return new Promise<number>((resolve) => {
    const realExit = process.exit;
    process.exit = ((code?: number | string | null) => {
      process.exit = realExit;
      resolve(typeof code === 'number' ? code : Number(code ?? 0) || 0);
      // The library expects process.exit not to return; nothing after it matters any more.
      return undefined as never;
    }) as typeof process.exit;
    startLanguageServer();
  });
}
