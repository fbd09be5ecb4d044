// The language server as an editor sees it: a child process driven over stdio by a real LSP
// client. Every test's server is shut down (shutdown + exit) and its process reaped.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompletionItem, DiagnosticSeverity, DiagnosticTag, CodeLensRequest, DocumentHighlightRequest, InsertTextFormat, SemanticTokensRangeRequest, SymbolKind, TextEdit,
} from 'vscode-languageserver-protocol';
import type { ClusterEvent } from '../../record/events';
import { analyze } from '../../language/index';
import { runCommands } from '../../cluster/runner';
import { ClearRunResultsNotification, MemoryRequest, RunResultsNotification, type RunResultsParams } from '../../lsp/customMessages';
import { LEGEND } from '../../lsp/semanticTokens';
import { alive } from '../../conform/probes';
import { LspClient, ROOT, applyTextEdits, find } from './lspClient';

const FIX = path.join(ROOT, 'test', 'fixtures', 'lsp');
const fixture = (name: string): string => fs.readFileSync(path.join(FIX, name), 'utf8');
const uriOf = (name: string): string => `file:///work/${name}`;

describe('language server over stdio', () => {
  let lsp: LspClient;
  before(async () => { lsp = await LspClient.start('server'); });
  after(async () => {
    const pid = lsp.child.pid!;
    const code = await lsp.stop();
    assert.equal(code, 0, 'server exits with 0 after shutdown + exit');
    assert.equal(alive(pid), false, 'no server process is left');
  });

  it('announces incremental sync and its features', () => {
    const caps = lsp.capabilities!;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    assert.deepEqual(caps.renameProvider, { prepareProvider: true });
    assert.deepEqual(caps.semanticTokensProvider?.legend, LEGEND);
    assert.ok(caps.completionProvider?.triggerCharacters?.includes(' '));
    for (const k of ['hoverProvider', 'definitionProvider', 'referencesProvider', 'documentSymbolProvider',
      'foldingRangeProvider', 'documentFormattingProvider', 'codeActionProvider', 'inlayHintProvider'] as const) {
      assert.ok(caps[k], k);
    }
  });

  it('publishes diagnostics with codes, ranges, severities, related locations and tags', async () => {
    const uri = uriOf('mistakes-diag.kvcmd');
    await lsp.open(uri, fixture('mistakes.kvcmd'));
    const diags = await lsp.diagnostics(uri, 1);
    const brief = diags.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.character + 1} ${d.severity} ${d.code}`);
    assert.deepEqual(brief, [
      '3:1-9 1 unknown-command',
      '4:5-6 1 unknown-id',
      '5:12-13 2 kill-unknown',
      '7:17-20 2 not-linked',
      '9:12-13 2 kill-dead',
      '10:5-6 2 no-server',
      '11:12-13 1 id-kind-conflict',
      '12:5-6 2 no-server',
      '12:8-9 1 key-colon',
    ]);
    const killDead = diags.find((d) => d.code === 'kill-dead')!;
    assert.equal(killDead.source, 'kvcmd');
    assert.equal(killDead.severity, DiagnosticSeverity.Warning);
    assert.match(String(killDead.message), /server 0 is dead \(killed on line 8\)/);
    assert.deepEqual(killDead.relatedInformation, [{
      location: { uri, range: { start: { line: 7, character: 0 }, end: { line: 7, character: 12 } } },
      message: 'server 0 was killed here',
    }]);
    assert.deepEqual(killDead.tags, [DiagnosticTag.Unnecessary]);
    assert.match(String(diags[0].message), /did you mean 'stabilize'\?/);
    await lsp.close(uri);
  });

  it('updates diagnostics as the document is edited', async () => {
    const uri = uriOf('mistakes-edit.kvcmd');
    await lsp.open(uri, fixture('mistakes.kvcmd'));
    assert.equal((await lsp.diagnostics(uri, 1)).length, 9);
    // Typing the missing letter fixes the misspelling (a one-line edit).
    let v = await lsp.edit(uri, { start: { line: 2, character: 4 }, end: { line: 2, character: 4 } }, 'i');
    let diags = await lsp.diagnostics(uri, v);
    assert.equal(lsp.text(uri).split('\n')[2], 'stabilize');
    assert.equal(diags.length, 8);
    assert.ok(!diags.some((d) => d.code === 'unknown-command'));
    // Editing a topology line changes what later lines see: client 5 now joins a server that does not exist.
    v = await lsp.edit(uri, { start: { line: 1, character: 13 }, end: { line: 1, character: 14 } }, '9');
    diags = await lsp.diagnostics(uri, v);
    const codes = diags.map((d) => `${d.range.start.line + 1} ${d.code}`);
    assert.ok(codes.includes('2 unknown-id'), codes.join());
    assert.ok(!codes.includes('11 id-kind-conflict'), 'client 5 no longer exists, so joinServer 5 is fine');
    // Inserting a line shifts every later diagnostic down.
    v = await lsp.edit(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, '# note\n');
    const shifted = await lsp.diagnostics(uri, v);
    assert.deepEqual(shifted.map((d) => d.range.start.line), diags.map((d) => d.range.start.line + 1));
    await lsp.close(uri);
  });

  it('offers quick fixes that repair the script when applied', async () => {
    const uri = uriOf('mistakes-fix.kvcmd');
    await lsp.open(uri, fixture('mistakes.kvcmd'));
    const fixAt = async (code: string, title: RegExp): Promise<void> => {
      const diags = await lsp.diagnostics(uri);
      const d = diags.find((x) => x.code === code);
      assert.ok(d, `a ${code} diagnostic (have ${diags.map((x) => x.code).join()})`);
      const actions = await lsp.codeActions(uri, d.range, [d]);
      const action = actions.find((a) => title.test(a.title));
      assert.ok(action, `a fix matching ${title} among ${actions.map((a) => a.title).join(' | ')}`);
      assert.equal(action.kind, 'quickfix');
      assert.equal(action.diagnostics?.[0].code, code);
      await lsp.applyEdits(uri, action.edit!.changes![uri]);
    };
    await fixAt('unknown-command', /^Change to 'stabilize'$/);
    await fixAt('unknown-id', /^Insert 'joinClient 7 0' before this line$/);
    await fixAt('kill-unknown', /^Insert 'joinServer 3' before this line$/);
    await fixAt('not-linked', /^Delete this line$/);
    await fixAt('kill-dead', /^Delete this line$/);
    await fixAt('id-kind-conflict', /^Use the unused id 1$/);
    await fixAt('key-colon', /^Replace ':' with '_' in the key$/);
    assert.equal(lsp.text(uri), [
      'joinServer 0', 'joinClient 5 0', 'stabilize', 'joinClient 7 0', 'put 7 k v', 'joinServer 3', 'killServer 3',
      'breakConnection 5 0', 'killServer 0', 'get 5 k', 'joinServer 1', 'put 5 a_b c', '',
    ].join('\n'));
    const left = await lsp.diagnostics(uri);
    assert.deepEqual(left.map((d) => d.code), ['no-server', 'no-server']);
    // Relinking the client is offered for no-server when a live server exists (not yet at the get).
    assert.deepEqual(await lsp.codeActions(uri, left[0].range, [left[0]]), []);
    const actions = await lsp.codeActions(uri, left[1].range, [left[1]]);
    assert.deepEqual(actions.map((a) => a.title), ["Insert 'createConnection 5 1' before this line"]);
    await lsp.applyEdits(uri, actions[0].edit!.changes![uri]);
    assert.match(lsp.text(uri), /joinServer 1\ncreateConnection 5 1\nput 5 a_b c\n/);
    assert.deepEqual((await lsp.diagnostics(uri)).map((d) => d.code), ['no-server']);
    await lsp.close(uri);
  });

  describe('completion', () => {
    const uri = uriOf('complete.kvcmd');
    const base = fixture('cluster.kvcmd');
    const lastLine = base.split('\n').length - 1;
    let n = 0;
    const at = async (partial: string): Promise<CompletionItem[]> => {
      await lsp.edit(uri, { start: { line: lastLine, character: 0 }, end: { line: lastLine, character: n } }, partial);
      n = partial.length;
      const list = await lsp.completion(uri, { line: lastLine, character: partial.length });
      return list.items;
    };
    const labels = (items: CompletionItem[]): string[] => items.map((i) => i.label);
    before(async () => { await lsp.open(uri, base); });
    after(async () => { await lsp.close(uri); });

    it('offers every command with a snippet and docs at the start of a line', async () => {
      const items = await at('');
      assert.deepEqual(labels(items), ['joinServer', 'killServer', 'joinClient', 'breakConnection', 'createConnection',
        'stabilize', 'printStore', 'put', 'get', 'sleep', 'delay', 'drop', 'duplicate', 'heal', 'pauseServer']);
      const put = items.find((i) => i.label === 'put')!;
      assert.equal(put.insertTextFormat, InsertTextFormat.Snippet);
      assert.equal((put.textEdit as TextEdit).newText, 'put ${1|10,11|} ${2:key} ${3:value}');
      assert.match((put.documentation as { value: string }).value, /A client writes a value under a key/);
      const partial = await at('kil');
      assert.deepEqual((partial.find((i) => i.label === 'killServer')!.textEdit as TextEdit).range,
        { start: { line: lastLine, character: 0 }, end: { line: lastLine, character: 3 } });
    });

    it('offers live servers for killServer and printStore, labelled with their join line', async () => {
      const kill = await at('killServer ');
      assert.deepEqual(labels(kill), ['0', '1']);
      assert.equal(kill[0].labelDetails?.detail, ' server');
      assert.match(kill[0].labelDetails?.description ?? '', /joined on line 3/);
      assert.deepEqual(labels(await at('printStore ')), ['0', '1']);
      assert.deepEqual(labels(await at('joinClient 12 ')), ['0', '1']);
    });

    it('offers clients for put and get, and keys already written for get', async () => {
      const put = await at('put ');
      assert.deepEqual(labels(put), ['10', '11']);
      assert.match(put[1].labelDetails?.description ?? '', /joined on line 7, linked to server 1/);
      const keys = await at('get 10 ');
      assert.deepEqual(labels(keys), ['color', 'size']);
      assert.match(keys[0].detail ?? '', /line 8 by client 10/);
    });

    it('offers a fresh id for joins, and dead servers to rejoin', async () => {
      const js = await at('joinServer ');
      assert.deepEqual(labels(js), ['3', '2']);
      assert.equal(js[0].labelDetails?.detail, ' new id');
      assert.match(js[1].labelDetails?.description ?? '', /killed on line 12/);
      assert.deepEqual(labels(await at('joinClient ')), ['3']);
    });

    it('offers linked peers for breakConnection and unlinked ones for createConnection', async () => {
      // At the end: 0-1 restored, 2 dead, client 10 on 0, client 11 on 1.
      assert.deepEqual(labels(await at('breakConnection 0 ')), ['1', '10']);
      assert.deepEqual(labels(await at('createConnection 11 ')), ['0']);
      assert.deepEqual(labels(await at('createConnection 0 ')), ['11']);
      assert.deepEqual(labels(await at('breakConnection ')), ['0', '1', '10', '11']);
      assert.deepEqual(labels(await at('sleep ')), []);
      assert.deepEqual(labels(await at('get 10 size # ')), []);
    });
  });

  describe('hover, run results, navigation', () => {
    const uri = uriOf('cluster.kvcmd');
    const text = fixture('cluster.kvcmd');
    before(async () => {
      await lsp.open(uri, text);
      await lsp.diagnostics(uri, 1);
    });
    after(async () => { await lsp.close(uri); });

    it('shows the command doc and what an id is at that line', async () => {
      assert.match((await lsp.hover(uri, find(text, 'breakConnection')))!, /Cut the link between a client and a server/);
      const kill = (await lsp.hover(uri, find(text, 'killServer 2', 11)))!;
      assert.match(kill, /`<server>` of `killServer`: The id of a server joined earlier/);
      assert.match(kill, /\*\*server 2\*\*, joined on line 5, alive; linked to servers 0, 1/);
      const cut = (await lsp.hover(uri, find(text, 'get 11 color', 4)))!;
      assert.match(cut, /\*\*client 11\*\*, joined on line 7 \(to server 1\); linked here to server 1/);
      const printed = (await lsp.hover(uri, find(text, 'printStore 0', 11)))!;
      assert.match(printed, /server 0\*\*, joined on line 3, alive; linked to no other server; client 10; cut from server 1/);
      assert.equal(await lsp.hover(uri, { line: 0, character: 3 }), undefined, 'nothing on a comment');
    });

    it('shows pushed run results per line, and says when they are stale', async () => {
      const events: ClusterEvent[] = [
        { type: 'put', line: 8, step: 0, client: 10, key: 'color', value: 'red', server: 0, stamp: { counter: 3, server: 0 }, counter: 4 },
        { type: 'get', line: 11, step: 0, client: 11, key: 'color', server: 1, result: { kind: 'ERR_KEY' }, depBefore: null, depAfter: null, counter: 7 },
        { type: 'storePrinted', line: 13, step: 0, server: 0, entries: [{ key: 'color', value: 'red', stamp: { counter: 3, server: 0 } }] },
        { type: 'stabilizeGroup', line: 14, step: 0, epoch: 1, root: 0, members: [0, 1] },
        { type: 'get', line: 16, step: 0, client: 10, key: 'size', server: 0, result: { kind: 'value', value: 'big', stamp: { counter: 5, server: 1 } },
          depBefore: null, depAfter: { counter: 5, server: 1 }, counter: 12 },
      ];
      const params: RunResultsParams = { uri, version: lsp.version(uri), seed: 42, gossip: 'settled', finishedAt: '2026-01-02T03:04:05.000Z', events };
      await lsp.connection.sendNotification(RunResultsNotification, params);
      const put = (await lsp.hover(uri, find(text, 'put 10 color')))!;
      assert.match(put, /A client writes a value under a key/, 'the command doc still shows');
      assert.match(put, /got stamp \*\*\(3,0\)\*\* \(counter 3, server 0\), applied by server 0/);
      assert.match(put, /seed 42, gossip settled/);
      assert.doesNotMatch(put, /stale/);
      assert.match((await lsp.hover(uri, find(text, 'get 11 color')))!, /`color:ERR_KEY`.*answered by server 1/);
      const store = (await lsp.hover(uri, find(text, 'printStore 0')))!;
      assert.match(store, /store of server 0\*\* \(1 entry\)/);
      assert.match(store, /\| `color` \| `red` \| \(3,0\) \|/);
      assert.match((await lsp.hover(uri, find(text, 'stabilize')))!, /group rooted at server 0: servers 0, 1/);
      const get = (await lsp.hover(uri, find(text, 'get 10 size', 5)))!;
      assert.match(get, /returned `size:big` with stamp \(5,1\), answered by server 0; dependency on `size` before none, after \(5,1\)/);

      // Insert a line above: the results are stale but still found on their (moved) line.
      const v = await lsp.edit(uri, { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, 'sleep 5\n');
      await lsp.diagnostics(uri, v);
      const moved = (await lsp.hover(uri, { line: 8, character: 1 }))!;
      assert.match(moved, /results are stale: the file changed since the run at 2026-01-02T03:04:05.000Z/);
      assert.match(moved, /got stamp \*\*\(3,0\)\*\*/);
      await lsp.edit(uri, { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } }, '');
    });

    it('goes to the join line, finds references and highlights', async () => {
      const use = find(text, 'get 11 color', 4);
      const def = await lsp.definition(uri, use);
      assert.deepEqual(def, { uri, range: { start: { line: 6, character: 11 }, end: { line: 6, character: 13 } } });
      const refs = await lsp.references(uri, use, true);
      assert.deepEqual(refs.map((r) => r.range.start.line), [6, 8, 10]);
      assert.deepEqual((await lsp.references(uri, use, false)).map((r) => r.range.start.line), [8, 10]);
    });

    it('lists the topology as document symbols', async () => {
      const symbols = await lsp.symbols(uri);
      assert.deepEqual(symbols.map((s) => s.name), ['server 0', 'server 1', 'server 2', 'client 10', 'client 11']);
      const s2 = symbols[2];
      assert.equal(s2.kind, SymbolKind.Class);
      assert.match(s2.detail ?? '', /joined on line 5, killed on line 12/);
      assert.deepEqual(s2.children?.map((c) => c.name), ['killed']);
      const s0 = symbols[0];
      assert.deepEqual(s0.children?.map((c) => c.name), ['client 10 joined', 'cut 1', 'linked 1']);
      assert.match(s0.detail ?? '', /at the end linked to 1, 10/);
      assert.equal(symbols[3].kind, SymbolKind.Variable);
      assert.match(symbols[3].detail ?? '', /joined on line 6 to server 0; at the end linked to server 0/);
    });

    it('gives every symbol the range of its own line, not the rest of the file', async () => {
      const symbols = await lsp.symbols(uri);
      const lines = text.split('\n');
      const all: string[] = [];
      const walk = (ss: typeof symbols, depth: string): void => {
        for (const s of ss) {
          all.push(`${depth}${s.name}@${s.range.start.line + 1}`);
          assert.equal(s.range.start.line, s.range.end.line, `${s.name} spans one line`);
          assert.deepEqual(s.range, { start: { line: s.range.start.line, character: 0 }, end: { line: s.range.start.line, character: lines[s.range.start.line].length } });
          assert.equal(s.selectionRange.start.line, s.range.start.line);
          walk(s.children ?? [], `${depth}  `);
        }
      };
      walk(symbols, '');
      assert.deepEqual(all, [
        'server 0@3', '  client 10 joined@6', '  cut 1@10', '  linked 1@15',
        'server 1@4', '  client 11 joined@7', '  cut 0@10', '  linked 0@15',
        'server 2@5', '  killed@12',
        'client 10@6', 'client 11@7',
      ]);
    });

    it('colours servers and clients differently with semantic tokens', async () => {
      const tokens = (await lsp.semanticTokens(uri))!.data;
      const decoded: string[] = [];
      let line = 0;
      let ch = 0;
      for (let i = 0; i < tokens.length; i += 5) {
        line += tokens[i];
        ch = tokens[i] === 0 ? ch + tokens[i + 1] : tokens[i + 1];
        const word = text.split('\n')[line].slice(ch, ch + tokens[i + 2]);
        const mods = tokens[i + 4] ? '+decl' : '';
        decoded.push(`${line}:${word}:${LEGEND.tokenTypes[tokens[i + 3]]}${mods}`);
      }
      assert.equal(decoded[0], '0:# Three servers, two clients, a partition and a kill.:comment');
      assert.ok(decoded.includes('5:joinClient:keyword'));
      assert.ok(decoded.includes('5:10:variable+decl'));
      assert.ok(decoded.includes('5:0:class'));
      assert.ok(decoded.includes('7:color:property'));
      assert.ok(decoded.includes('7:red:string'));
      assert.ok(decoded.includes('9:0:class') && decoded.includes('9:1:class'));
    });

    it('folds comment blocks', async () => {
      assert.deepEqual(await lsp.folding(uri), [{ startLine: 0, endLine: 1, kind: 'comment' }]);
    });

    it('renames an id everywhere, and refuses an id already in use', async () => {
      const pos = find(text, 'put 10', 4);
      assert.deepEqual(await lsp.prepareRename(uri, pos), { range: { start: pos, end: { line: pos.line, character: 6 } }, placeholder: '10' });
      assert.equal(await lsp.prepareRename(uri, find(text, 'color')), null);
      const edit = (await lsp.rename(uri, pos, '20'))!;
      const renamed = applyTextEdits(lsp.text(uri), edit.changes![uri]);
      assert.match(renamed, /joinClient 20 0\n/);
      assert.match(renamed, /put 20 color red\n/);
      assert.match(renamed, /get 20 size\n/);
      assert.equal(renamed.replace(/\b20\b/g, '10'), lsp.text(uri));
      await assert.rejects(lsp.rename(uri, pos, '1'), /id 1 is already used/);
      await assert.rejects(lsp.rename(uri, pos, 'x'), /not a valid id/);
    });

    it('answers the memory request', async () => {
      const m = await lsp.connection.sendRequest(MemoryRequest);
      assert.ok(m.rss > 10_000_000 && m.heapUsed > 0, JSON.stringify(m));
    });
  });

  it('formats with one space between tokens and keeps comments', async () => {
    const uri = uriOf('messy.kvcmd');
    const text = fixture('messy.kvcmd');
    await lsp.open(uri, text);
    const edits = (await lsp.formatting(uri))!;
    assert.equal(applyTextEdits(text, edits), [
      '# header one', '# header two', 'joinServer 0 # first server', 'joinClient 1 0', 'put 1 k v', '', '# a lone comment', 'get 1 k', '',
    ].join('\n'));
    assert.equal(edits.length, 4, 'only lines that change are edited');
    await lsp.close(uri);
  });

  it('offers one Run lens on the first line and none on the command lines', async () => {
    const uri = uriOf('lenses.kvcmd');
    await lsp.open(uri, '# a script\njoinServer 0\n\njoinClient 1 0   # client\nput 1 k v\n');
    const lenses = await lsp.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
    assert.deepEqual(lenses?.map((l) => `${l.range.start.line} ${l.command?.title} ${l.command?.command} ${JSON.stringify(l.command?.arguments)}`), [
      `0 $(play) Run kvcmd.run ${JSON.stringify([uri])}`,
    ]);
    await lsp.close(uri);
  });

  it('shows failures, clears results on request, and highlights an id', async () => {
    const uri = uriOf('failures.kvcmd');
    const text = 'joinServer 0\njoinClient 5 0\nkillServer 0\nput 5 k v\nget 5 k\n';
    await lsp.open(uri, text, 3);
    await lsp.connection.sendNotification(RunResultsNotification, {
      uri, version: 3, seed: 9, gossip: 'off', finishedAt: '2026-01-01T00:00:00.000Z', events: [
        { type: 'nodeKilled', line: 3, step: 0, id: 0 },
        { type: 'failed', line: 4, step: 0, client: 5, op: 'put', key: 'k', reason: 'client 5 has no reachable server' },
        { type: 'failed', line: 5, step: 0, client: 5, op: 'get', key: 'k', reason: 'client 5 has no reachable server' },
      ],
    });
    const put = (await lsp.hover(uri, { line: 3, character: 0 }))!;
    assert.match(put, /\*\*put failed\*\* \(client 5, key `k`\): client 5 has no reachable server/);
    assert.match((await lsp.hover(uri, { line: 2, character: 0 }))!, /server 0 killed/);
    const client = (await lsp.hover(uri, { line: 4, character: 4 }))!;
    assert.match(client, /no link to a live server here \(server 0 was killed on line 3\): put and get fail/);
    await lsp.connection.sendNotification(ClearRunResultsNotification, { uri });
    assert.doesNotMatch((await lsp.hover(uri, { line: 3, character: 0 }))!, /Last run/);
    const hl = await lsp.connection.sendRequest(DocumentHighlightRequest.type, { textDocument: { uri }, position: { line: 3, character: 4 } });
    assert.deepEqual(hl?.map((h) => `${h.range.start.line}:${h.kind}`), ['1:3', '3:2', '4:2']);
    const ranged = await lsp.connection.sendRequest(SemanticTokensRangeRequest.type, {
      textDocument: { uri }, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 20 } },
    });
    // joinClient (keyword), 5 (client, declaration), 0 (server), relative to line 1.
    assert.deepEqual(ranged?.data, [1, 0, 10, 0, 0, 0, 11, 1, 2, 1, 0, 2, 1, 1, 0]);
    assert.deepEqual((await lsp.diagnostics(uri, 3)).map((d) => `${d.range.start.line} ${d.code}`), ['3 no-server', '4 no-server']);
    await lsp.close(uri);
    // Closing a document clears its diagnostics (published without a version).
    for (let i = 0; i < 100 && lsp.latest.get(uri)?.version !== undefined; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(lsp.latest.get(uri), { uri, diagnostics: [] });
  });

  it('shows the results of a real (model) run on hover', async () => {
    const uri = uriOf('model-run.kvcmd');
    const text = fixture('cluster.kvcmd');
    await lsp.open(uri, text, 7);
    const events: ClusterEvent[] = [];
    const result = await runCommands(analyze(text).commands, { seed: 1, gossip: 'settled', backend: 'model' }, (e) => events.push(e));
    assert.ok(result.ok, result.error);
    await lsp.connection.sendNotification(RunResultsNotification, {
      uri, version: 7, seed: 1, gossip: 'settled', finishedAt: new Date().toISOString(), events, snapshot: result.snapshot,
    });
    assert.match((await lsp.hover(uri, find(text, 'put 10 color')))!, /got stamp \*\*\(\d+,0\)\*\*.*applied by server 0/);
    assert.match((await lsp.hover(uri, find(text, 'printStore 0')))!, /store of server 0\*\*/);
    assert.match((await lsp.hover(uri, find(text, 'get 11 color')))!, /\*\*get\*\* by client 11: returned `color:/);
    await lsp.close(uri);
  });
});

describe('kvcmd lsp --stdio', () => {
  it('serves the same language server from the CLI and exits cleanly', async () => {
    const lsp = await LspClient.start('cli');
    const pid = lsp.child.pid!;
    try {
      const uri = uriOf('cli.kvcmd');
      await lsp.open(uri, 'joinServer 0\nput 1 k v\n');
      const diags = await lsp.diagnostics(uri, 1);
      assert.deepEqual(diags.map((d) => d.code), ['unknown-id']);
      const items = (await lsp.completion(uri, { line: 2, character: 0 })).items;
      // What can be valid after one server (lsp/README.md): no client yet, no link to cut or make.
      assert.deepEqual(items.map((i) => i.label), ['joinServer', 'killServer', 'joinClient', 'stabilize', 'printStore', 'sleep', 'pauseServer']);
    } finally {
      assert.equal(await lsp.stop(), 0);
    }
    assert.equal(alive(pid), false);
  });

  it('exits when its client goes away without shutting it down', async () => {
    const lsp = await LspClient.start('cli');
    const pid = lsp.child.pid!;
    const exited = new Promise<number | null>((resolve) => lsp.child.on('exit', (code) => resolve(code)));
    lsp.child.stdin!.end();
    assert.equal(await exited, 1, 'exit status 1 without a shutdown request, as LSP says');
    await lsp.stop();
    assert.equal(alive(pid), false);
  });
});

after(async () => { await LspClient.stopAll(); });
