// Fuzzing the language server over a real LSP connection: seeded random and out-of-range edits
// (reversed, negative, fractional, beyond the end, not ranges at all, several in one notification,
// huge texts, random unicode with lone surrogates and line separators), random requests (hover,
// completion, inlay hints, code lens, symbols and the rest, at valid and wild positions, on open,
// closed and unknown documents), the custom requests and notifications of lsp/customMessages.ts
// with random parameters, reopen, close and settings changes. The server must never exit, answer
// every request (a result or an error, never a hang; and no handler may throw on a request of the
// right shape), log no handler failure, and afterwards answer valid requests correctly.
// KVCMD_LSP_FUZZ_SEED replays a run; KVCMD_LSP_FUZZ_STEPS sets its size.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ErrorCodes, ResponseError } from 'vscode-jsonrpc';
import { analyze } from '../../language/index';
import { ClearRunResultsNotification, ExploreRequest, MemoryRequest, PredictionRequest, RunResultsNotification } from '../../lsp/customMessages';
import { randomScript, rng } from '../check/generate';
import { LspClient, find, withTimeout } from './lspClient';

const SEED = Number(process.env.KVCMD_LSP_FUZZ_SEED ?? 20261128);
const STEPS = Number(process.env.KVCMD_LSP_FUZZ_STEPS ?? 500);

after(async () => {
  await LspClient.stopAll();
});

const brief = (ds: { range: { start: { line: number } }; code?: unknown }[]): string[] =>
  ds.filter((d) => d.code !== 'prediction-differs').map((d) => `${d.range.start.line}:${String(d.code)}`).sort();

test(`language server fuzz: ${STEPS} seeded random edits, requests and notifications (seed ${SEED}); it stays up, answers everything, then answers correctly`, { timeout: 180_000 }, async (t) => {
  const r = rng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const lsp = await LspClient.start('server', {
    settings: { kvcmd: { predict: true, gossip: 'settled' } },
    initializationOptions: { predictionDebounceMs: 0, predictionBudgetMs: 150 },
  });
  const uri = 'file:///work/fuzz-main.kvcmd';
  const other = 'file:///work/fuzz-other.kvcmd';
  const unknown = 'untitled:never-opened';
  await lsp.open(uri, 'joinServer 0\njoinServer 1\njoinClient 5 0\nput 5 k v\nget 5 k\nprintStore 1\n');
  const opened = new Set([uri]);

  const pieces = ['joinServer ', 'joinClient ', 'killServer ', 'put ', 'get ', 'printStore ', 'stabilize', 'breakConnection ', 'createConnection ',
    'sleep ', 'done', '0', '1', '5', '2147483647', '2147483648', '007', ' ', '\t', 'k', 'v', 'a:b', '#', '# c', '\n', '\n', '\r\n', '\r', '\u2028',
    '\u0000', '\uFEFF', '\uD800', '\uDC00', 'é', '\u{1F600}', 'e\u0301', '\u202E', 'stablize', 'Put', '# kvcmd: protocol=vector\n'];
  const randomChar = (): string => String.fromCodePoint(pick([int(0x20, 0x7e), int(0, 0x1f), int(0x80, 0x2fff), int(0xd800, 0xdfff), int(0xe000, 0xffff), int(0x10000, 0x10ffff)]));
  const randomText = (): string => Array.from({ length: int(0, 7) }, () => (r() < 0.75 ? pick(pieces) : randomChar())).join('');
  /** Now and then something big: a long valid script (the model predicts it), a long line, many lines, unicode soup. */
  const hugeText = (): string => pick<() => string>([
    () => randomScript(int(1, 1e9), { commands: int(2000, 8000), maxServer: 6, clients: 5, keys: 8, rejoin: true, oddTokens: true }),
    () => `put 5 k ${'x'.repeat(int(100_000, 1_000_000))}\n`,
    () => 'joinServer 0\n'.repeat(int(1000, 20_000)),
    () => '\n'.repeat(int(10_000, 100_000)),
    () => Array.from({ length: 20_000 }, randomChar).join(''),
  ])();
  const lines = (u: string): string[] => lsp.text(u).split('\n');
  const position = (u: string, wild: boolean): unknown => {
    const ls = lines(u);
    if (wild) return { line: pick([-5, -1, 0, ls.length - 1, ls.length, ls.length + 9, 2 ** 31, 2 ** 53, 0.5]), character: pick([-3, 0, 2, 999, 2 ** 31, 1.5]) };
    const line = int(0, ls.length - 1);
    return { line, character: int(0, ls[line].length) };
  };
  /** Not even a position, for the changes (whose ranges the server checks itself). */
  const notAPosition = (): unknown => pick([null, 7, 'x', { line: '1', character: 0 }, { line: 1 }, [], {}]);

  const requestMethods = ['textDocument/hover', 'textDocument/completion', 'textDocument/inlayHint', 'textDocument/codeLens', 'textDocument/documentSymbol',
    'textDocument/definition', 'textDocument/references', 'textDocument/documentHighlight', 'textDocument/prepareRename', 'textDocument/rename',
    'textDocument/foldingRange', 'textDocument/semanticTokens/full', 'textDocument/semanticTokens/range', 'textDocument/formatting',
    'textDocument/rangeFormatting', 'textDocument/codeAction'];
  const tally: Record<string, number> = {};
  const count = (what: string): void => void (tally[what] = (tally[what] ?? 0) + 1);
  let step = 0;
  const where = (): string => `step ${step} of seed ${SEED}; replay: KVCMD_LSP_FUZZ_SEED=${SEED} KVCMD_LSP_FUZZ_STEPS=${step + 1} node --test out/test/lsp/fuzz.test.js`;

  /**
   * A request must be answered within 20 s; an error is an answer, but an internal error (a handler
   * threw) only counts as one for a request whose params do not even have the right shape.
   */
  const ask = async (method: string, params: unknown, wellShaped: boolean): Promise<void> => {
    try {
      await withTimeout(lsp.connection.sendRequest(method, params), 20_000);
      count(`${method}: result`);
    } catch (err) {
      if (!(err instanceof ResponseError)) assert.fail(`${method} ${JSON.stringify(params)?.slice(0, 300)}: no answer (${(err as Error).message}): ${where()}`);
      count(`${method}: error ${err.code}`);
      if (wellShaped && err.code === ErrorCodes.InternalError) {
        assert.fail(`${method} ${JSON.stringify(params)?.slice(0, 300)} failed inside the server: ${err.message}: ${where()}`);
      }
    }
  };

  const eventTemplates: unknown[] = [
    { type: 'put', line: 4, step: 4, client: 5, key: 'k', value: 'v', server: 0, stamp: { counter: 3, server: 0 }, counter: 3 },
    { type: 'get', line: 5, step: 5, client: 5, key: 'k', server: 0, result: { kind: 'value', value: 'v', stamp: { counter: 3, server: 0 } }, depBefore: null, depAfter: { counter: 3, server: 0 }, counter: 4 },
    { type: 'get', line: 5, step: 5, client: 5, key: 'k', server: 0, result: { kind: 'ERR_DEP', held: null, dep: { counter: 3, server: 0 } }, depBefore: { counter: 3, server: 0 }, depAfter: { counter: 3, server: 0 }, counter: 4 },
    { type: 'storePrinted', line: 6, step: 6, server: 1, entries: [{ key: 'k', value: 'v', stamp: { counter: 3, server: 0 } }] },
    { type: 'stdout', line: 5, step: 5, text: 'k:v' },
    { type: 'failed', line: 4, step: 4, client: 5, op: 'put', key: 'k', reason: 'no server' },
    { type: 'linkCut', line: 2 ** 31, step: 1, a: 0, b: 1 },
    { type: 'stabilizeDone', line: 0, step: 0, epoch: 1, ms: 3 },
    { type: 'nodeStarted', line: 1, step: 1, id: 0, role: 'server', port: 0, pid: 0 },
  ];
  const mutateEvent = (e: unknown): unknown => {
    if (r() < 0.5 || e === null || typeof e !== 'object') return e;
    const copy = { ...(e as Record<string, unknown>) };
    const k = pick(Object.keys(copy));
    copy[k] = pick([null, -1, 2 ** 53, 'x', '\uD800', {}, [], 1.5, true, undefined]);
    return copy;
  };

  const randomParams = (): unknown => pick([null, undefined, 7, 'x', [], [uri], {}, { uri }, { uri, wait: true }, { uri, wait: false }, { uri: other, wait: true },
    { uri: unknown, wait: true }, { uri: 7, wait: true }, { uri: null }, { uri, wait: 'yes' }, { uri: { uri } }, { uri: '\uD800', wait: true }, { uri: 'x'.repeat(100_000) }]);

  for (step = 0; step < STEPS; step++) {
    const x = r();
    const target = pick([uri, uri, uri, other]);
    const open = (u: string): boolean => opened.has(u);
    if (x < 0.22) {
      // A valid edit of the text as the client knows it.
      if (!open(target)) continue;
      const a = position(target, false) as { line: number; character: number };
      const b = position(target, false) as { line: number; character: number };
      const [start, end] = a.line < b.line || (a.line === b.line && a.character <= b.character) ? [a, b] : [b, a];
      await lsp.edit(target, { start, end }, randomText());
      count('edit');
    } else if (x < 0.36) {
      // Wrong ones, one or several in one notification: the client's copy is resynced below.
      const changes = Array.from({ length: int(1, 4) }, () => {
        const kind = int(0, 5);
        const a = position(target, true);
        const b = position(target, true);
        if (kind === 0) return { range: { start: b, end: a }, text: randomText() };
        if (kind === 1) return { range: { start: a, end: b }, text: randomText() };
        if (kind === 2) return { range: { start: a, end: notAPosition() }, text: randomText() };
        if (kind === 3) return pick([{ text: null }, null, 5, { range: 7, text: '' }, { range: { start: a, end: b } }, { text: ['x'] }]);
        if (kind === 4) return { text: randomText() };
        return { range: { start: a, end: b }, rangeLength: -4, text: randomText() };
      });
      await lsp.rawChange(target, changes);
      count('wild edit');
      if (r() < 0.5 && open(target)) await lsp.replaceAll(target, lsp.text(target));
    } else if (x < 0.38) {
      await lsp.replaceAll(target, hugeText());
      count('huge text');
    } else if (x < 0.42) {
      // A change that is no change at all: bad versions, no document, another uri.
      await lsp.connection.sendNotification('textDocument/didChange', pick([
        { textDocument: { uri: target, version: pick([-1, 0, 1.5, 'x', null, 2 ** 53]) }, contentChanges: [{ text: randomText() }] },
        { textDocument: { uri: unknown, version: 3 }, contentChanges: [{ text: 'joinServer 0' }] },
        { textDocument: null, contentChanges: [] },
        { contentChanges: 'x' },
        null,
        { textDocument: { uri: target, version: lsp.version(target) + 1 }, contentChanges: 'not a list' },
      ]));
      count('odd didChange');
      if (open(target)) await lsp.replaceAll(target, lsp.text(target));
    } else if (x < 0.72) {
      const method = pick(requestMethods);
      const wild = r() < 0.3;
      const u = pick([target, target, target, unknown]);
      await ask(method, {
        textDocument: { uri: u }, position: position(u, wild), range: { start: position(u, wild), end: position(u, wild) },
        newName: pick(['7', '0', 'x', '-1', '99999999999', '\uD800']),
        context: { includeDeclaration: r() < 0.5, diagnostics: [], triggerKind: 1 }, options: { tabSize: 2, insertSpaces: true },
      }, true);
    } else if (x < 0.76) {
      // Params of the wrong shape altogether: any error is an answer.
      await ask(pick(requestMethods), pick([null, {}, { textDocument: null }, { textDocument: { uri: 7 } }, { textDocument: { uri }, position: null }, [uri], 'x']), false);
    } else if (x < 0.84) {
      // The custom requests, and a method nobody serves.
      const which = int(0, 4);
      if (which === 4) {
        // Explore: well-formed with a small budget (explore's default is 10 s), or anything at all.
        const small = { uri: pick([target, unknown]), gossip: pick(['async', 'settled', 'off', 'x', 7]), seed: pick([1, 0, -1, 2 ** 31, 1.5, 'x']), maxSchedules: int(1, 40), budgetMs: int(1, 80) };
        await ask(ExploreRequest.method, r() < 0.5 ? small : pick([null, {}, [target], { uri: 7 }, { uri: null, budgetMs: 5 }, 'x']), true);
      } else if (which === 0) {
        // Ours: whatever the params, a result or a refusal (InvalidParams), never a failure inside.
        await ask(PredictionRequest.method, randomParams(), true);
      } else if (which === 1) {
        await ask(MemoryRequest.method, randomParams(), true);
      } else if (which === 2) {
        await ask(pick(['kvcmd/nope', 'kvcmd/prediction/x', '$/unknown', 'textDocument/unknown']), randomParams(), true);
      } else {
        await ask(PredictionRequest.method, { uri: target, wait: true }, true);
      }
    } else if (x < 0.91) {
      const events = Array.from({ length: int(0, 8) }, () => mutateEvent(pick(eventTemplates)));
      await lsp.connection.sendNotification(RunResultsNotification, pick([
        { uri: target, version: lsp.version(target) - int(0, 2), seed: pick([1, 2, 0, 2 ** 53, 1e300]), gossip: pick(['settled', 'off', 'async', 'loud', '']), finishedAt: '2026-01-01T00:00:00.000Z', events },
        { uri: pick([unknown, 7, null]), version: 1, seed: 1, gossip: 'settled', finishedAt: 5, events },
        { uri: target, version: 1.5, seed: -1, gossip: 7, events: 'none' },
        null,
      ]) as never);
      count('runResults');
    } else if (x < 0.94) {
      await lsp.connection.sendNotification(ClearRunResultsNotification, pick([{ uri: target }, { uri: unknown }, {}, null, { uri: 7 }]) as never);
      count('clearRunResults');
    } else if (x < 0.97) {
      // Open (again, with any version and text), or close.
      if (r() < 0.6) {
        await lsp.open(target, r() < 0.2 ? hugeText() : randomText() + '\njoinServer 0\n' + randomText(), pick([1, 0, -3, 2 ** 31]));
        opened.add(target);
      } else {
        await lsp.close(target);
        opened.delete(target);
      }
      count('open/close');
    } else {
      await lsp.setSettings({ kvcmd: pick([{ predict: false }, { predict: true, gossip: pick(['settled', 'off', 'async', 'nonsense', 7]) }, null, 'x', { gossip: null }]) });
      count('settings');
    }
    assert.equal(lsp.exitCode, undefined, `the server exited: ${where()}\n${lsp.stderr.slice(-3000)}`);
  }

  // Afterwards: it still answers, and correctly. The fuzzed document, resynced, gets the
  // library's diagnostics; a fresh document gets the right hover, completion, symbols, lens and
  // predicted hints.
  await lsp.setSettings({ kvcmd: { predict: true, gossip: 'settled' } });
  for (const u of opened) {
    const v = await lsp.replaceAll(u, lsp.text(u));
    assert.deepEqual(brief(await lsp.diagnostics(u, v, 30_000)), brief(analyze(lsp.text(u)).diagnostics), `fuzzed document ${u}, seed ${SEED}`);
  }
  const fresh = 'file:///work/fuzz-after.kvcmd';
  const text = 'joinServer 0\njoinServer 1\njoinClient 5 0\nput 5 color blue\nget 5 color\nprintStore 1\n';
  await lsp.open(fresh, text, 1);
  assert.deepEqual(brief(await lsp.diagnostics(fresh, 1, 30_000)), []);
  assert.match((await lsp.hover(fresh, find(text, 'joinServer')))!, /Start a new server/);
  assert.ok((await lsp.completion(fresh, { line: 6, character: 0 })).items.some((i) => i.label === 'joinServer'));
  assert.deepEqual((await lsp.symbols(fresh)).map((s) => s.name), ['server 0', 'server 1', 'client 5']);
  const lenses = (await lsp.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: fresh } })) as { command?: { command: string } }[];
  assert.deepEqual(lenses.map((l) => l.command?.command), ['kvcmd.run']);
  const status = await lsp.prediction(fresh, true, 60_000);
  assert.equal(status?.state, 'done');
  const hints = ((await lsp.inlayHints(fresh)) ?? []).map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
  assert.ok(hints.some((h) => /≈ color:blue \(\d+,0\) from server 0/.test(h)), hints.join('\n'));
  const warnings = lsp.logs.filter((l) => l.startsWith('warning:')).length;
  t.diagnostic(`${JSON.stringify(Object.fromEntries(Object.entries(tally).sort()))}; ${warnings} warnings logged`);
  // Errors the JSON-RPC library logs about a message itself (`params: null`) are not ours; a
  // handler that threw, or the server's own `kvcmd: ... failed`, is.
  const failures = lsp.logs.filter((l) => l.startsWith('error:') && !/received parameters by position/.test(l));
  assert.deepEqual(failures, [], `a handler failed (seed ${SEED})`);
  assert.equal(await lsp.stop(), 0);
});
