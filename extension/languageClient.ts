// Starts the kvcmd language server (dist/languageServer.js, bundled by esbuild.mjs) as a Node child
// process talking LSP over IPC. Without a bundled server the extension still activates: the
// language, grammar and snippets come from package.json alone.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export type KvcmdLanguageClient = LanguageClient;

export async function startLanguageClient(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
): Promise<LanguageClient | undefined> {
  const module = context.asAbsolutePath('dist/languageServer.js');
  if (!fs.existsSync(module)) {
    log.info(`no language server at ${module}: running without one`);
    return undefined;
  }
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=127.0.0.1:6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'kvcmd' }],
    // The server's own chatter gets the client's default channel ("kvcmd language server"), so
    // the "kvcmd log" channel stays a readable story of the runs.
  };
  const client = new LanguageClient('kvcmd', 'kvcmd language server', serverOptions, clientOptions);
  context.subscriptions.push(client);
  try {
    await client.start();
    log.info('language server started');
    return client;
  } catch (err) {
    // A broken server must not take the rest of the extension down with it.
    log.error(`language server failed to start: ${err instanceof Error ? err.message : String(err)}`);
    void vscode.window.showErrorMessage('kvcmd: the language server failed to start (see Output › kvcmd).');
    return undefined;
  }
}
