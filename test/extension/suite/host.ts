// Shared helpers for the extension-host tests.
//
// The root `npm test` runs `node --test out/test/`, which also executes tsc's output of this folder
// in plain Node, where neither `vscode` nor mocha's tdd globals exist. Tests therefore take
// `suite`, `test` and `vscode` from here: inside VS Code they are the real ones, elsewhere
// `suite` registers nothing, so the files load as empty, passing modules.
import type * as VSCode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';

const g = globalThis as { suite?: Mocha.SuiteFunction; test?: Mocha.TestFunction };
/** True when loaded by index.ts's mocha inside a VS Code extension host. */
export const inExtensionHost = typeof g.suite === 'function';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const vscode: typeof VSCode = inExtensionHost ? require('vscode') : (undefined as never);
const noop = (() => undefined) as unknown;
export const suite: Mocha.SuiteFunction = inExtensionHost ? g.suite! : (noop as Mocha.SuiteFunction);
export const test: Mocha.TestFunction = inExtensionHost ? g.test! : (noop as Mocha.TestFunction);

export const EXTENSION_ID = 'kvcmd.kvcmd';

/**
 * Asks the test runner for a screenshot of the whole workbench, taken while the tests are still
 * running. scripts/vscode-test/run.mjs sets KVCMD_SCREENSHOT_DIR when given --screenshot-dir;
 * this writes `<dir>/requests/<name>.json` and waits for `<dir>/<name>.png`, which the runner
 * writes (atomically) after shooting. Returns the PNG path, or undefined when screenshots are off.
 */
export async function screenshot(name: string, timeoutMs = 15_000): Promise<string | undefined> {
  const dir = process.env.KVCMD_SCREENSHOT_DIR;
  if (!dir) return undefined;
  const safe = name.replace(/[^\w.-]+/g, '-');
  const png = path.join(dir, `${safe}.png`);
  fs.rmSync(png, { force: true });
  fs.mkdirSync(path.join(dir, 'requests'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'requests', `${safe}.json`), JSON.stringify({ name: safe, at: Date.now() }));
  const t0 = Date.now();
  while (!fs.existsSync(png)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`screenshot ${safe}: no PNG after ${timeoutMs} ms`);
    await sleep(100);
  }
  return png;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000): Promise<Truthy<T>> {
  const t0 = Date.now();
  for (;;) {
    const v = await check();
    if (v) return v as Truthy<T>;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** The extension's API, activating it if needed. */
export async function kvcmdApi(): Promise<import('../../../extension/extension').KvcmdApi> {
  const ext = vscode.extensions.getExtension<import('../../../extension/extension').KvcmdApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} not found`);
  return ext.activate();
}

/**
 * A file of the repository (samples/…). Found from this bundle's place (dist/test/extension/suite/),
 * not from the extension's folder, which is elsewhere when the suite tests an installed .vsix.
 */
export function repoFile(rel: string): VSCode.Uri {
  return vscode.Uri.file(path.resolve(__dirname, '../../../..', rel));
}

/** A file of the test workspace (test/fixtures/extension). */
export function fixture(rel: string): VSCode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the tests need a workspace folder');
  return vscode.Uri.joinPath(folder.uri, rel);
}

/** Sets kvcmd settings for the rest of the session (user settings of the private test profile). */
export async function setKvcmdSettings(values: Record<string, unknown>): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('kvcmd');
  for (const [k, v] of Object.entries(values)) await cfg.update(k, v, vscode.ConfigurationTarget.Global);
}

/** Whether a process still exists (a reaped pid has no /proc entry; a zombie counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of live child processes of this extension host running the cluster's node entry (spares included). */
export function nodeMainChildren(): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || Number(fields[1]) !== process.pid) continue;
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('nodeMain.js')) pids.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** The workbench as the next suite expects it: no Messages panel, the explorer, no panel or editor open. */
export async function resetWorkbench(): Promise<void> {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('kvcmd.messages')) await vscode.window.tabGroups.close(tab);
    }
  }
  await vscode.commands.executeCommand('workbench.view.explorer');
  await vscode.commands.executeCommand('workbench.action.closePanel');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
