// Inlay hints and "why" hovers after a run, over stdio: the events of a real model run of a fixture
// are pushed as the extension pushes them (every line-tied event, messages included).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DidChangeTextDocumentNotification, type InlayHint, type MarkupContent } from 'vscode-languageserver-protocol';
import { analyze } from '../../language/index';
import { runCommands } from '../../cluster/runner';
import type { ClusterEvent } from '../../record/events';
import { ClearRunResultsNotification, RunResultsNotification, type RunResultsParams } from '../../lsp/customMessages';
import { LspClient, ROOT, find } from './lspClient';

const text = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'lsp', 'explain.kvcmd'), 'utf8');
const lines = text.split('\n');
const lineOf = (needle: string): number => find(text, needle).line;

/** A model run of the text, traced; what the extension would push, and what each line printed. */
async function modelRun(uri: string, version: number): Promise<{ params: RunResultsParams; printed: Map<number, string[]> }> {
  const events: ClusterEvent[] = [];
  const result = await runCommands(analyze(text).commands, { seed: 3, gossip: 'settled', backend: 'model', trace: true }, (e) => events.push(e));
  assert.ok(result.ok, result.error);
  const printed = new Map<number, string[]>();
  for (const e of events) if (e.type === 'stdout') printed.set(e.line - 1, [...(printed.get(e.line - 1) ?? []), e.text]);
  const params: RunResultsParams = {
    uri, version, seed: 3, gossip: 'settled', finishedAt: '2026-02-03T04:05:06.000Z',
    events: events.filter((e) => 'line' in e && e.line > 0), snapshot: result.snapshot,
  };
  assert.ok(params.events.some((e) => e.type === 'send'), 'message events are pushed too');
  return { params, printed };
}

const byLine = (hints: InlayHint[] | null): Map<number, InlayHint> => new Map((hints ?? []).map((h) => [h.position.line, h]));
const label = (h: InlayHint | undefined): string => (typeof h?.label === 'string' ? h.label : '');

describe('run results as inlay hints and why-hovers', () => {
  let lsp: LspClient;
  const uri = 'file:///work/explain.kvcmd';
  let printed: Map<number, string[]>;
  before(async () => {
    // Real-run hints alone: live prediction (prediction.test.ts) would stand in for stale ones.
    lsp = await LspClient.start('server', { settings: { kvcmd: { predict: false } } });
    await lsp.open(uri, text, 4);
    await lsp.diagnostics(uri, 4);
  });
  after(async () => { assert.equal(await lsp.stop(), 0); });

  it('announces inlay hints and shows none before a run', async () => {
    assert.deepEqual(lsp.capabilities?.inlayHintProvider, { resolveProvider: false });
    assert.deepEqual(await lsp.inlayHints(uri), []);
  });

  it('after a run, every get line ends with what it printed, every printStore line with a summary', async () => {
    const run = await modelRun(uri, 4);
    printed = run.printed;
    const seen = lsp.hintRefreshes;
    await lsp.connection.sendNotification(RunResultsNotification, run.params);
    await lsp.hintRefreshAfter(seen);
    const hints = byLine(await lsp.inlayHints(uri));
    const gets = lines.flatMap((l, i) => (/^get /.test(l) ? [i] : []));
    assert.equal(gets.length, 4);
    for (const i of gets) {
      const h = hints.get(i);
      assert.ok(h, `a hint on line ${i + 1}`);
      const [out] = printed.get(i)!;
      assert.ok(label(h).startsWith(`→ ${out}`), `line ${i + 1}: '${label(h)}' shows '${out}'`);
      assert.deepEqual(h.position, { line: i, character: lines[i].length }, 'at the end of the line');
      assert.equal(h.paddingLeft, true);
    }
    assert.match(label(hints.get(lineOf('get 10 color'))), /^→ color:red \(\d+,1\) from server 0$/);
    assert.equal(label(hints.get(lineOf('get 10 size'))), '→ size:ERR_DEP from server 1');
    assert.equal(label(hints.get(lineOf('printStore 1'))), '→ color:blue');
    assert.equal(label(hints.get(lineOf('printStore 0'))), '→ color:red size:big');
    assert.equal(hints.size, 6, 'only get and printStore lines get hints');
    const tip = hints.get(lineOf('get 10 color'))!.tooltip as MarkupContent;
    assert.match(tip.value, /A newer write existed: the put on line 9/);
  });

  it('answers for the requested range only', async () => {
    const at = lineOf('get 11 color');
    const hints = await lsp.inlayHints(uri, { start: { line: at, character: 0 }, end: { line: at + 1, character: 0 } });
    assert.deepEqual(hints?.map((h) => h.position.line), [at]);
  });

  it('explains a stale read on hover: the put that wrote the value, the newer one, and the cut', async () => {
    const md = (await lsp.hover(uri, find(text, 'get 10 color')))!;
    assert.match(md, /\*\*get\*\* by client 10: returned `color:red`/, 'the existing run results still show');
    assert.match(md, /\*\*Why this result\*\*/);
    assert.match(md, /That value was written by the put on line 7 \(client 11, color=red/);
    assert.match(md, /It reached server 0 by: server 1 \(put by client 11, line 7\) → server 0 \(gossip from 1, line 7\)/);
    assert.match(md, /A newer write existed: the put on line 9 \(client 11, color=blue/);
    assert.match(md, /It had not reached server 0: the link 0–1 was cut on line 8/);
  });

  it('explains ERR_DEP on hover: the line that set the dependency', async () => {
    const md = (await lsp.hover(uri, find(text, 'get 10 size')))!;
    assert.match(md, /Client 10 depends on \(\d+,0\) for size, set on line 12; server 1 holds nothing for it: ERR\\_DEP/);
    assert.match(md, /It was on server 0 at that moment/);
  });

  it('shows on a put line which servers the write reached and how', async () => {
    const md = (await lsp.hover(uri, find(text, 'put 11 color red')))!;
    assert.match(md, /\*\*Where this write went\*\*/);
    assert.match(md, /Reached server 1 \(put by client 11, line 7\), server 0 \(gossip from 1, line 7\)/);
    assert.match(md, /Replaced by a newer write of color on server 1/);
    const store = (await lsp.hover(uri, find(text, 'printStore 0')))!;
    assert.match(store, /\*\*How each entry got there\*\*/);
    assert.match(store, /size=big \(\d+,0\), written on line 12 by client 10, by put from client 10 \(line 12\)/);
  });

  it('marks hints stale after an edit, follows moved lines, and drops the edited line\'s', async () => {
    // Insert a comment line above everything, then edit the ERR_DEP line.
    let v = await lsp.edit(uri, { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, '# inserted\n');
    await lsp.diagnostics(uri, v);
    const moved = lineOf('get 10 color') + 1;
    let hints = byLine(await lsp.inlayHints(uri));
    assert.equal(hints.size, 6);
    for (const h of hints.values()) assert.ok(label(h).startsWith('(stale) → '), label(h));
    assert.match(label(hints.get(moved)), /^\(stale\) → color:red/);
    assert.match((hints.get(moved)!.tooltip as MarkupContent).value, /stale: the file changed since the run at 2026-02-03T04:05:06.000Z; this was line 10/);
    const md = (await lsp.hover(uri, { line: moved, character: 1 }))!;
    assert.match(md, /results are stale/);
    assert.match(md, /the put on line 9/);
    assert.match(md, /Line numbers are the run's \(this line was line 10 then\)/);

    const dep = lineOf('get 10 size') + 1;
    v = await lsp.edit(uri, { start: { line: dep, character: 10 }, end: { line: dep, character: 10 } }, 'x');
    await lsp.diagnostics(uri, v);
    hints = byLine(await lsp.inlayHints(uri));
    assert.equal(hints.has(dep), false, 'the edited line shows no hint');
    assert.equal(hints.size, 5);
  });

  it('hides every hint when the edits cannot be followed, and when the results are cleared', async () => {
    assert.ok((await lsp.inlayHints(uri))!.length > 0);
    // A whole-text replacement (no range): lines can no longer be followed back to the run.
    const version = lsp.version(uri) + 1;
    await lsp.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text: lsp.text(uri) }] });
    await lsp.diagnostics(uri, version);
    assert.deepEqual(await lsp.inlayHints(uri), []);
    const seen = lsp.hintRefreshes;
    await lsp.connection.sendNotification(ClearRunResultsNotification, { uri });
    await lsp.hintRefreshAfter(seen);
    assert.deepEqual(await lsp.inlayHints(uri), []);
  });
});
