// Entry point of the kvcmd VS Code extension. Keep this file small: each feature lives in its own
// module under client/ and is wired in here.
import * as vscode from 'vscode';
import { startLanguageClient, type KvcmdLanguageClient } from './languageClient';

/** What `activate` returns: reachable by tests through `extensions.getExtension('kvcmd.kvcmd').exports`. */
export interface KvcmdApi {
  /** The running language client, or undefined when no server is bundled (dist/server.js). */
  readonly languageClient: KvcmdLanguageClient | undefined;
  /** Absolute path of the cluster's child-process entry (dist/nodeMain.js), for forking nodes. */
  readonly nodeMainPath: string;
  readonly log: vscode.LogOutputChannel;
}

let api: KvcmdApi | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<KvcmdApi> {
  const log = vscode.window.createOutputChannel('kvcmd', { log: true });
  context.subscriptions.push(log);
  log.info(`kvcmd ${context.extension.packageJSON.version} activating (mode ${vscode.ExtensionMode[context.extensionMode]})`);

  const languageClient = await startLanguageClient(context, log);

  api = { languageClient, nodeMainPath: context.asAbsolutePath('dist/nodeMain.js'), log };
  log.info('kvcmd activated');
  return api;
}

export async function deactivate(): Promise<void> {
  // The language client is also in context.subscriptions; stopping it here lets VS Code wait for
  // the server process to exit instead of killing it mid-shutdown.
  await api?.languageClient?.stop().catch(() => undefined);
  api = undefined;
}
