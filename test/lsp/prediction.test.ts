// Live prediction over stdio (lsp/prediction.ts): after opening or editing a document the server
// runs the model and shows each get's and printStore's predicted result as an `≈` inlay hint,
// checked here against a real run (processes) of the same script and seed; predictions follow
// edits, stop at the first error line, respect `kvcmd.predict`; a pushed real result that differs
// yields an Information diagnostic naming both values.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DiagnosticSeverity, type Diagnostic, type InlayHint, type MarkupContent } from 'vscode-languageserver-protocol';
import { analyze } from '../../language/index';
import { runCommands } from '../../cluster/runner';
import type { GossipMode } from '../../protocol/messages';
import type { ClusterEvent } from '../../record/events';
import { explainRun } from '../../record/explain';
import { RunResultsNotification, type RunResultsParams } from '../../lsp/customMessages';
import { LspClient, ROOT, find, withTimeout } from './lspClient';

const text = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'lsp', 'explain.kvcmd'), 'utf8');
const lines = text.split('\n');
const getLines = lines.flatMap((l, i) => (/^get /.test(l) ? [i] : []));
const storeLines = lines.flatMap((l, i) => (/^printStore /.test(l) ? [i] : []));

const byLine = (hints: InlayHint[] | null): Map<number, InlayHint> => new Map((hints ?? []).map((h) => [h.position.line, h]));
const label = (h: InlayHint | undefined): string => (typeof h?.label === 'string' ? h.label : '');
const tooltip = (h: InlayHint | undefined): string => (h?.tooltip as MarkupContent | undefined)?.value ?? '';

/** A traced run of `script`: its line-tied events and what each 0-based line printed. */
async function run(script: string, backend: 'processes' | 'model', seed = 1, gossip: GossipMode = 'settled') {
  const events: ClusterEvent[] = [];
  const result = await runCommands(analyze(script).commands, { seed, gossip, backend, trace: true }, (e) => events.push(e));
  assert.ok(result.ok, result.error);
  const printed = new Map<number, string[]>();
  for (const e of events) if (e.type === 'stdout') printed.set(e.line - 1, [...(printed.get(e.line - 1) ?? []), e.text]);
  return { events: events.filter((e) => 'line' in e && e.line > 0), printed };
}

/** Waits until the diagnostics published for `uri` satisfy `pred`. */
async function diagnosticsWhere(lsp: LspClient, uri: string, pred: (ds: Diagnostic[]) => boolean, timeoutMs = 10_000): Promise<Diagnostic[]> {
  return withTimeout((async () => {
    for (;;) {
      const ds = lsp.latest.get(uri)?.diagnostics;
      if (ds && lsp.latest.get(uri)?.version === lsp.version(uri) && pred(ds)) return ds;
      await new Promise((r) => setTimeout(r, 10));
    }
  })(), timeoutMs);
}

describe('live prediction', () => {
  let lsp: LspClient;
  const uri = 'file:///work/predict.kvcmd';
  before(async () => {
    lsp = await LspClient.start('server', { settings: { kvcmd: { gossip: 'settled' } } });
    await lsp.open(uri, text, 1);
  });
  after(async () => { assert.equal(await lsp.stop(), 0); });

  it('reads its settings over workspace/configuration and registers for their changes', async () => {
    const status = await lsp.prediction(uri);
    assert.ok(lsp.configurationRequests >= 1);
    assert.ok(lsp.registrations.includes('workspace/didChangeConfiguration'));
    assert.equal(status?.version, 1);
    assert.equal(status?.state, 'done');
    assert.equal(status?.seed, 1, 'seed 1 before any real run');
    assert.equal(status?.gossip, 'settled');
  });

  it('predicts every get and printStore as a real run of the same seed prints it', async () => {
    const real = await run(text, 'processes', 1);
    const x = explainRun(real.events, { gossip: 'settled' });
    const hints = byLine(await lsp.inlayHints(uri));
    assert.equal(hints.size, getLines.length + storeLines.length);
    for (const i of getLines) {
      const h = hints.get(i);
      const [out] = real.printed.get(i)!;
      assert.ok(label(h).startsWith(`≈ ${out}`), `line ${i + 1}: '${label(h)}' shows '${out}'`);
      // The same words as a real run's hint, marked as predicted.
      assert.equal(label(h), x.gets.get(i + 1)!.hint.replace(/^→/, '≈'));
      assert.deepEqual(h!.position, { line: i, character: lines[i].length });
      assert.match(tooltip(h), /^predicted by the model \(seed 1, gossip settled\)/);
    }
    for (const i of storeLines) {
      assert.equal(label(hints.get(i)), x.stores.get(i + 1)!.hint.replace(/^→/, '≈'));
      assert.equal(label(hints.get(i)), `≈ ${real.printed.get(i)!.join(' ')}`);
    }
    assert.match(tooltip(hints.get(find(text, 'get 10 color').line)), /A newer write existed: the put on line 9/);
  });

  it('explains a predicted result on hover as it would a real run\'s', async () => {
    const md = (await lsp.hover(uri, find(text, 'get 10 color')))!;
    assert.match(md, /\*\*Predicted\*\* by the model \(seed 1, gossip settled\)/);
    assert.match(md, /\*\*get\*\* by client 10: returned `color:red`/);
    assert.match(md, /That value was written by the put on line 7 \(client 11, color=red/);
    assert.match(md, /It had not reached server 0: the link 0–1 was cut on line 8/);
    assert.doesNotMatch(md, /Last run/);
  });

  it('follows edits: a put\'s new value shows in the get that reads it', async () => {
    const at = find(text, 'put 11 color blue', 'put 11 color '.length);
    const v = await lsp.edit(uri, { start: at, end: { line: at.line, character: at.character + 4 } }, 'green');
    assert.equal((await lsp.prediction(uri))?.version, v);
    const hints = byLine(await lsp.inlayHints(uri));
    assert.match(label(hints.get(find(text, 'get 11 color').line)), /^≈ color:green \(\d+,1\) from server 1$/);
    assert.equal(label(hints.get(find(text, 'printStore 1').line)), '≈ color:green');
    // Checked against a real run of the edited text.
    const edited = lsp.text(uri);
    const real = await run(edited, 'processes', 1);
    assert.ok(label(hints.get(find(text, 'get 11 color').line)).startsWith(`≈ ${real.printed.get(find(text, 'get 11 color').line)![0]}`));
  });

  it('a burst of edits is predicted once, for the last version', async () => {
    const at = find(lsp.text(uri), 'put 11 color green', 'put 11 color '.length);
    let v = 0;
    for (const value of ['a', 'b', 'c', 'd', 'green']) {
      v = await lsp.edit(uri, { start: at, end: { line: at.line, character: lsp.text(uri).split('\n')[at.line].length } }, value);
    }
    const status = await lsp.prediction(uri);
    assert.equal(status?.version, v);
    assert.match(label(byLine(await lsp.inlayHints(uri)).get(find(text, 'get 11 color').line)), /^≈ color:green /);
  });

  it('predicts up to the first error line only', async () => {
    // An unknown client on the line above `get 10 size`: an error.
    const errAt = find(lsp.text(uri), 'get 10 size').line;
    const v = await lsp.edit(uri, { start: { line: errAt, character: 0 }, end: { line: errAt, character: 0 } }, 'get 77 color\n');
    const status = await lsp.prediction(uri);
    assert.equal(status?.version, v);
    assert.equal(status?.errorLine, errAt + 1);
    assert.ok((await lsp.diagnostics(uri, v)).some((d) => d.severity === DiagnosticSeverity.Error && d.range.start.line === errAt));
    const hints = byLine(await lsp.inlayHints(uri));
    const now = lsp.text(uri).split('\n');
    const gets = now.flatMap((l, i) => (/^(get|printStore) /.test(l) ? [i] : []));
    for (const i of gets) {
      if (i < errAt) assert.match(label(hints.get(i)), /^≈ /, `line ${i + 1} is predicted`);
      else assert.equal(hints.has(i), false, `line ${i + 1}, at or below the error, is not`);
    }
    await lsp.edit(uri, { start: { line: errAt, character: 0 }, end: { line: errAt + 1, character: 0 } }, '');
    assert.equal((await lsp.prediction(uri))?.errorLine, undefined);
  });

  it('kvcmd.predict false: no predicted hints; the kvcmd.gossip setting is the mode predicted', async () => {
    await lsp.setSettings({ kvcmd: { predict: false } });
    await withTimeout((async () => { while (await lsp.prediction(uri, false)) await new Promise((r) => setTimeout(r, 10)); })(), 10_000);
    assert.deepEqual(await lsp.inlayHints(uri), []);
    assert.doesNotMatch((await lsp.hover(uri, find(text, 'get 10 color')))!, /Predicted/);

    await lsp.setSettings({ kvcmd: { predict: true, gossip: 'async' } });
    const status = await withTimeout((async () => {
      for (;;) {
        const s = await lsp.prediction(uri);
        if (s) return s;
        await new Promise((r) => setTimeout(r, 10));
      }
    })(), 10_000);
    assert.equal(status.gossip, 'async');
    assert.equal(status.modelled, 'settled');
    const h = byLine(await lsp.inlayHints(uri)).get(find(text, 'get 10 color').line);
    assert.match(label(h), /^≈ color:red/);
    assert.match(tooltip(h), /predicted by the model \(seed 1, gossip async\): the settled outcome/);
    await lsp.setSettings({ kvcmd: { gossip: 'settled' } });
  });

  it('flags a line where a pushed real run printed something else than predicted', async () => {
    // The model's own events for the current text, with one get's value changed, pushed as a run in async mode.
    const script = lsp.text(uri);
    const version = lsp.version(uri);
    const { events } = await run(script, 'model', 5, 'settled');
    const getLine = find(script, 'get 10 color').line + 1;
    // Untraced (no message events), else the explanation would read the reply's own value.
    const traced = new Set(['send', 'deliver', 'lost', 'applied']);
    const changed = events.filter((e) => !traced.has(e.type)).map((e) => (e.type === 'get' && e.line === getLine && e.result.kind === 'value'
      ? { ...e, result: { ...e.result, value: 'blue' } } : e));
    const params: RunResultsParams = { uri, version, seed: 5, gossip: 'async', finishedAt: '2026-03-04T05:06:07.000Z', events: changed };
    await lsp.connection.sendNotification(RunResultsNotification, params);
    const ds = await diagnosticsWhere(lsp, uri, (d) => d.some((x) => x.severity === DiagnosticSeverity.Information));
    const info = ds.filter((d) => d.severity === DiagnosticSeverity.Information);
    assert.equal(info.length, 1, 'only the line that differs');
    assert.equal(info[0].range.start.line, getLine - 1);
    assert.equal(info[0].code, 'prediction-differs');
    assert.equal(info[0].message, 'the run printed color:blue, the model predicted color:red: a race the model cannot see (gossip async)');
    const status = await lsp.prediction(uri);
    assert.deepEqual([status?.seed, status?.gossip], [5, 'async'], 'the prediction takes the last run\'s seed and gossip');

    // The real run is current: its hints show, not the predicted ones.
    const hints = byLine(await lsp.inlayHints(uri));
    assert.match(label(hints.get(getLine - 1)), /^→ color:blue/);
    for (const h of hints.values()) assert.match(label(h), /^→ /);

    // After an edit the run is stale: predictions again, and the diagnostic goes.
    const v = await lsp.edit(uri, { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, '# a comment\n');
    await lsp.prediction(uri);
    const after = byLine(await lsp.inlayHints(uri));
    assert.match(label(after.get(getLine)), /^≈ color:red/);
    const left = await lsp.diagnostics(uri, v);
    assert.equal(left.filter((d) => d.severity === DiagnosticSeverity.Information).length, 0);
  });
});

describe('live prediction within a work budget', () => {
  it('says which lines it did not reach', async () => {
    const lsp = await LspClient.start('server', { initializationOptions: { predictionBudgetMs: 0, predictionDebounceMs: 0 } });
    try {
      const uri = 'file:///work/budget.kvcmd';
      await lsp.open(uri, text, 1);
      const status = await lsp.prediction(uri);
      assert.equal(status?.state, 'stopped');
      assert.equal(status?.reached, find(text, 'joinServer 0').line + 1, 'one command, then the budget is spent');
      const hints = byLine(await lsp.inlayHints(uri));
      assert.equal(hints.size, getLines.length + storeLines.length);
      for (const h of hints.values()) {
        assert.equal(label(h), '≈ not predicted: the model stopped after 0 ms');
        assert.match(tooltip(h), /stopped after 0 ms of work, at line 3/);
      }
    } finally {
      assert.equal(await lsp.stop(), 0);
    }
  });
});

after(async () => { await LspClient.stopAll(); });
