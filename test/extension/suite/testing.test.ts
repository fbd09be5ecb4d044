// The Testing view (extension/testing.ts): the fixture pairs test/fixtures/extension/testing/
// pass.kvcmd (+ .expected, right) and wrong.kvcmd (+ .expected, deliberately wrong on output line 3,
// printed by line 13) are test items under a folder item; running them passes the first and fails
// the second with a diff located at line 13; the watcher follows new and deleted pairs; the debug
// profile starts the kvcmd debugger.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type * as VSCode from 'vscode';
import type { KvcmdTesting, TestOutcome } from '../../../extension/testing';
import { fixture, kvcmdApi, nodeMainChildren, suite, test, vscode, waitFor } from './host';

async function testingApi(): Promise<KvcmdTesting> {
  const api = await kvcmdApi();
  await api.testing.ready;
  return api.testing;
}

function item(testing: KvcmdTesting, rel: string): VSCode.TestItem {
  const uri = fixture(rel).toString();
  const found = testing.tests().find((t) => t.id === uri);
  assert.ok(found, `no test item for ${rel} among ${testing.tests().map((t) => t.id).join(', ')}`);
  return found;
}

function tokenSource(): VSCode.CancellationTokenSource {
  return new vscode.CancellationTokenSource();
}

/** Runs a profile's handler on some items and returns the outcomes of that run. */
async function runProfile(testing: KvcmdTesting, profile: VSCode.TestRunProfile, include: VSCode.TestItem[]): Promise<ReadonlyMap<string, TestOutcome>> {
  const cts = tokenSource();
  try {
    await profile.runHandler(new vscode.TestRunRequest(include, undefined, profile), cts.token);
  } finally {
    cts.dispose();
  }
  return testing.lastOutcomes();
}

function checkWrong(outcome: TestOutcome | undefined): void {
  assert.ok(outcome, 'no outcome for wrong.kvcmd');
  assert.equal(outcome.state, 'failed');
  const diff = outcome.messages.find((m) => m.expected !== undefined);
  assert.ok(diff, `no diff message: ${JSON.stringify(outcome.messages)}`);
  assert.equal(diff.line, 13, 'located at the get that printed the first differing line');
  assert.equal(diff.expected, fs.readFileSync(fixture('testing/wrong.expected').fsPath, 'utf8'));
  assert.equal(diff.actual, 'size:ERR_KEY\ncolor:blue\ncolor:ERR_KEY\ncolor:blue\n');
  assert.match(diff.text, /output line 3 differs .*expected "color:red", got "color:ERR_KEY"/);
}

suite('testing view', () => {
  test('every .kvcmd with a sibling .expected is a test item, grouped by folder', async () => {
    const testing = await testingApi();
    const pass = item(testing, 'testing/pass.kvcmd');
    const wrong = item(testing, 'testing/wrong.kvcmd');
    assert.equal(pass.label, 'pass.kvcmd');
    assert.equal(pass.parent?.id, wrong.parent?.id);
    assert.equal(pass.parent?.label, 'testing');
    // Scripts without an .expected (hello.kvcmd, ...) are not tests.
    assert.ok(!testing.tests().some((t) => t.id === fixture('hello.kvcmd').toString()));
    assert.deepEqual(Object.keys(testing.profiles).sort(), ['async', 'debug', 'off', 'settled']);
    assert.equal(testing.profiles.settled.label, 'Run (settled)');
    assert.equal(testing.profiles.settled.isDefault, true);
    assert.equal(testing.profiles.debug.kind, vscode.TestRunProfileKind.Debug);
  });

  test('running the folder (settled): pass passes, wrong fails with a diff at line 13', async function () {
    this.timeout(60_000);
    const testing = await testingApi();
    const pass = item(testing, 'testing/pass.kvcmd');
    const outcomes = await runProfile(testing, testing.profiles.settled, [pass.parent!]);
    assert.equal(outcomes.get(pass.id)?.state, 'passed', JSON.stringify(outcomes.get(pass.id)?.messages));
    assert.equal(outcomes.get(pass.id)?.result?.backend, 'processes');
    checkWrong(outcomes.get(item(testing, 'testing/wrong.kvcmd').id));
    await waitFor('no node process left after the tests', () => nodeMainChildren().length === 0, 5000);
  });

  test('the testing.runAll command runs the default profile on every test', async function () {
    this.timeout(60_000);
    const testing = await testingApi();
    const done = new Promise<ReadonlyMap<string, TestOutcome>>((resolve) => {
      const sub = testing.onDidEndRun((o) => {
        sub.dispose();
        resolve(o);
      });
    });
    await vscode.commands.executeCommand('testing.runAll');
    const outcomes = await done;
    assert.equal(outcomes.get(item(testing, 'testing/pass.kvcmd').id)?.state, 'passed');
    checkWrong(outcomes.get(item(testing, 'testing/wrong.kvcmd').id));
    assert.equal(outcomes.get(item(testing, 'testing/wrong.kvcmd').id)?.result?.gossip, 'settled');
  });

  test('Run (async): the checker decides, so the wrong output alone does not fail', async function () {
    this.timeout(60_000);
    const testing = await testingApi();
    const wrong = item(testing, 'testing/wrong.kvcmd');
    const outcome = (await runProfile(testing, testing.profiles.async, [wrong])).get(wrong.id);
    assert.equal(outcome?.state, 'passed', JSON.stringify(outcome?.messages));
    assert.match(outcome?.result?.warnings.join('\n') ?? '', /in async mode the checker decides/);
  });

  test('the watcher adds a new pair, and drops it when its .expected is deleted', async () => {
    const testing = await testingApi();
    const script = fixture('testing/tmp-watched.kvcmd');
    const expected = fixture('testing/tmp-watched.expected');
    const has = (): boolean => testing.tests().some((t) => t.id === script.toString());
    try {
      await vscode.workspace.fs.writeFile(script, Buffer.from('joinServer 0\njoinClient 5 0\nget 5 k\n'));
      await vscode.workspace.fs.writeFile(expected, Buffer.from('k:ERR_KEY\n'));
      await waitFor('the new pair is a test', has, 15_000);
      await vscode.workspace.fs.delete(expected);
      await waitFor('the pair without .expected is no test', () => !has(), 15_000);
    } finally {
      await vscode.workspace.fs.delete(script).then(undefined, () => undefined);
      await vscode.workspace.fs.delete(expected).then(undefined, () => undefined);
    }
  });

  test('the debug profile starts the kvcmd debugger on the script', async function () {
    this.timeout(30_000);
    const testing = await testingApi();
    const pass = item(testing, 'testing/pass.kvcmd');
    const started = new Promise<VSCode.DebugSession>((resolve) => {
      const sub = vscode.debug.onDidStartDebugSession((s) => {
        if (s.type !== 'kvcmd') return;
        sub.dispose();
        resolve(s);
      });
    });
    const terminated = new Promise<void>((resolve) => {
      const sub = vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.type !== 'kvcmd') return;
        sub.dispose();
        resolve();
      });
    });
    await runProfile(testing, testing.profiles.debug, [pass]);
    const session = await started;
    assert.equal(session.configuration.request, 'launch');
    assert.equal(session.configuration.program, pass.uri!.fsPath);
    // Without stopOnEntry or breakpoints it runs to its end; stop it in case it did not.
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging(session);
    await terminated;
  });
});
