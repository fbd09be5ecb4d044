// kvcmd/explore over stdio (lsp/exploration.ts): the server explores a document's schedules as
// `kvcmd explore` does, answers with every outcome and per-line result with witnesses and replay
// lines, shows them as inlay hints on the get lines until the document changes, stays responsive
// while it explores, and gives way to a newer request or a cancel.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InlayHint, InlayHintLabelPart, MarkupContent } from 'vscode-languageserver-protocol';
import { analyze } from '../../language/index';
import { explore, parseSchedule, runSchedule } from '../../explore/explore';
import { ExploreRequest, type ExploreOutcomes, type ExploreParams, type WitnessTarget } from '../../lsp/customMessages';
import { exploreSummary } from '../../lsp/exploration';
import { LspClient, ROOT, find, withTimeout } from './lspClient';

const RACE = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'explore', 'race.kvcmd'), 'utf8');

const parts = (h: InlayHint): InlayHintLabelPart[] => (typeof h.label === 'string' ? [{ value: h.label }] : h.label);
const text = (h: InlayHint): string => parts(h).map((p) => p.value).join('');
const tip = (p: InlayHintLabelPart): string => (p.tooltip as MarkupContent | undefined)?.value ?? '';

describe('kvcmd/explore', () => {
  let lsp: LspClient;
  const uri = 'file:///work/race.kvcmd';
  const request = (p: ExploreParams, timeoutMs = 30_000): Promise<ExploreOutcomes> => withTimeout(lsp.connection.sendRequest(ExploreRequest, p), timeoutMs);

  before(async () => {
    // No live prediction: its `≈` hints are not what is looked at here.
    lsp = await LspClient.start('server', { settings: { kvcmd: { predict: false } } });
    await lsp.open(uri, RACE, 1);
  });
  after(async () => { assert.equal(await lsp.stop(), 0); });

  it('explores the document as kvcmd explore does: outcomes, per-line results, witnesses that replay, the kvcmd run lines', async () => {
    const refreshes = lsp.hintRefreshes;
    const r = await request({ uri, gossip: 'async' });
    assert.equal(r.state, 'done');
    assert.equal(r.version, 1);
    assert.equal(r.gossip, 'async');
    assert.equal(r.seed, 1);
    assert.ok(r.exhaustive);
    assert.equal(r.stoppedBy, undefined);
    assert.equal(r.maxSchedules, 10_000);
    const commands = analyze(RACE).commands;
    const local = await explore(commands, { seed: 1, gossip: 'async', maxSchedules: 10_000 });
    assert.deepEqual(r.outcomes.map(({ stdout, count, witness }) => ({ stdout, count, witness })), local.outcomes);
    assert.equal(r.schedules, local.schedules);
    assert.deepEqual(r.lines.map((l) => [l.line, l.command, l.outcomes.map((o) => o.text).sort()]), [[7, 'get', ['k:a', 'k:b']], [8, 'get', ['k:a', 'k:b']]]);
    for (const o of r.outcomes) {
      assert.equal(o.replay, `kvcmd run /work/race.kvcmd --model --gossip async --seed 1 --schedule ${o.witness}`);
      assert.equal((await runSchedule(commands, { seed: 1, gossip: 'async' }, parseSchedule(o.witness))).stdout, o.stdout);
    }
    await lsp.hintRefreshAfter(refreshes);
  });

  it('shows each get line\'s outcomes inline, each one a command that opens its witness', async () => {
    const r = await request({ uri, gossip: 'async', seed: 4 });
    const hints = (await lsp.inlayHints(uri)) ?? [];
    assert.deepEqual(hints.map((h) => h.position), [{ line: 6, character: 8 }, { line: 7, character: 8 }]);
    for (const h of hints) {
      const l = r.lines.find((x) => x.line === h.position.line + 1)!;
      const [first, second] = l.outcomes;
      assert.equal(text(h), `⟂ 2 outcomes: ${first.text} (${first.count} schedules) | ${second.text} (${second.count})`);
      const [head, ...rest] = parts(h);
      assert.match(tip(head), new RegExp(`^Explored on the model: 3 distinct stdouts in ${r.schedules} schedules explored \\(exhaustive, budget 10,000 schedules or 10 s; gossip async, seed 4\\)`));
      const clickable = rest.filter((p) => p.command);
      assert.equal(clickable.length, 2);
      clickable.forEach((p, i) => {
        const o = l.outcomes[i];
        assert.equal(p.command!.command, 'kvcmd.openWitness');
        assert.deepEqual(p.command!.arguments, [{ uri, witness: o.witness, seed: 4, gossip: 'async', label: `${o.text} on line ${l.line}` } satisfies WitnessTarget]);
        assert.ok(tip(p).includes(o.replay), tip(p));
      });
    }
    // Only the lines asked for.
    const one = (await lsp.inlayHints(uri, { start: { line: 7, character: 0 }, end: { line: 7, character: 8 } })) ?? [];
    assert.deepEqual(one.map((h) => h.position.line), [7]);
  });

  it('the inline outcomes go once the document changes; a document with errors is refused', async () => {
    await lsp.edit(uri, { start: find(RACE, 'get 11 k'), end: find(RACE, 'get 11 k') }, '# still the race\n');
    assert.deepEqual(await lsp.inlayHints(uri), []);
    const broken = 'file:///work/broken.kvcmd';
    await lsp.open(broken, 'joinServer 0\nget 5 k\n', 1);
    const r = await request({ uri: broken });
    assert.equal(r.state, 'refused');
    assert.match(r.error ?? '', /^line 2 has an error \(.*\): fix it first$/);
    assert.deepEqual(await lsp.inlayHints(broken), []);
  });

  it('stays responsive while it explores; a newer request replaces a running one; budgets say sampled', async () => {
    const big = 'file:///work/partition.kvcmd';
    const sample = fs.readFileSync(path.join(ROOT, 'samples', '03-partition.kvcmd'), 'utf8');
    await lsp.open(big, sample, 1);
    // A budget no machine reaches: the exploration is still running when the hover is answered
    // (order, not time, is what this holds: a loaded machine may be slow at both).
    const long = request({ uri: big, budgetMs: 600_000, maxSchedules: 1_000_000 });
    let longDone = false;
    void long.then(() => (longDone = true));
    await new Promise((r) => setTimeout(r, 300));
    const hover = await withTimeout(lsp.hover(big, find(sample, 'joinServer')), 60_000);
    assert.ok(hover, 'the hover is answered');
    assert.equal(longDone, false, 'the hover was answered while the exploration still ran');
    const short = request({ uri: big, budgetMs: 600_000, maxSchedules: 5 });
    const replaced = await long;
    assert.equal(replaced.state, 'cancelled');
    assert.equal(replaced.stoppedBy, 'cancelled');
    const sampled = await short;
    assert.equal(sampled.state, 'done');
    assert.ok(!sampled.exhaustive && sampled.stoppedBy === 'schedules' && sampled.schedules === 5, JSON.stringify({ ...sampled, lines: undefined }));
    assert.match(exploreSummary(sampled), /^1 distinct stdout in 5 schedules explored \(sampled: stopped by the schedule budget, budget 5 schedules or 600 s; gossip async, seed 1\)$/);
    const hints = (await lsp.inlayHints(big)) ?? [];
    assert.ok(hints.length > 0 && hints.every((h) => text(h).startsWith('⟂ 1 outcome (sampled): ')), hints.map(text).join('\n'));
  });
});
