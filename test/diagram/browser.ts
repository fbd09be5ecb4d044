// Headless Chromium for the diagram's tests (and the bench): one browser per test file, started
// by the first test that needs it. Not a test file itself.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, Browser, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A folder for the pages a test file writes, removed by closeBrowser. */
export const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-diagram-'));

let browser: Browser | undefined;

/** The browser. No skipping: without Chromium the tests that need it fail, saying why. */
export async function launched(): Promise<Browser> {
  // npm test installs Chromium before the unit tests (scripts/vscode-test/setup.sh).
  assert.ok(fs.existsSync(CHROMIUM), `headless Chromium is needed at ${CHROMIUM} for the diagram's browser tests (npm test installs it; on Debian: apt-get install chromium)`);
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
  fs.rmSync(TMP, { recursive: true, force: true });
}

export interface Opened {
  page: Page;
  /** Console errors and uncaught exceptions. */
  problems: string[];
  /** Every URL the page asked for. */
  requests: string[];
}

/** Opens a diagram file and waits for its first frame; `withVsCode` provides a fake acquireVsCodeApi that records into window.posted. */
export async function open(file: string, withVsCode = false): Promise<Opened> {
  const page = await (await launched()).newPage({ viewport: { width: 1200, height: 800 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  if (withVsCode) {
    await page.addInitScript({ content: 'window.posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => undefined, setState: () => undefined });' });
  }
  await page.goto('file://' + file);
  await page.waitForSelector('body[data-ready]', { timeout: 60_000 });
  return { page, problems, requests };
}

// The page is evaluated from strings: this project's TypeScript has no DOM library.
export const dataset = (page: Page): Promise<Record<string, string>> => page.evaluate('({ ...document.body.dataset })');

/** Polls an expression (waitForFunction would eval inside the page, which its CSP forbids). */
export async function until(page: Page, expr: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expr))) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const post = (page: Page, message: unknown): Promise<unknown> => page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);

/** Scrolls through the whole diagram a screen at a time; the messages drawn on the way. */
export async function drawnWhileScrolling(page: Page): Promise<Set<string>> {
  const seen = new Set<string>();
  const height = (await page.evaluate("document.getElementById('scroller').scrollHeight")) as number;
  const screen = (await page.evaluate("document.getElementById('scroller').clientHeight")) as number;
  for (let y = 0; y < height + screen; y += Math.max(100, screen - 100)) {
    await page.evaluate(`document.getElementById('scroller').scrollTop = ${y}; window.kvcmdDiagram.redraw()`);
    for (const m of (await page.evaluate('window.kvcmdDiagram.drawnMessages()')) as string[]) seen.add(m);
  }
  return seen;
}
