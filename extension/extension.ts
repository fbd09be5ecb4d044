// Entry point of the kvcmd VS Code extension: wiring only. Each feature lives in its own module and
// subscribes to the RunManager's events (runs.ts) where it shows something about runs.
import * as vscode from 'vscode';
import { registerClusterView } from './clusterView';
import { registerCompareView } from './compareView';
import type { ClusterTreeProvider, ClusterNode } from './clusterTree';
import { registerRunCommands } from './commands';
import { registerDebugFollow } from './debugFollow';
import { registerDebugger, type KvcmdDebugRecord } from './debugger';
import { registerExploreOutcomes } from './exploreOutcomes';
import { startLanguageClient, type KvcmdLanguageClient } from './languageClient';
import { registerMessagesPanel, type MessagesPanelHandle } from './messagesPanel';
import { registerRunLog } from './runLog';
import { RunOutput } from './runOutput';
import { registerRunProgress } from './runProgress';
import { registerRunPublisher } from './runPublisher';
import { RunManager } from './runs';
import { registerStatusBar } from './statusBar';
import { registerTesting, type KvcmdTesting } from './testing';

/** What `activate` returns: reachable by tests through `extensions.getExtension('kvcmd.kvcmd').exports`. */
export interface KvcmdApi {
  /** The running language client, or undefined when no server is bundled (dist/languageServer.js). */
  readonly languageClient: KvcmdLanguageClient | undefined;
  /** Absolute path of the cluster's child-process entry (dist/nodeMain.js), for forking nodes. */
  readonly nodeMainPath: string;
  /** The "kvcmd log" channel: extension messages and the readable story of each run. */
  readonly log: vscode.LogOutputChannel;
  readonly runs: RunManager;
  /** The "kvcmd" output channel's text: the stdout of the run it shows. */
  outputText(): string;
  readonly clusterTree: ClusterTreeProvider;
  readonly clusterView: vscode.TreeView<ClusterNode>;
  /** The Messages panel (kvcmd.showMessages) while it is open. */
  messagesPanel(): MessagesPanelHandle | undefined;
  /** A kvcmd debug session's record at each stop and at its end (what the Cluster view and Messages panel follow). */
  readonly onDidChangeDebugRecord: vscode.Event<KvcmdDebugRecord>;
  /** The Testing view's controller: every .kvcmd with a sibling .expected is a test (extension/testing.ts). */
  readonly testing: KvcmdTesting;
}

let api: KvcmdApi | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<KvcmdApi> {
  const log = vscode.window.createOutputChannel('kvcmd log', { log: true });
  context.subscriptions.push(log);
  log.info(`kvcmd ${context.extension.packageJSON.version} activating (mode ${vscode.ExtensionMode[context.extensionMode]})`);

  const languageClient = await startLanguageClient(context, log);
  const nodeMainPath = context.asAbsolutePath('dist/nodeMain.js');
  const runs = new RunManager(nodeMainPath);
  // Subscribed in this order: the log tells of a run's start before anything else reacts to it.
  const runLog = registerRunLog(runs, log);
  const output = new RunOutput(runs);
  const cluster = registerClusterView(runs);
  const messages = registerMessagesPanel(runs);
  context.subscriptions.push(messages.disposable);
  context.subscriptions.push(
    runs, // its dispose stops every run, so no node process outlives the extension
    runLog, output, registerRunProgress(runs), registerRunPublisher(runs, languageClient, log),
    cluster.disposable, registerRunCommands(runs, output, log), registerStatusBar(runs),
  );

  // The debugger (debug type kvcmd, in-process adapter); the Cluster view and Messages panel follow its sessions.
  const debug = registerDebugger(nodeMainPath);
  context.subscriptions.push(debug.disposable, registerDebugFollow(debug.onDidChangeDebugRecord, { tree: cluster.provider, messages }));
  context.subscriptions.push(registerExploreOutcomes({ client: languageClient, messages, log }));
  const testing = registerTesting(nodeMainPath, log);
  context.subscriptions.push(testing.disposable, registerCompareView(log));
  api = { languageClient, nodeMainPath, log, runs, outputText: () => output.value(), clusterTree: cluster.provider, clusterView: cluster.view,
    messagesPanel: messages.handle, onDidChangeDebugRecord: debug.onDidChangeDebugRecord, testing: testing.api };
  log.info('kvcmd activated');
  return api;
}

export async function deactivate(): Promise<void> {
  api?.runs.stop(undefined, 'stopped: the extension is deactivating');
  // The language client is also in context.subscriptions; stopping it here lets VS Code wait for
  // the server process to exit instead of killing it mid-shutdown.
  await api?.languageClient?.stop().catch(() => undefined);
  api = undefined;
}
