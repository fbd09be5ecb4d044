// The Cluster view and the Messages panel follow a kvcmd debug session (extension/debugFollow.ts):
// at each stop they show the session's record so far; a step back shortens it; at the end the view
// goes back to the last run.
import * as assert from 'node:assert/strict';
import type * as VSCode from 'vscode';
import type { ClusterNode } from '../../../extension/clusterTree';
import type { KvcmdDebugRecord } from '../../../extension/debugger';
import { kvcmdApi, repoFile, screenshot, sleep, suite, test, vscode, waitFor, resetWorkbench } from './host';

type Api = Awaited<ReturnType<typeof kvcmdApi>>;

// samples/03-partition.kvcmd: servers 0-3, client 10 on server 0, client 13 on server 3, {0,1} cut
// from {2,3}; line 15 `put 10 color blue`, line 16 `put 13 color orange`, line 17 `put 13 size large`.
const SAMPLE = 'samples/03-partition.kvcmd';

/** The key labels ("color: blue") the Cluster view shows under a server. */
function keys(api: Api, id: number): string[] {
  const tree = api.clusterTree;
  const group = tree.getChildren().find((n) => n.kind === 'group' && n.group === 'servers');
  const server = tree.getChildren(group).find((n): n is Extract<ClusterNode, { kind: 'server' }> => n.kind === 'server' && n.id === id);
  assert.ok(server, `no server ${id} in the tree`);
  return tree.getChildren(server).map((k) => String(tree.getTreeItem(k).label));
}

const sendCount = (r: KvcmdDebugRecord): number => r.events.filter((e) => e.type === 'send').length;

suite('the Cluster view and Messages panel follow the debugger', () => {
  const stops: { reason: string }[] = [];
  const records: KvcmdDebugRecord[] = [];
  const subs: VSCode.Disposable[] = [];

  suiteSetup(async () => {
    const api = await kvcmdApi();
    subs.push(
      vscode.debug.registerDebugAdapterTrackerFactory('kvcmd', {
        createDebugAdapterTracker: () => ({
          onDidSendMessage: (m: { type?: string; event?: string; body?: { reason: string } }) => {
            if (m.type === 'event' && m.event === 'stopped' && m.body) stops.push(m.body);
          },
        }),
      }),
      api.onDidChangeDebugRecord((r) => records.push(r)),
    );
  });
  suiteTeardown(async () => {
    for (const s of subs) s.dispose();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    // The workbench as later suites expect it: the explorer, no Debug Console, no panel or editor left open.
    await resetWorkbench();
  });

  /** Waits for stop number `count` and returns the record the debugger reported for it. */
  async function stopped(count: number): Promise<KvcmdDebugRecord> {
    await waitFor(`stop #${count}`, () => stops.length >= count, 15_000);
    await waitFor('VS Code focuses the stopped thread', () => vscode.debug.activeStackItem !== undefined, 5000);
    const r = records[records.length - 1];
    assert.ok(r && r.line !== undefined, 'a record for the stop');
    // The record comes before the stop: the copy the view holds is the record's, event for event.
    return { ...r, events: r.events.slice() };
  }

  test('stopped on a put, the view shows the cluster so far; step over, step into, step back follow; the end gives the run back', async () => {
    const api = await kvcmdApi();
    const view = api.clusterView;
    const uri = repoFile(SAMPLE);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(14, 0)))]);
    const runBefore = api.clusterTree.current?.record;
    const terminated = new Promise<void>((resolve) => {
      const sub = vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.type === 'kvcmd') {
          sub.dispose();
          resolve();
        }
      });
    });

    await vscode.commands.executeCommand('workbench.action.debug.start');
    let r = await stopped(1);
    assert.equal(r.line, 15);
    assert.equal(r.uri.toString(), uri.toString());
    assert.match(String(view.description), /^debugging · line 15 · 03-partition\.kvcmd$/);
    assert.equal(api.clusterTree.shownRecord?.events.length, r.events.length);
    assert.equal(api.clusterTree.getTreeItem(api.clusterTree.getChildren()[0]).description, 'debugging · line 15');
    // Before the put of line 15 runs: four servers, no key anywhere.
    for (const id of [0, 1, 2, 3]) assert.deepEqual(keys(api, id), [], `server ${id} before line 15`);

    await vscode.commands.executeCommand('workbench.action.debug.stepOver');
    r = await stopped(2);
    assert.equal(r.line, 16);
    await waitFor('the view at line 16', () => /^debugging · line 16 · /.test(String(view.description)));
    // The put and its gossip (settled) reached the left side only.
    assert.deepEqual(keys(api, 0), ['color: blue']);
    assert.deepEqual(keys(api, 1), ['color: blue']);
    assert.deepEqual(keys(api, 2), []);
    assert.deepEqual(keys(api, 3), []);
    assert.equal(api.clusterTree.shownRecord?.events.length, r.events.length);

    // In the middle of line 16 (stepped into its deliveries, now before the putReply): at each stop
    // the session releases the record so far, so the view already shows server 3 holding the write.
    await vscode.commands.executeCommand('workbench.action.debug.stepInto');
    await stopped(3);
    await vscode.commands.executeCommand('workbench.action.debug.stepInto');
    r = await stopped(4);
    assert.equal(r.line, 16);
    assert.match(String(view.description), /^debugging · line 16 · /);
    assert.equal(api.clusterTree.shownRecord?.events.length, r.events.length);
    assert.deepEqual(keys(api, 0), ['color: blue']);
    assert.deepEqual(keys(api, 3), ['color: orange']);

    // Back to line 15 (the session replays the run): a shorter record each time, the view starts over.
    let n = 4;
    const lengths = [r.events.length];
    // Stepping back passes line 15's deliveries (the put half done: the view shows it so) before
    // reaching the point before the put.
    while (r.line !== 15 || keys(api, 0).length > 0) {
      assert.ok(n < 30, 'step back reaches the point before line 15\'s put');
      await vscode.commands.executeCommand('workbench.action.debug.stepBack');
      r = await stopped(++n);
      lengths.push(r.events.length);
      assert.equal(api.clusterTree.shownRecord?.events.length, r.events.length);
    }
    assert.ok(lengths.every((l, i) => i === 0 || l <= lengths[i - 1]) && lengths[lengths.length - 1] < lengths[0], `shorter records: ${lengths.join(' ≥ ')}`);
    await waitFor('the view back at line 15', () => /^debugging · line 15 · /.test(String(view.description)));
    assert.equal(api.clusterTree.shownRecord?.events.length, r.events.length);
    for (const id of [0, 1, 2, 3]) assert.deepEqual(keys(api, id), [], `server ${id} after stepping back to line 15`);

    // The picture: the Cluster view following the debugger, stopped on line 16.
    await vscode.commands.executeCommand('workbench.action.debug.stepOver');
    await stopped(++n);
    await vscode.commands.executeCommand('workbench.view.extension.kvcmd');
    await sleep(700);
    await screenshot('cluster-debugging');

    await vscode.commands.executeCommand('workbench.action.debug.stop');
    await terminated;
    await waitFor('the view gives the run back', () => api.clusterTree.shownRecord === undefined);
    assert.doesNotMatch(String(view.description ?? ''), /debugging/);
    assert.equal(api.clusterTree.current?.record, runBefore);
  });

  test('the Messages panel of the file draws the session\'s messages at each stop and highlights the stopped line', async () => {
    const api = await kvcmdApi();
    const uri = repoFile(SAMPLE);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(14, 0)))]);
    const terminated = new Promise<void>((resolve) => {
      const sub = vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.type === 'kvcmd') {
          sub.dispose();
          resolve();
        }
      });
    });
    const base = stops.length;

    await vscode.commands.executeCommand('workbench.action.debug.start');
    let r = await stopped(base + 1);
    assert.equal(r.line, 15);
    await vscode.commands.executeCommand('kvcmd.showMessages', uri);
    const panel = await waitFor('the Messages panel', () => api.messagesPanel());
    await panel.ready();
    assert.equal(panel.debugging, true);
    const shows = async (want: number, line: number) => {
      await waitFor(`${want} arrows and line ${line} highlighted`, async () => {
        const s = await panel.stats();
        return s.total === want && s.arrows === want && s.highlightLine === line;
      });
    };
    // Joins and link changes send no message: the page is empty so far, the stopped line highlighted.
    await shows(sendCount(r), 15);

    await vscode.commands.executeCommand('workbench.action.debug.stepOver');
    r = await stopped(base + 2);
    assert.equal(r.line, 16);
    const after = sendCount(r);
    assert.ok(after > 0, 'the put of line 15 and its gossip are messages');
    await shows(after, 16);

    await vscode.commands.executeCommand('workbench.action.debug.stepOver');
    r = await stopped(base + 3);
    assert.ok(sendCount(r) > after, 'line 16 sent messages');
    await shows(sendCount(r), 17);

    // A step back: the page starts over from the shorter record.
    await vscode.commands.executeCommand('workbench.action.debug.stepBack');
    r = await stopped(base + 4);
    assert.equal(r.line, 16);
    await shows(after, 16);

    await vscode.commands.executeCommand('workbench.action.debug.stop');
    await terminated;
    await waitFor('the panel no longer follows the session', () => !panel.debugging);
  });
});
