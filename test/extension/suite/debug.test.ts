// The kvcmd debugger in a real VS Code: F5 on a .kvcmd file with no launch.json, a breakpoint,
// step over, step back, step into deliveries; the stopped line each time.
import * as assert from 'node:assert/strict';
import type * as VSCode from 'vscode';
import { kvcmdApi, repoFile, screenshot, sleep, suite, test, vscode, waitFor } from './host';

// samples/03-partition.kvcmd: line 15 `put 10 color blue`, line 16 `put 13 color orange`.
const SAMPLE = 'samples/03-partition.kvcmd';

interface Frame {
  name: string;
  line: number;
}

suite('debugger', () => {
  const stops: { reason: string }[] = [];
  let tracker: VSCode.Disposable | undefined;

  suiteSetup(async () => {
    await kvcmdApi();
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('kvcmd', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: { reason: string } }) => {
          if (m.type === 'event' && m.event === 'stopped' && m.body) stops.push(m.body);
        },
      }),
    });
  });
  suiteTeardown(async () => {
    tracker?.dispose();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    // The workbench as later suites expect it: the explorer, no Debug Console, no editor left open.
    await vscode.commands.executeCommand('workbench.view.explorer');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  /** Waits for the next stop and returns the session's frames, top first. */
  async function stopped(count: number): Promise<Frame[]> {
    await waitFor(`stop #${count}`, () => stops.length >= count, 15_000);
    const session = await waitFor('a kvcmd debug session', () => vscode.debug.activeDebugSession?.type === 'kvcmd' && vscode.debug.activeDebugSession);
    const trace = await session.customRequest('stackTrace', { threadId: 1 }) as { stackFrames: Frame[] };
    // VS Code's own view of the stop follows the event: the focused stack item is on the same thread.
    await waitFor('VS Code focuses the stopped thread', () => vscode.debug.activeStackItem !== undefined, 5000);
    return trace.stackFrames;
  }

  test('F5 without launch.json: stops at the breakpoint; step over, step back, step into a delivery', async () => {
    const uri = repoFile(SAMPLE);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(14, 0)))]);
    assert.equal(editor.document.languageId, 'kvcmd');

    const terminated = new Promise<void>((resolve) => {
      const sub = vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.type === 'kvcmd') {
          sub.dispose();
          resolve();
        }
      });
    });
    // F5: no launch.json in the workspace, so the configuration provider debugs the active file.
    await vscode.commands.executeCommand('workbench.action.debug.start');
    let frames = await stopped(1);
    assert.equal(stops[0].reason, 'breakpoint');
    assert.deepEqual(frames.map((f) => [f.name, f.line]), [['line 15: put 10 color blue', 15]]);
    assert.equal(vscode.debug.activeDebugSession?.configuration.program, uri.fsPath);

    await vscode.commands.executeCommand('workbench.action.debug.stepOver');
    frames = await stopped(2);
    assert.equal(stops[1].reason, 'step');
    assert.deepEqual(frames.map((f) => f.line), [16]);

    await vscode.commands.executeCommand('workbench.action.debug.stepBack');
    frames = await stopped(3);
    assert.deepEqual(frames.map((f) => [f.name, f.line]), [['line 15: put 10 color blue', 15]]);

    await vscode.commands.executeCommand('workbench.action.debug.stepOver');
    frames = await stopped(4);
    assert.deepEqual(frames.map((f) => f.line), [16]);

    await vscode.commands.executeCommand('workbench.action.debug.stepInto');
    frames = await stopped(5);
    assert.deepEqual(frames.map((f) => [f.name, f.line]), [['deliver put 13→3 (line 16)', 16], ['line 16: put 13 color orange', 16]]);
    await vscode.commands.executeCommand('workbench.action.debug.stepInto');
    frames = await stopped(6);
    assert.match(frames[0].name, /^deliver putReply 3→13 \(line 16\)$/);

    // The picture: the Run and Debug view (Nodes, In flight, the call stack with the delivery) over the script.
    await vscode.commands.executeCommand('workbench.view.debug');
    await sleep(1000);
    await screenshot('debugger');

    await vscode.commands.executeCommand('workbench.action.debug.stop');
    await terminated;
  });
});
