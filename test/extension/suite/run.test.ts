import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type * as VSCode from 'vscode';
import type { RunOutcome, RunRecord } from '../../../extension/runs';
import type { ClusterNode } from '../../../extension/clusterTree';
import { fixture, kvcmdApi, nodeMainChildren, processAlive, repoFile, setKvcmdSettings, suite, test, vscode, waitFor } from './host';

const SAMPLES = ['01-fully-connected', '02-not-fully-connected', '03-partition', '04-dead-server', '05-multi-linked-client'];

function asRecord(outcome: RunOutcome): RunRecord {
  assert.ok(outcome && outcome.state !== 'refused', `the run did not start: ${JSON.stringify(outcome)}`);
  return outcome as RunRecord;
}

async function runFile(uri: VSCode.Uri, command = 'kvcmd.run', ...args: unknown[]): Promise<RunOutcome> {
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  return vscode.commands.executeCommand<RunOutcome>(command, uri, ...args);
}

suite('run', () => {
  suiteSetup(async () => {
    await kvcmdApi();
    // The samples' .expected files are what `kvcmd run --seed 7` prints (test/cluster/samples.test.ts).
    await setKvcmdSettings({ seed: '7', gossip: 'settled' });
  });

  for (const name of SAMPLES) {
    test(`kvcmd.run on samples/${name}.kvcmd prints its .expected output in the kvcmd channel`, async () => {
      const api = await kvcmdApi();
      const record = asRecord(await runFile(repoFile(`samples/${name}.kvcmd`)));
      assert.equal(record.state, 'ok', record.error);
      assert.equal(record.seed, 7);
      const expected = fs.readFileSync(repoFile(`samples/${name}.expected`).fsPath, 'utf8');
      assert.equal(api.outputText(), expected);
      assert.equal(record.stdout, expected);
      await waitFor('no node process left after the run', () => nodeMainChildren().length === 0, 5000);
    });
  }

  test('the cluster tree holds every server\'s store with stamps, as the final snapshot has it', async () => {
    const api = await kvcmdApi();
    const record = asRecord(await runFile(repoFile('samples/04-dead-server.kvcmd')));
    const snap = record.snapshot;
    assert.ok(snap, 'no snapshot');
    const tree = api.clusterTree;
    await waitFor('the tree shows this run', () => tree.current?.record === record);
    const roots = tree.getChildren();
    const runItem = tree.getTreeItem(roots.find((n) => n.kind === 'run')!);
    assert.equal(runItem.label, '04-dead-server.kvcmd');
    const serversGroup = roots.find((n) => n.kind === 'group' && n.group === 'servers')!;
    const servers = tree.getChildren(serversGroup);
    const liveServers = snap.nodes.filter((n) => n.role === 'server');
    assert.deepEqual(servers.map((s) => (s as { id: number }).id).sort((a, b) => a - b),
      [...liveServers.map((n) => n.id), ...snap.dead.map((d) => d.id)].sort((a, b) => a - b));
    for (const server of servers) {
      const id = (server as Extract<ClusterNode, { kind: 'server' }>).id;
      const item = tree.getTreeItem(server);
      const live = liveServers.find((n) => n.id === id);
      if (!live) {
        assert.match(String(item.description), /killed/);
        continue;
      }
      assert.match(String(item.description), new RegExp(`counter ${live.counter}`));
      const keys = tree.getChildren(server).map((k) => tree.getTreeItem(k));
      assert.deepEqual(keys.map((k) => [k.label, k.description]),
        live.store.map((e) => [`${e.key}: ${e.value}`, `(${e.stamp.counter},${e.stamp.server})`]), `server ${id}`);
      for (const k of keys) {
        const tip = (k.tooltip as VSCode.MarkdownString).value;
        assert.match(tip, /Lamport counter \d+, server \d+/);
        assert.match(tip, /on line \d+/, 'the tooltip names the put that wrote the key');
      }
    }
    const clientsGroup = roots.find((n) => n.kind === 'group' && n.group === 'clients')!;
    for (const client of tree.getChildren(clientsGroup)) {
      const id = (client as Extract<ClusterNode, { kind: 'client' }>).id;
      const snapClient: (typeof snap.nodes)[number] | undefined = snap.nodes.find((n) => n.id === id);
      assert.ok(snapClient, `client ${id} missing from the snapshot`);
      assert.match(String(tree.getTreeItem(client).description), new RegExp(`links ${snapClient.links.join(', ') || 'none'} · counter ${snapClient.counter}`));
      assert.deepEqual(tree.getChildren(client).map((d) => tree.getTreeItem(d).description),
        snapClient.deps.map((d) => `(${d.stamp.counter},${d.stamp.server})`));
    }
  });

  test('copy value and reveal line act on a store key', async () => {
    const api = await kvcmdApi();
    const record = asRecord(await runFile(fixture('hello.kvcmd')));
    const tree = api.clusterTree;
    await waitFor('the tree shows this run', () => tree.current?.record === record);
    const server1 = tree.getChildren(tree.getChildren()[1]).find((s) => s.kind === 'server' && s.id === 1)!;
    const [key] = tree.getChildren(server1);
    await vscode.commands.executeCommand('kvcmd.copyValue', key);
    assert.equal(await vscode.env.clipboard.readText(), 'hello');
    await vscode.commands.executeCommand('kvcmd.revealLine', key);
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.toString(), fixture('hello.kvcmd').toString());
    assert.equal(editor.selection.active.line, 4 - 1 + 1, 'the put is on line 5');
  });

  test('Run to here runs the commands up to that line only', async () => {
    const api = await kvcmdApi();
    const record = asRecord(await runFile(fixture('hello.kvcmd'), 'kvcmd.runToLine', 4));
    assert.equal(record.state, 'ok');
    assert.deepEqual(record.commands.map((c) => c.name), ['joinServer', 'joinServer', 'joinClient', 'put']);
    assert.equal(api.outputText(), '');
    const lenses = await vscode.commands.executeCommand<VSCode.CodeLens[]>('vscode.executeCodeLensProvider', fixture('hello.kvcmd'));
    const titles = lenses.map((l) => l.command?.title ?? '');
    // One Run lens at the top; running to a line is in the context menus and a keybinding (editor.test.ts).
    assert.deepEqual(titles, ['$(play) Run']);
  });

  test('put/get without a reachable server fail on their line and the run goes on', async () => {
    const api = await kvcmdApi();
    const record = asRecord(await runFile(fixture('no-server.kvcmd')));
    assert.equal(record.state, 'ok');
    assert.equal(record.failures, 2);
    assert.deepEqual(record.events.filter((e) => e.type === 'failed').map((e) => e.line), [5, 6]);
    assert.equal(api.outputText(), '');
  });

  test('the gossip setting applies to the next run', async () => {
    await setKvcmdSettings({ gossip: 'async' });
    try {
      const record = asRecord(await runFile(repoFile('samples/01-fully-connected.kvcmd')));
      assert.equal(record.gossip, 'async');
      assert.equal(record.state, 'ok');
      assert.ok(record.events.some((e) => e.type === 'runStarted' && e.gossip === 'async'));
    } finally {
      await setKvcmdSettings({ gossip: 'settled' });
    }
  });

  test('a file with errors is refused and nothing starts', async () => {
    const api = await kvcmdApi();
    const outcome = await runFile(fixture('broken.kvcmd'));
    assert.deepEqual(outcome, { state: 'refused', errors: 2 });
    assert.equal(api.runs.isRunning(), false);
  });

  test('kvcmd.stop ends a run at once and leaves no node process behind', async () => {
    const api = await kvcmdApi();
    const uri = fixture('long.kvcmd');
    const t0 = Date.now();
    const pending = runFile(uri);
    const record = await waitFor('three nodes started', () => {
      const r = api.runs.current(uri);
      return r && r.pids.length >= 3 && r.events.some((e) => e.type === 'put') ? r : undefined;
    });
    const pids = [...record.pids];
    assert.ok(pids.every(processAlive), 'the nodes run');
    // The tree is live: mid-run (the script sleeps) it already shows the nodes and the write.
    const tree = api.clusterTree;
    await waitFor('the tree shows the write while the run sleeps', () => {
      const m = tree.current?.record === record ? tree.current.model : undefined;
      return m?.servers.size === 2 && m.clients.get(5)?.deps.has('k') && m.servers.get(0)?.store.get('k')?.value === 'v';
    });
    assert.match(String(tree.getTreeItem(tree.getChildren()[0]).description), /^running since/);
    await vscode.commands.executeCommand('kvcmd.stop');
    const outcome = asRecord(await pending);
    assert.equal(outcome.state, 'stopped');
    assert.ok(Date.now() - t0 < 10_000, 'the stop did not wait for the sleep');
    await waitFor('every node process gone', () => pids.every((p) => !processAlive(p)), 5000);
    assert.equal(api.runs.isRunning(), false);
    // Not only the nodes the events named: the runner's pre-forked spare must be gone too.
    await waitFor('no nodeMain child left', () => nodeMainChildren().length === 0, 5000);
  });

  test('a second run of the same file cancels the first', async () => {
    const api = await kvcmdApi();
    const uri = fixture('long.kvcmd');
    const first = runFile(uri);
    const r1 = await waitFor('first run started nodes', () => (api.runs.current(uri)?.pids.length ?? 0) >= 3 && api.runs.current(uri));
    const firstPids = [...r1.pids];
    const second = runFile(uri);
    assert.equal(asRecord(await first).state, 'stopped');
    await waitFor('the first run\'s nodes gone', () => firstPids.every((p) => !processAlive(p)), 5000);
    const r2 = await waitFor('second run started nodes', () => (api.runs.current(uri)?.pids.length ?? 0) >= 1 && api.runs.current(uri));
    assert.notEqual(r2, r1);
    await vscode.commands.executeCommand('kvcmd.stop', uri);
    assert.equal(asRecord(await second).state, 'stopped');
    const secondPids = [...r2.pids];
    await waitFor('the second run\'s nodes gone', () => secondPids.every((p) => !processAlive(p)), 5000);
    await waitFor('no nodeMain child left', () => nodeMainChildren().length === 0, 5000);
  });
});
