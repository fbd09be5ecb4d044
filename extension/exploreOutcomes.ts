// "kvcmd: Explore Outcomes" (kvcmd.exploreOutcomes): asks the language server to run every schedule
// of the active .kvcmd file on the model (kvcmd/explore, lsp/exploration.ts). The server then shows
// each get and printStore line's possible results inline, with how many schedules give each; this
// side shows the summary (distinct stdouts, schedules, exhaustive or sampled, the budget), logs the
// report with the `kvcmd run ... --schedule W` line of every witness, and opens witnesses:
//   kvcmd.openWitness            what a click on an inline result runs: pick the debugger or the diagram
//   kvcmd.openWitnessInDebugger  a kvcmd debug session on the model with that schedule
//   kvcmd.openWitnessInDiagram   the model run with that schedule, in the Messages panel
// Without arguments the last two offer the outcomes of the file's last exploration to pick from.
//
// Exploring async gossip is the point (a settled script has one outcome), so that is the default
// whatever `kvcmd.gossip` says; the seed is `kvcmd.seed`'s, else 1, as `kvcmd explore`'s.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { parseSchedule, runSchedule } from '../explore/explore';
import { ExploreRequest, type ExploreOutcomes, type ExploreParams, type WitnessTarget } from '../lsp/customMessages';
import { exploreSummary } from '../lsp/exploration';
import type { ClusterEvent } from '../record/events';
import { GOSSIP_MODES, type GossipMode } from '../protocol/messages';
import { DEBUG_TYPE } from './debugger';
import { preflight } from './preflight';
import { protocolFor } from '../language/directives';
import { readRunConfig } from './settings';

/** What "Open Witness in Message Diagram" resolves to (tests read it). */
export interface WitnessRun {
  schedule: string;
  stdout: string;
  /** Messages sent in the run: the diagram's arrows. */
  messages: number;
  events: readonly ClusterEvent[];
}

export interface ExploreOutcomesDeps {
  client: LanguageClient | undefined;
  messages: { showWitness(uri: vscode.Uri, witness: { schedule: string; events: readonly ClusterEvent[] }): void };
  log: vscode.LogOutputChannel;
}

type Action = 'debugger' | 'diagram';

function activeKvcmd(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  return editor?.document.languageId === 'kvcmd' ? editor.document.uri : undefined;
}

/** The command's argument: a URI (menus), an ExploreParams-like object (tests, other commands), or nothing (the active file). */
function exploreTarget(arg: unknown): { uri: vscode.Uri | undefined; options: Partial<ExploreParams> } {
  if (arg instanceof vscode.Uri) return { uri: arg, options: {} };
  if (typeof arg === 'string') return { uri: vscode.Uri.parse(arg), options: {} };
  if (arg && typeof arg === 'object') {
    const raw = (arg as { uri?: unknown }).uri;
    const uri = raw instanceof vscode.Uri ? raw : typeof raw === 'string' ? vscode.Uri.parse(raw) : activeKvcmd();
    return { uri, options: arg as Partial<ExploreParams> };
  }
  return { uri: activeKvcmd(), options: {} };
}

function isWitnessTarget(x: unknown): x is WitnessTarget {
  const t = x as WitnessTarget | undefined;
  return !!t && typeof t === 'object' && typeof t.uri === 'string' && typeof t.witness === 'string' && typeof t.seed === 'number' && typeof t.gossip === 'string';
}

const oneLine = (stdout: string): string => (stdout === '' ? '(no output)' : stdout.replace(/\n$/, '').split('\n').join(' · '));

export function registerExploreOutcomes({ client, messages, log }: ExploreOutcomesDeps): vscode.Disposable {
  const last = new Map<string, ExploreOutcomes>();

  const exploreCommand = async (arg?: unknown): Promise<ExploreOutcomes | undefined> => {
    const { uri, options } = exploreTarget(arg);
    if (!uri) {
      void vscode.window.showInformationMessage('kvcmd: open a .kvcmd file to explore its outcomes.');
      return undefined;
    }
    if (!client) {
      void vscode.window.showErrorMessage('kvcmd: Explore Outcomes needs the language server, which is not running.');
      return undefined;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    const name = path.basename(uri.path);
    const config = readRunConfig(uri);
    const params: ExploreParams = {
      uri: client.code2ProtocolConverter.asUri(doc.uri),
      gossip: (GOSSIP_MODES as readonly unknown[]).includes(options.gossip) ? options.gossip : 'async',
      seed: typeof options.seed === 'number' ? options.seed : config.seed ?? 1,
      ...(typeof options.maxSchedules === 'number' ? { maxSchedules: options.maxSchedules } : {}),
      ...(typeof options.budgetMs === 'number' ? { budgetMs: options.budgetMs } : {}),
    };
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `kvcmd: exploring the schedules of ${name} (gossip ${params.gossip})…`, cancellable: true },
      (_progress, token) => client.sendRequest(ExploreRequest, params, token),
    );
    if (result.state === 'refused') {
      void vscode.window.showErrorMessage(`kvcmd: ${name} not explored: ${result.error}`);
      return result;
    }
    if (result.state === 'cancelled') {
      log.info(`${name}: exploration cancelled after ${result.schedules} schedules`);
      return result;
    }
    last.set(doc.uri.toString(), result);
    void vscode.commands.executeCommand('setContext', 'kvcmd.explored', true);
    const summary = exploreSummary(result);
    logReport(name, result);
    void vscode.window.showInformationMessage(`kvcmd: ${name}: ${summary}.`, 'Open Witness…', 'Show Report').then((pick) => {
      if (pick === 'Open Witness…') void pickAndOpen(doc.uri, undefined);
      else if (pick === 'Show Report') log.show(true);
    });
    return result;
  };

  const logReport = (name: string, r: ExploreOutcomes): void => {
    log.info(`${name}: explored: ${exploreSummary(r)}; ${r.pruned} runs cut short by the reduction; ${r.ms} ms`);
    r.outcomes.forEach((o, i) => log.info(`  #${i + 1} (${o.count} schedules): ${oneLine(o.stdout)}  [${o.replay}]`));
    for (const v of r.violations) log.warn(`  ${v.rule}: ${v.message} (${v.count} schedules)  [${v.replay}]`);
    for (const e of r.errors) log.warn(`  the run broke: ${e.error} (${e.count} schedules)  [${e.replay}]`);
  };

  /** A witness of the file's last exploration, chosen in a quick pick; then the action, unless given. */
  const pickAndOpen = async (uri: vscode.Uri | undefined, action: Action | undefined): Promise<unknown> => {
    const target = uri ?? activeKvcmd();
    const r = target && last.get(target.toString());
    if (!target || !r) {
      void vscode.window.showInformationMessage('kvcmd: run "kvcmd: Explore Outcomes" on the file first.');
      return undefined;
    }
    const items = [
      ...r.outcomes.map((o, i) => ({ label: `#${i + 1} ${oneLine(o.stdout)}`, description: `${o.count} schedules, witness ${o.witness}`, witness: o.witness })),
      ...r.violations.map((v) => ({ label: `$(warning) ${v.rule}: ${v.message}`, description: `${v.count} schedules, witness ${v.witness}`, witness: v.witness })),
      ...r.errors.map((e) => ({ label: `$(error) the run broke: ${e.error}`, description: `${e.count} schedules, witness ${e.witness}`, witness: e.witness })),
    ];
    const item = await vscode.window.showQuickPick(items, { title: `kvcmd: a witness of ${path.basename(target.path)}`, matchOnDescription: true });
    if (!item) return undefined;
    return open({ uri: r.uri, witness: item.witness, seed: r.seed, gossip: r.gossip, label: item.label }, action);
  };

  const open = async (t: WitnessTarget, action: Action | undefined): Promise<unknown> => {
    let how = action;
    if (!how) {
      const pick = await vscode.window.showQuickPick([
        { label: '$(debug-alt) Open Witness in Debugger', action: 'debugger' as const, detail: `step through schedule ${t.witness} on the model` },
        { label: '$(arrow-swap) Open Witness in Message Diagram', action: 'diagram' as const, detail: `the messages of schedule ${t.witness}` },
      ], { title: `kvcmd: ${t.label} (witness ${t.witness})` });
      how = pick?.action;
    }
    if (how === 'debugger') return openInDebugger(t);
    if (how === 'diagram') return openInDiagram(t);
    return undefined;
  };

  const uriOf = (t: WitnessTarget): vscode.Uri => (client ? client.protocol2CodeConverter.asUri(t.uri) : vscode.Uri.parse(t.uri));

  const openInDebugger = async (t: WitnessTarget): Promise<boolean> => {
    const uri = uriOf(t);
    const doc = await vscode.workspace.openTextDocument(uri);
    // The debugger reads the script from disk: what was explored is the editor's text.
    if (doc.isDirty) await doc.save();
    await vscode.window.showTextDocument(doc, { preview: false });
    return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), {
      type: DEBUG_TYPE, request: 'launch', name: `Witness ${t.witness} of ${path.basename(uri.path)}`,
      program: uri.fsPath, seed: t.seed, gossip: t.gossip, schedule: t.witness, stopOnEntry: true,
    });
  };

  const openInDiagram = async (t: WitnessTarget): Promise<WitnessRun | undefined> => {
    const uri = uriOf(t);
    const doc = await vscode.workspace.openTextDocument(uri);
    const checked = preflight(doc.getText());
    if (!checked.ok) {
      void vscode.window.showErrorMessage(`kvcmd: ${path.basename(uri.path)} has errors now; fix them and explore again.`);
      return undefined;
    }
    const gossip: GossipMode = (GOSSIP_MODES as readonly string[]).includes(t.gossip) ? (t.gossip as GossipMode) : 'async';
    const run = await runSchedule(checked.commands, { seed: t.seed, gossip, protocol: protocolFor(checked.directives) }, parseSchedule(t.witness));
    if (run.scheduleError) {
      const where = run.scheduleError.line !== undefined ? ` (line ${run.scheduleError.line})` : '';
      void vscode.window.showErrorMessage(`kvcmd: witness ${t.witness} no longer fits ${path.basename(uri.path)}${where}: ${run.scheduleError.message}. Explore again.`);
      return undefined;
    }
    messages.showWitness(uri, { schedule: t.witness, events: run.events });
    log.info(`${path.basename(uri.path)}: witness ${t.witness} (seed ${t.seed}, gossip ${gossip}) in the Messages panel: ${oneLine(run.stdout)}`);
    return { schedule: t.witness, stdout: run.stdout, messages: run.events.filter((e) => e.type === 'send').length, events: run.events };
  };

  return vscode.Disposable.from(
    vscode.commands.registerCommand('kvcmd.exploreOutcomes', exploreCommand),
    // From an inline result: its target, and (tests) the action to skip the pick.
    vscode.commands.registerCommand('kvcmd.openWitness', (t?: unknown, action?: Action) => (isWitnessTarget(t) ? open(t, action) : pickAndOpen(undefined, action))),
    vscode.commands.registerCommand('kvcmd.openWitnessInDebugger', (t?: unknown) => (isWitnessTarget(t) ? openInDebugger(t) : pickAndOpen(t instanceof vscode.Uri ? t : undefined, 'debugger'))),
    vscode.commands.registerCommand('kvcmd.openWitnessInDiagram', (t?: unknown) => (isWitnessTarget(t) ? openInDiagram(t) : pickAndOpen(t instanceof vscode.Uri ? t : undefined, 'diagram'))),
  );
}
