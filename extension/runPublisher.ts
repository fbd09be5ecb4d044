// Hands each run's results to the language server, which renders the stamp hovers (the one place):
// a starting run clears the document's old results, an ended one sends its line-tied events.
import * as vscode from 'vscode';
import { ClearRunResultsNotification, RunResultsNotification, type RunResultsParams } from '../lsp/customMessages';
import type { KvcmdLanguageClient } from './languageClient';
import type { RunManager } from './runs';

export function registerRunPublisher(runs: RunManager, client: KvcmdLanguageClient | undefined, log: vscode.LogOutputChannel): vscode.Disposable {
  if (!client) return new vscode.Disposable(() => undefined);
  const failed = (err: unknown) => log.warn(`could not send run results to the language server: ${String(err)}`);
  return vscode.Disposable.from(
    runs.onDidStartRun((r) => void client.sendNotification(ClearRunResultsNotification, { uri: r.uri.toString() }).catch(() => undefined)),
    runs.onDidFinishRun((r) => {
      // A stopped run is cut short, and one that never got going has nothing to show.
      if (r.state === 'stopped' || r.events.length === 0) return;
      const params: RunResultsParams = {
        uri: r.uri.toString(), version: r.version, seed: r.seed, gossip: r.gossip, protocol: r.protocol,
        finishedAt: (r.finishedAt ?? new Date()).toISOString(),
        events: r.events.filter((e) => 'line' in e && e.line > 0),
        ...(r.snapshot ? { snapshot: r.snapshot } : {}),
      };
      client.sendNotification(RunResultsNotification, params).catch(failed);
    }),
  );
}
