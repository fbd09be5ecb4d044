import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, Browser, Page } from 'playwright-core';
import { diagramHtml, jsonForScript } from '../../diagram/page';
import { syntheticRecord, syntheticScript } from '../../diagram/synthetic';
import { ClusterEvent, EventOf } from '../../record/events';
import { ROOT, runFile } from '../helpers';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const TRICKY = '</script><b>';
const sends = (events: ClusterEvent[]): EventOf<'send'>[] => events.filter((e): e is EventOf<'send'> => e.type === 'send');
const dataOf = (html: string): { events: ClusterEvent[]; scriptLines?: string[] } => {
  const m = /<script type="application\/json" id="kvcmd-diagram-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'the data element');
  return JSON.parse(m[1]) as { events: ClusterEvent[]; scriptLines?: string[] };
};

function trickyRecord(): ClusterEvent[] {
  const events = syntheticRecord({ messages: 6, lossEvery: 0 });
  const s = sends(events)[0];
  s.body.key = TRICKY;
  s.body.value = '<!--' + TRICKY + '\u2028';
  return events;
}

test('the embedded record survives any token: </script>, <!--, U+2028; the title is escaped', () => {
  const events = trickyRecord();
  const html = diagramHtml(events, { title: `run ${TRICKY} & "q"`, scriptLines: [TRICKY, '</SCRIPT >'] });
  assert.equal(html.match(/<\/script/gi)?.length, 2, 'only the two script elements close');
  assert.equal(html.match(/<script/gi)?.length, 2);
  assert.ok(!html.includes('<!--'));
  assert.ok(html.includes('<title>run &lt;/script&gt;&lt;b&gt; &amp; "q"</title>'));
  const data = dataOf(html);
  assert.deepEqual(data.scriptLines, [TRICKY, '</SCRIPT >']);
  assert.deepEqual(sends(data.events)[0].body, sends(events)[0].body);
  assert.equal(jsonForScript({ a: '</script>' }), '{"a":"\\u003c/script>"}');
});

test('self-contained: no address outside the page, a CSP that forbids the network, a nonce when given', () => {
  const standalone = diagramHtml(trickyRecord(), { title: 't' });
  assert.doesNotMatch(standalone, /\b(https?:|\/\/[a-z])|@import|url\(/i);
  assert.match(standalone, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; script-src &#39;unsafe-inline&#39;;/);
  const webview = diagramHtml(trickyRecord(), { title: 't', nonce: 'abc123', cspSource: 'vscode-webview://x' });
  assert.ok(webview.includes('<style nonce="abc123">') && webview.includes('<script nonce="abc123">'));
  assert.ok(webview.includes('script-src &#39;nonce-abc123&#39;') && !webview.includes('unsafe-inline'));
  assert.ok(webview.includes('style-src vscode-webview://x'));
});

// ---- in headless Chromium ------------------------------------------------------------------

let browser: Browser | undefined;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-diagram-'));

/** The browser, started by the first test that needs it. No skipping: without Chromium these tests fail. */
async function launched(): Promise<Browser> {
  // npm test installs Chromium before the unit tests (scripts/vscode-test/setup.sh).
  assert.ok(fs.existsSync(CHROMIUM), `headless Chromium is needed at ${CHROMIUM} for the diagram's browser tests (npm test installs it; on Debian: apt-get install chromium)`);
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return browser;
}

after(async () => {
  await browser?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
  posted: unknown[];
}

async function open(file: string, withVsCode = false): Promise<Opened> {
  const page = await (await launched()).newPage({ viewport: { width: 1200, height: 800 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  if (withVsCode) {
    // What a VS Code webview provides, recording what the page posts.
    await page.addInitScript({ content: 'window.posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => undefined, setState: () => undefined });' });
  }
  await page.goto('file://' + file);
  await page.waitForSelector('body[data-ready]', { timeout: 60_000 });
  const posted = withVsCode ? ((await page.evaluate('window.posted')) as unknown[]) : [];
  return { page, problems, requests, posted };
}

// The page is evaluated from strings: this project's TypeScript has no DOM library.
const dataset = (page: Page): Promise<Record<string, string>> => page.evaluate('({ ...document.body.dataset })');
/** Polls an expression (waitForFunction would eval inside the page, which its CSP forbids). */
async function until(page: Page, expr: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expr))) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const post = (page: Page, message: unknown): Promise<unknown> => page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);

test('browser: samples/03-partition.kvcmd (model, seed 7) draws every message, no errors, keyboard and filters work', async () => {
  const file = path.join(ROOT, 'samples', '03-partition.kvcmd');
  const run = await runFile(file, { seed: 7, gossip: 'settled', backend: 'model', trace: true });
  const s = sends(run.events);
  const out = path.join(tmp, '03.html');
  fs.writeFileSync(out, diagramHtml(run.events, { title: '03-partition', scriptLines: fs.readFileSync(file, 'utf8').split('\n') }));
  const { page, problems, requests } = await open(out);
  try {
    const d = await dataset(page);
    assert.equal(Number(d.arrows), s.length);
    assert.ok(Number(d.drawn) > 0 && Number(d.drawn) <= s.length, d.drawn);
    assert.equal(await page.evaluate('window.kvcmdDiagram.arrows'), s.length);
    // Keyboard: focus the diagram, move to the first item, then along; details follow.
    await page.focus('#canvas');
    await page.keyboard.press('ArrowDown');
    assert.match(await page.textContent('#details') ?? '', /joined · line 2: joinServer 0/);
    await page.keyboard.press('End');
    assert.match(await page.textContent('#details') ?? '', /line 35: printStore 0/);
    // select() by message id; the details name it with its counters and line.
    assert.equal(await page.evaluate(`window.kvcmdDiagram.select(${JSON.stringify(s[3].msg)})`), true);
    const sel = (await page.evaluate('window.kvcmdDiagram.selected()')) as string;
    assert.ok(sel.includes(`message ${s[3].msg}`) && sel.includes(`line ${s[3].line}`), sel);
    // Filters: hide gossip, then server 3.
    const gossip = s.filter((e) => e.kind === 'gossip').length;
    await page.locator('#f-kinds label', { hasText: /^gossip$/ }).locator('input').uncheck();
    assert.equal(Number((await dataset(page)).arrows), s.length - gossip);
    await page.locator('#f-nodes label', { hasText: 'server 3' }).locator('input').uncheck();
    const left = s.filter((e) => e.kind !== 'gossip' && e.from !== 3 && e.to !== 3).length;
    assert.equal(Number((await dataset(page)).arrows), left);
    await page.waitForTimeout(50);
    assert.deepEqual(problems, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), []);
  } finally {
    await page.close();
  }
});

test('browser: in a webview, a click or Enter posts reveal; highlight and events messages are obeyed', async () => {
  const events = trickyRecord();
  const out = path.join(tmp, 'webview.html');
  fs.writeFileSync(out, diagramHtml(events, { title: 'w', nonce: 'n0nce', cspSource: 'vscode-webview://x' }));
  const { page, problems } = await open(out, true);
  try {
    assert.deepEqual(await page.evaluate('window.posted'), [{ type: 'ready' }]);
    // The tricky value arrived intact.
    const details = (await page.evaluate('window.kvcmdDiagram.model().arrows[0].details')) as string;
    assert.ok(details.includes(TRICKY), details);
    const first = sends(events)[0];
    await page.evaluate(`window.kvcmdDiagram.select(${JSON.stringify(first.msg)})`);
    await page.focus('#canvas');
    await page.keyboard.press('Enter');
    assert.deepEqual((await page.evaluate('window.posted')) as unknown[], [{ type: 'ready' }, { type: 'reveal', line: first.line }]);
    // Live: more events appended, then a reset.
    const more = syntheticRecord({ messages: 20, lossEvery: 0 });
    await post(page, { type: 'events', events: more, reset: true });
    await until(page, 'document.body.dataset.arrows === "20"');
    const extra = syntheticRecord({ messages: 24, lossEvery: 0 }).filter((e) => e.type === 'send' || e.type === 'deliver').slice(-8);
    await post(page, { type: 'events', events: extra });
    await until(page, 'document.body.dataset.arrows === "24"');
    await post(page, { type: 'highlight', line: 11 });
    await page.waitForTimeout(50);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('browser: 50,000 messages: all counted, a bounded number drawn, scrolling to the end draws the last ones', async () => {
  const opts = { messages: 50_000 };
  const events = syntheticRecord(opts);
  const s = sends(events);
  assert.equal(s.length, 50_000);
  const out = path.join(tmp, '50k.html');
  fs.writeFileSync(out, diagramHtml(events, { title: '50k', scriptLines: syntheticScript(opts) }));
  const { page, problems } = await open(out);
  try {
    let d = await dataset(page);
    assert.equal(Number(d.arrows), 50_000);
    assert.ok(Number(d.drawn) > 0 && Number(d.drawn) < 2000, d.drawn);
    await page.evaluate('window.kvcmdDiagram.scrollToEnd()');
    d = await dataset(page);
    assert.ok(Number(d.drawn) > 0 && Number(d.drawn) < 2000, d.drawn);
    const drawn = (await page.evaluate('window.kvcmdDiagram.drawnMessages()')) as string[];
    assert.ok(drawn.includes(s[s.length - 1].msg) && drawn.includes(s[s.length - 2].msg), drawn.slice(-5).join(' '));
    // Back to the top, by scrolling the element as a user would: the first messages again.
    await page.evaluate("document.getElementById('scroller').scrollTop = 0");
    await until(page, `window.kvcmdDiagram.drawnMessages().includes(${JSON.stringify(s[0].msg)})`);
    // The middle, by selecting a message there.
    const middle = s[25_000].msg;
    assert.equal(await page.evaluate(`window.kvcmdDiagram.select(${JSON.stringify(middle)})`), true);
    await until(page, `window.kvcmdDiagram.drawnMessages().includes(${JSON.stringify(middle)})`);
    d = await dataset(page);
    assert.ok(Number(d.drawn) > 0 && Number(d.drawn) < 2000, d.drawn);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
