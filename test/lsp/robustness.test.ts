// The language server never exits or fails on what a client sends wrong: reversed and out-of-range
// edits, malformed run results, requests at positions outside the text. The fuzz test drives one
// server over stdio with a few hundred seeded random operations (bounded by count, not by clock)
// and checks after each that the server is up and answers, and at the end that its diagnostics
// are those of the language library on the same text.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ErrorCodes, ResponseError } from 'vscode-jsonrpc';
import { analyze } from '../../language/index';
import { ClearRunResultsNotification, RunResultsNotification } from '../../lsp/customMessages';
import { LspClient, withTimeout } from './lspClient';

/** mulberry32: a small seeded generator, so that a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const brief = (ds: { range: { start: { line: number } }; code?: unknown }[]): string[] =>
  ds.filter((d) => d.code !== 'prediction-differs').map((d) => `${d.range.start.line}:${String(d.code)}`).sort();

describe('language server robustness', () => {
  after(async () => { await LspClient.stopAll(); });

  it('normalises a reversed or negative didChange range (logged) and goes on', async () => {
    const lsp = await LspClient.start('server');
    const uri = 'file:///work/reversed.kvcmd';
    await lsp.open(uri, 'joinServer 0\njoinClient 1 0\nput 1 k v\n');
    // Reversed: end before start. Applied as the range it spans: lines 0-1 are deleted.
    let v = await lsp.rawChange(uri, [{ range: { start: { line: 2, character: 0 }, end: { line: 0, character: 0 } }, text: '' }]);
    assert.deepEqual(brief(await lsp.diagnostics(uri, v)), ['0:unknown-id']);
    // Negative: clamped to the start of the text.
    v = await lsp.rawChange(uri, [{ range: { start: { line: -3, character: -1 }, end: { line: -1, character: 5 } }, text: 'joinServer 4\njoinClient 1 4\n' }]);
    assert.deepEqual(brief(await lsp.diagnostics(uri, v)), []);
    // Past the end, and a range that is no range: the first is clamped, the second left out.
    v = await lsp.rawChange(uri, [
      { range: { start: { line: 90, character: 3 }, end: { line: 99, character: 0 } }, text: 'get 7 k\n' },
      { range: { start: { line: 'x' }, end: null }, text: 'nope' },
      { text: 42 },
    ]);
    assert.deepEqual(brief(await lsp.diagnostics(uri, v)), ['3:unknown-id']);
    const hover = await lsp.hover(uri, { line: 3, character: 4 });
    assert.match(hover ?? '', /no server or client 7/);
    assert.equal(lsp.exitCode, undefined, 'the server is still running');
    const warnings = lsp.logs.filter((l) => l.startsWith('warning:'));
    assert.ok(warnings.some((w) => /was reversed/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /outside the document/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /range is not a range/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /without text/.test(w)), warnings.join('\n'));
    assert.equal(await lsp.stop(), 0);
  });

  it('drops malformed events of a run-results notification (logged); hovers still answer', async () => {
    const lsp = await LspClient.start('server', { settings: { kvcmd: { predict: false } } });
    const uri = 'file:///work/malformed.kvcmd';
    const text = 'joinServer 0\nprintStore 0\nstabilize\n';
    await lsp.open(uri, text, 1);
    await lsp.connection.sendNotification(RunResultsNotification, {
      uri, version: 1, seed: 3, gossip: 'settled', finishedAt: '2026-01-01T00:00:00.000Z', events: [
        { type: 'storePrinted', line: 2, step: 2, server: 0 },
        { type: 'storePrinted', line: 2, step: 2, server: 0, entries: [{ key: 'k' }] },
        { type: 'get', line: 'two', step: 2 },
        null, 5, 'x', [],
        { type: 'unheardOf', line: 2, step: 2 },
        { type: 'stabilizeDone', line: 3, step: 3, epoch: 1, ms: 124.74771599999804 },
      ] as never,
    });
    const store = await lsp.hover(uri, { line: 1, character: 2 });
    assert.match(store ?? '', /Print a server's whole store/);
    assert.doesNotMatch(store ?? '', /store of server 0/, 'the malformed storePrinted events are gone');
    const stab = await lsp.hover(uri, { line: 2, character: 2 });
    assert.match(stab ?? '', /stabilize \(epoch 1\) done in 125 ms/);
    // Not even a run: ignored as a whole.
    await lsp.connection.sendNotification(RunResultsNotification, { uri, events: 'none' } as never);
    await lsp.connection.sendNotification(ClearRunResultsNotification, {} as never);
    assert.match((await lsp.hover(uri, { line: 2, character: 2 })) ?? '', /done in 125 ms/);
    const warnings = lsp.logs.filter((l) => l.startsWith('warning:'));
    assert.ok(warnings.some((w) => /dropped 8 malformed event/.test(w) && /storePrinted\.entries/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /ignored kvcmd\/runResults/.test(w)), warnings.join('\n'));
    assert.equal(await lsp.stop(), 0);
  });

  it('fuzz: 400 seeded random edits (some reversed or out of range), requests and notifications; the server stays up and agrees with the library', async () => {
    const seed = Number(process.env.KVCMD_FUZZ_SEED ?? 20260101);
    const rand = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
    const lsp = await LspClient.start('server', { initializationOptions: { predictionDebounceMs: 0, predictionBudgetMs: 20 } });
    const uri = 'file:///work/fuzz.kvcmd';
    await lsp.open(uri, 'joinServer 0\njoinServer 1\njoinClient 5 0\nput 5 k v\nget 5 k\n');
    const pieces = ['joinServer ', 'joinClient ', 'killServer ', 'put ', 'get ', 'printStore ', 'stabilize', 'breakConnection ',
      'createConnection ', 'sleep ', '0', '1', '2', '5', '6', '12', ' ', ' ', 'k', 'v', 'x:y', '\n', '\n', '\n', '# note', '\r\n', '\t',
      '99999999999', '-1', 'é', '\u{1F600}', 'Put', 'stablize'];
    const randomText = (): string => Array.from({ length: int(0, 6) }, () => pick(pieces)).join('');
    const lines = (): string[] => lsp.text(uri).split('\n');
    const somePosition = (wild: boolean) => {
      const ls = lines();
      if (wild) return { line: pick([-5, -1, 0, ls.length, ls.length + 7, 2 ** 31]), character: pick([-3, 0, 4, 999, 2 ** 31]) };
      const line = int(0, ls.length - 1);
      return { line, character: int(0, ls[line].length) };
    };
    const methods = ['textDocument/hover', 'textDocument/completion', 'textDocument/definition', 'textDocument/references',
      'textDocument/documentHighlight', 'textDocument/prepareRename', 'textDocument/rename', 'textDocument/documentSymbol',
      'textDocument/codeLens', 'textDocument/foldingRange', 'textDocument/semanticTokens/full', 'textDocument/semanticTokens/range',
      'textDocument/formatting', 'textDocument/rangeFormatting', 'textDocument/codeAction', 'textDocument/inlayHint'];
    const eventTemplates: unknown[] = [
      { type: 'put', line: 4, step: 4, client: 5, key: 'k', value: 'v', server: 0, stamp: { counter: 3, server: 0 }, counter: 3 },
      { type: 'get', line: 5, step: 5, client: 5, key: 'k', server: 0, result: { kind: 'value', value: 'v', stamp: { counter: 3, server: 0 } }, depBefore: null, depAfter: { counter: 3, server: 0 }, counter: 4 },
      { type: 'storePrinted', line: 2, step: 2, server: 0, entries: [] },
      { type: 'storePrinted', line: 2, step: 2, server: 0 },
      { type: 'get', line: 5, step: 5, client: 5, key: 'k', server: 0, result: { kind: 'nonsense' } },
      { type: 'stabilizeDone', line: 1, step: 1, epoch: 1, ms: 'slow' },
      { type: 'send', line: 4, step: 4, msg: '0.1', from: 0, to: 1, kind: 'gossip', node: 0, counter: 4, body: { key: 'k', stamp: 7 } },
      { type: 'linkCut', line: -4, step: 1, a: 0, b: 1 },
      null, 17, { type: 'failed', line: 9, step: 9, client: 5, op: 'put', key: 'k', reason: 'gone' },
    ];
    let internalErrors = 0;
    const ask = async (method: string, params: unknown): Promise<void> => {
      try {
        await withTimeout(lsp.connection.sendRequest(method, params), 10_000);
      } catch (err) {
        // A request the server refuses on purpose (a rename to a taken id) is an answer; an internal error is not.
        if (!(err instanceof ResponseError) || err.code === ErrorCodes.InternalError) {
          internalErrors++;
          assert.fail(`${method} ${JSON.stringify(params)} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    };
    let resynced = true;
    for (let step = 0; step < 400; step++) {
      const r = rand();
      if (r < 0.35) {
        // A valid edit of the text as the client knows it.
        const a = somePosition(false), b = somePosition(false);
        const [start, end] = a.line < b.line || (a.line === b.line && a.character <= b.character) ? [a, b] : [b, a];
        if (resynced) await lsp.edit(uri, { start, end }, randomText());
        else await lsp.rawChange(uri, [{ range: { start, end }, text: randomText() }]);
      } else if (r < 0.47) {
        // A wrong one: reversed, outside the text, or no range at all; the texts then differ until a resync.
        const kind = int(0, 3);
        const a = somePosition(kind >= 2), b = somePosition(kind >= 2);
        const change = kind === 0 ? { range: { start: b, end: a }, text: randomText() }
          : kind === 3 ? pick([{ range: { start: a }, text: 'x' }, { text: null }, null, { range: 7, text: '' }])
            : { range: { start: a, end: b }, text: randomText() };
        await lsp.rawChange(uri, [change]);
        resynced = false;
      } else if (r < 0.52) {
        await lsp.replaceAll(uri, lsp.text(uri));
        resynced = true;
      } else if (r < 0.9) {
        const method = pick(methods);
        const wild = rand() < 0.25;
        const position = somePosition(wild);
        const range = { start: somePosition(wild), end: somePosition(wild) };
        const target = rand() < 0.05 ? 'file:///work/not-open.kvcmd' : uri;
        await ask(method, {
          textDocument: { uri: target }, position, range, newName: pick(['7', '0', 'x', '-1', '99999999999']),
          context: { includeDeclaration: rand() < 0.5, diagnostics: [] }, options: { tabSize: 2, insertSpaces: true },
        });
      } else if (r < 0.97) {
        const events = Array.from({ length: int(0, 6) }, () => pick(eventTemplates));
        await lsp.connection.sendNotification(RunResultsNotification, {
          uri: rand() < 0.9 ? uri : (7 as never), version: lsp.version(uri) - int(0, 2), seed: pick([1, 2, -1, 'x' as never]),
          gossip: pick(['settled', 'async', 'off', 'loud']), finishedAt: '2026-01-01T00:00:00.000Z', events: events as never,
        });
      } else {
        await lsp.connection.sendNotification(ClearRunResultsNotification, { uri });
      }
      assert.equal(lsp.exitCode, undefined, `the server exited at step ${step} (seed ${seed}):\n${lsp.stderr}`);
    }
    // It still answers, and after a resync it says what the library says about the text.
    const v = await lsp.replaceAll(uri, lsp.text(uri));
    const diags = await lsp.diagnostics(uri, v, 15_000);
    assert.deepEqual(brief(diags), brief(analyze(lsp.text(uri)).diagnostics));
    assert.equal(internalErrors, 0);
    assert.doesNotMatch(lsp.logs.join('\n'), /^error:/m, 'no handler failed');
    assert.equal(await lsp.stop(), 0);
  });

  it('ignores a didChange or didClose without params (a handler threw), refuses kvcmd/prediction and kvcmd/explore without a uri, reads a range of fractional lines (they failed inside)', async () => {
    const lsp = await LspClient.start('server');
    const uri = 'file:///work/noparams.kvcmd';
    await lsp.open(uri, 'joinServer 0\n');
    await lsp.connection.sendNotification('textDocument/didChange', null);
    await lsp.connection.sendNotification('textDocument/didClose', {});
    for (const params of [null, {}, { uri: 7, wait: true }, [uri]]) {
      for (const method of ['kvcmd/prediction', 'kvcmd/explore']) {
        const refused = (e: unknown): boolean => e instanceof ResponseError && e.code === ErrorCodes.InvalidParams;
        await assert.rejects(withTimeout(lsp.connection.sendRequest(method, params), 10_000), refused, `${method} ${JSON.stringify(params)}`);
      }
    }
    await assert.rejects(lsp.connection.sendRequest('kvcmd/explore', { uri: 'file:///work/not-open.kvcmd' }), (e: unknown) => e instanceof ResponseError && e.code === ErrorCodes.InvalidParams);
    assert.match((await lsp.hover(uri, { line: 0, character: 2 })) ?? '', /Start a new server/);
    // A range of fractional lines (it failed inside: line 0.5 named no line) covers the whole lines it touches.
    const whole = await lsp.connection.sendRequest('textDocument/semanticTokens/range', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } } });
    const half = await lsp.connection.sendRequest('textDocument/semanticTokens/range', { textDocument: { uri }, range: { start: { line: 0.5, character: 0 }, end: { line: 0.5, character: 5 } } });
    assert.deepEqual(half, whole);
    assert.deepEqual(lsp.logs.filter((l) => l.startsWith('error:') && /failed/.test(l)), []);
    assert.ok(lsp.logs.some((l) => /ignored a didClose without a uri/.test(l)), lsp.logs.join('\n'));
    assert.equal(await lsp.stop(), 0);
  });
});
