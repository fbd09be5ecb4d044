// Entry for `kvcmd lsp --stdio` (cli/main.ts imports this lazily). The transport comes from the
// command line (--stdio, --node-ipc, --socket=N); the process exits when the client sends
// `exit` or closes the stream, as vscode-languageserver arranges.
import { startLanguageServer as wire } from './server';

export function startLanguageServer(): void {
  wire();
}
