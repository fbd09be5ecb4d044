// Foreign nodes in the editor (docs/nodes.md): test/fixtures/extension/foreign/ holds a script with
// a kvcmd.json beside it that runs the Python node of test/fixtures/foreign/python/. Running it
// starts Python processes, prints what kvcmd's own nodes print, draws the messages the Python
// nodes reported in the Messages panel, and the Testing view judges it with the checker. The
// settings kvcmd.serverCommand/clientCommand do the same for any script.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type * as VSCode from 'vscode';
import type { ClusterEvent } from '../../../record/events';
import type { RunOutcome, RunRecord } from '../../../extension/runs';
import { fixture, kvcmdApi, processAlive, repoFile, setKvcmdSettings, suite, test, vscode, waitFor } from './host';

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Runs a script, noting each node's command line while it runs. */
async function runWatchingNodes(uri: VSCode.Uri): Promise<{ record: RunRecord; commands: string[] }> {
  const api = await kvcmdApi();
  const commands: string[] = [];
  const sub = api.runs.onDidRunEvent(({ event }) => {
    if (event.type === 'nodeStarted') commands.push(commandLine(event.pid));
  });
  try {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const outcome = await vscode.commands.executeCommand<RunOutcome>('kvcmd.run', uri);
    assert.ok(outcome && outcome.state !== 'refused', `the run did not start: ${JSON.stringify(outcome)}`);
    const record = outcome as RunRecord;
    await record.done;
    assert.equal(record.state, 'ok', record.error);
    return { record, commands };
  } finally {
    sub.dispose();
  }
}

const started = (r: RunRecord): Extract<ClusterEvent, { type: 'nodeStarted' }>[] => r.events.filter((e): e is Extract<ClusterEvent, { type: 'nodeStarted' }> => e.type === 'nodeStarted');

suite('foreign nodes', () => {
  suiteSetup(async () => {
    await kvcmdApi();
    await setKvcmdSettings({ seed: '1', gossip: 'settled' });
  });

  test('a kvcmd.json beside the script: Python nodes run it, print the expected output, and their messages are on the diagram', async function () {
    this.timeout(180_000);
    const uri = fixture('foreign/ping.kvcmd');
    const { record, commands } = await runWatchingNodes(uri);
    assert.equal(record.stdout, fs.readFileSync(fixture('foreign/ping.expected').fsPath, 'utf8'));
    assert.equal(commands.length, 5);
    for (const c of commands) assert.match(c, /python3 \.\.\/\.\.\/foreign\/python\/kvnode\.py (server|client) \d/, c);
    const sends = record.events.filter((e) => e.type === 'send').length;
    assert.ok(sends > 10, `the Python nodes reported ${sends} messages`);
    await vscode.commands.executeCommand('kvcmd.showMessages', uri);
    const api = await kvcmdApi();
    const panel = await waitFor('the Messages panel', () => api.messagesPanel());
    await waitFor('the panel to show the run', () => panel.record === record);
    await panel.ready();
    await waitFor(`${sends} arrows on the page`, async () => {
      const s = await panel.stats();
      return s.total === sends && s.arrows === sends;
    }, 30_000);
    await waitFor('no node process left after the run', () => started(record).every((e) => !processAlive(e.pid)), 10_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the Testing view runs the foreign test and the checker judges it', async function () {
    this.timeout(180_000);
    const api = await kvcmdApi();
    await api.testing.ready;
    const uri = fixture('foreign/ping.kvcmd').toString();
    const item = api.testing.tests().find((t) => t.id === uri);
    assert.ok(item, 'foreign/ping.kvcmd is a test item');
    const cts = new vscode.CancellationTokenSource();
    try {
      await api.testing.profiles.settled.runHandler(new vscode.TestRunRequest([item], undefined, api.testing.profiles.settled), cts.token);
    } finally {
      cts.dispose();
    }
    const outcome = api.testing.lastOutcomes().get(item.id);
    assert.equal(outcome?.state, 'passed', JSON.stringify(outcome?.messages));
    assert.deepEqual(outcome?.result?.violations, []);
    assert.ok((outcome?.result?.events.filter((e) => e.type === 'applied').length ?? 0) > 0, 'the checker had the Python servers\' writes to judge');
  });

  test('the kvcmd.serverCommand setting runs a sample\'s servers as Python nodes, its clients as kvcmd\'s own', async function () {
    this.timeout(180_000);
    const script = repoFile('test/fixtures/foreign/python/kvnode.py').fsPath;
    await setKvcmdSettings({ serverCommand: `python3 ${script} server {id} {port}` });
    try {
      const { record, commands } = await runWatchingNodes(repoFile('samples/03-partition.kvcmd'));
      assert.equal(record.stdout, fs.readFileSync(repoFile('samples/03-partition.expected').fsPath, 'utf8'));
      const servers = started(record).map((e, i) => [e.role, commands[i]] as const);
      for (const [role, c] of servers) assert.match(c, role === 'server' ? /python3 .*kvnode\.py server/ : /externalNodeMain\.js/, c);
    } finally {
      await setKvcmdSettings({ serverCommand: undefined });
    }
  });
});
