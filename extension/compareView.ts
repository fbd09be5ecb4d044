// "kvcmd: Compare Runs": the active script run twice on the model (compare/compare.ts), under two
// protocols, two gossip modes or two seeds, shown as a diff of the two runs' results: one line per
// get and printStore, so the editor's diff marks exactly the lines where the two part, with each
// side's stamps and the checker's verdict at the top.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { compareRuns, sideDocument, type CompareReport, type Side } from '../compare/compare';
import { protocolFor } from '../language';
import { GOSSIP_MODES, PROTOCOLS, type GossipMode, type ProtocolName } from '../protocol/messages';
import { preflight, reportRefusal } from './preflight';
import { readRunConfig } from './settings';

const SCHEME = 'kvcmd-compare';

/** For tests and keybindings: the two sides, skipping the questions. */
export interface CompareSides {
  a: Partial<Side>;
  b: Partial<Side>;
}

export function registerCompareView(log: vscode.LogOutputChannel): vscode.Disposable {
  const docs = new Map<string, string>();
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const provider: vscode.TextDocumentContentProvider = { onDidChange: changed.event, provideTextDocumentContent: (uri) => docs.get(uri.toString()) ?? '' };

  const compare = async (arg?: unknown, given?: CompareSides): Promise<CompareReport | undefined> => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri || !uri.path.endsWith('.kvcmd')) {
      void vscode.window.showInformationMessage('kvcmd: open a .kvcmd file to compare two runs of it.');
      return undefined;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    const checked = preflight(doc.getText());
    const name = path.basename(uri.path);
    if (!checked.ok) {
      reportRefusal(name, checked.errors, log);
      return undefined;
    }
    const config = readRunConfig(uri);
    const base: Side = { protocol: protocolFor(checked.directives, undefined, config.protocol), gossip: config.gossip, seed: config.seed ?? 1, faults: true };
    const sides = given ? [{ ...base, ...given.a }, { ...base, ...given.b }] as const : await askSides(base);
    if (!sides) return undefined;
    const report = await compareRuns(checked.commands, sides[0], sides[1]);
    const stamp = Date.now();
    const left = vscode.Uri.from({ scheme: SCHEME, path: `/${report.a.label}/${name}`, query: String(stamp) });
    const right = vscode.Uri.from({ scheme: SCHEME, path: `/${report.b.label}/${name}`, query: String(stamp) });
    docs.set(left.toString(), sideDocument(name, report, 'a'));
    docs.set(right.toString(), sideDocument(name, report, 'b'));
    await vscode.commands.executeCommand('vscode.diff', left, right, `${name}: ${report.a.label} ↔ ${report.b.label}`, { preview: true });
    const verdict = report.diverging === 0 ? 'the same output everywhere' : `${report.diverging} printing line${report.diverging === 1 ? '' : 's'} differ, first at line ${report.firstDivergence}`;
    log.info(`compare ${name}: ${report.a.label} vs ${report.b.label}: ${verdict}`);
    void vscode.window.showInformationMessage(`kvcmd: ${name}, ${report.a.label} vs ${report.b.label}: ${verdict}.`);
    return report;
  };

  return vscode.Disposable.from(
    changed,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, provider),
    vscode.commands.registerCommand('kvcmd.compare', compare),
  );
}

/** What to vary, then its two values; the rest stays as the script and settings say. */
async function askSides(base: Side): Promise<readonly [Side, Side] | undefined> {
  const what = await vscode.window.showQuickPick(
    [
      { label: 'Protocols', description: PROTOCOLS.join(', '), key: 'protocol' as const },
      { label: 'Gossip modes', description: GOSSIP_MODES.join(', '), key: 'gossip' as const },
      { label: 'Seeds', description: 'two seeds of the random choices', key: 'seed' as const },
      { label: 'Faults', description: 'with and without the script\'s delay, drop, duplicate, pause', key: 'faults' as const },
    ],
    { title: 'kvcmd: compare two runs of this script under two…' },
  );
  if (!what) return undefined;
  if (what.key === 'faults') return [{ ...base, faults: true }, { ...base, faults: false }];
  if (what.key === 'seed') {
    const a = await askSeed('first', base.seed);
    const b = a === undefined ? undefined : await askSeed('second', a + 1);
    return a === undefined || b === undefined ? undefined : [{ ...base, seed: a }, { ...base, seed: b }];
  }
  const values: readonly string[] = what.key === 'protocol' ? PROTOCOLS : GOSSIP_MODES;
  const current = what.key === 'protocol' ? base.protocol : base.gossip;
  const a = await vscode.window.showQuickPick([current, ...values.filter((v) => v !== current)], { title: `Side A: ${what.key}` });
  const b = a && (await vscode.window.showQuickPick(values.filter((v) => v !== a), { title: `Side B: ${what.key} (A is ${a})` }));
  if (!a || !b) return undefined;
  return what.key === 'protocol'
    ? [{ ...base, protocol: a as ProtocolName }, { ...base, protocol: b as ProtocolName }]
    : [{ ...base, gossip: a as GossipMode }, { ...base, gossip: b as GossipMode }];
}

async function askSeed(which: string, value: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: `The ${which} seed`, value: String(value),
    validateInput: (v) => (/^[0-9]{1,10}$/.test(v.trim()) && Number(v) <= 2 ** 31 - 1 ? undefined : 'an integer from 0 to 2147483647'),
  });
  return text === undefined ? undefined : Number(text.trim());
}
