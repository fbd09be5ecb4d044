import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { closeBrowser, dataset, drawnWhileScrolling, open, post, TMP, until } from './browser';
import { diagramHtml, jsonForScript } from '../../diagram/page';
import { syntheticRecord, syntheticScript } from '../../diagram/synthetic';
import { ClusterEvent, EventOf } from '../../record/events';
import { ROOT, runFile } from '../helpers';

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

after(closeBrowser);

test('browser: samples/03-partition.kvcmd (model, seed 7) draws every message, no errors, keyboard and filters work', async () => {
  const file = path.join(ROOT, 'samples', '03-partition.kvcmd');
  const run = await runFile(file, { seed: 7, gossip: 'settled', backend: 'model', trace: true });
  const s = sends(run.events);
  const out = path.join(TMP, '03.html');
  fs.writeFileSync(out, diagramHtml(run.events, { title: '03-partition', scriptLines: fs.readFileSync(file, 'utf8').split('\n') }));
  const { page, problems, requests } = await open(out);
  try {
    const d = await dataset(page);
    assert.equal(Number(d.arrows), s.length);
    assert.ok(Number(d.drawn) > 0 && Number(d.drawn) <= s.length, d.drawn);
    assert.equal(await page.evaluate('window.kvcmdDiagram.arrows'), s.length);
    assert.deepEqual([...await drawnWhileScrolling(page)].sort(), s.map((e) => e.msg).sort(), 'every message is drawn somewhere');
    // Keyboard: focus the diagram, move to the first item, then along; details follow.
    await page.evaluate("document.getElementById('scroller').scrollTop = 0; window.kvcmdDiagram.redraw()");
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
  const out = path.join(TMP, 'webview.html');
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
    // A click on the middle of another arrow (found where it was drawn) reveals its line too.
    const other = sends(events)[3];
    const at = (await page.evaluate(`window.kvcmdDiagram.pointOf(${JSON.stringify(other.msg)})`)) as { x: number; y: number } | null;
    assert.ok(at, 'the arrow is on screen');
    const box = (await page.locator('#canvas').boundingBox())!;
    await page.mouse.click(box.x + at.x, box.y + at.y);
    assert.deepEqual(((await page.evaluate('window.posted')) as unknown[]).slice(2), [{ type: 'reveal', line: other.line }]);
    assert.match((await page.evaluate('window.kvcmdDiagram.selected()')) as string, new RegExp(`message ${other.msg.replace('.', '\\.')}:`));
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
  const out = path.join(TMP, '50k.html');
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
