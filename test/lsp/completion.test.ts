// Completion of command names: only what can be valid at the line, with snippets whose default
// ids are valid there (a fresh id for joins, live servers and clients as choices).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CompletionItem, TextEdit } from 'vscode-languageserver-protocol';
import { analyze } from '../../language/index';
import { LspClient, ROOT } from './lspClient';

/** The text a snippet inserts when every placeholder keeps its default (a choice: its first value). */
export function expandDefaults(snippet: string): string {
  return snippet
    .replace(/\$\{\d+\|((?:\\.|[^,|\\])*)(?:,(?:\\.|[^|\\])*)*\|\}/g, (_, first: string) => first.replace(/\\(.)/g, '$1'))
    .replace(/\$\{\d+:((?:\\.|[^}\\])*)\}/g, (_, text: string) => text.replace(/\\(.)/g, '$1'))
    .replace(/\$\d+/g, '');
}

const newText = (i: CompletionItem): string => (i.textEdit as TextEdit).newText;

describe('completion of commands', () => {
  let lsp: LspClient;
  before(async () => { lsp = await LspClient.start('server', { settings: { kvcmd: { predict: false } } }); });
  after(async () => { assert.equal(await lsp.stop(), 0); });

  it('expands snippet defaults as an editor does', () => {
    assert.equal(expandDefaults('joinClient ${1:3} ${2|0,1|}'), 'joinClient 3 0');
    assert.equal(expandDefaults('get ${1|5,6|} ${2|a\\,b,c|}'), 'get 5 a,b');
  });

  it('offers in an empty file only what can be valid there: joinServer with a fresh id, and sleep', async () => {
    const uri = 'file:///work/empty.kvcmd';
    await lsp.open(uri, '');
    const items = (await lsp.completion(uri, { line: 0, character: 0 })).items;
    assert.deepEqual(items.map((i) => `${i.label}: ${newText(i)}`), ['joinServer: joinServer ${1:0}', 'sleep: sleep ${1:100}']);
    // A prefix does not bring back what cannot be valid: `p` offers no put or printStore yet.
    await lsp.edit(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, 'p');
    assert.deepEqual((await lsp.completion(uri, { line: 0, character: 1 })).items.map((i) => i.label), ['joinServer', 'sleep']);
    await lsp.close(uri);
  });

  it('offers commands as the cluster grows, with ids valid at the line', async () => {
    const uri = 'file:///work/grow.kvcmd';
    const at = async (text: string): Promise<string[]> => {
      await lsp.open(uri, text);
      const line = text.split('\n').length - 1;
      const items = (await lsp.completion(uri, { line, character: 0 })).items;
      await lsp.close(uri);
      return items.map((i) => newText(i));
    };
    assert.deepEqual(await at('joinServer 0\n'), [
      'joinServer ${1:1}', 'killServer ${1:0}', 'joinClient ${1:1} ${2:0}', 'stabilize', 'printStore ${1:0}', 'sleep ${1:100}', 'pauseServer ${1:0}',
    ]);
    // Faults once a message can go from one node to another; * first.
    assert.deepEqual(await at('joinServer 0\njoinServer 1\njoinClient 2 0\nput 2 k v\nkillServer 1\n'), [
      'joinServer ${1|3,1|}', 'killServer ${1:0}', 'joinClient ${1:3} ${2:0}', 'breakConnection ${1:2} ${2:0}',
      'stabilize', 'printStore ${1:0}', 'put ${1:2} ${2:key} ${3:value}', 'get ${1:2} ${2:k}', 'sleep ${1:100}',
      'delay ${1|*,0,2|} ${2|*,0,2|} ${3:100}', 'drop ${1|*,0,2|} ${2|*,0,2|} ${3:0.5}', 'duplicate ${1|*,0,2|} ${2|*,0,2|} ${3:0.5}',
      'heal ${1|*,0,2|} ${2|*,0,2|}', 'pauseServer ${1:0}',
    ]);
    assert.deepEqual(await at('joinServer 0\njoinServer 1\njoinClient 2 0\n'), [
      'joinServer ${1:3}', 'killServer ${1|0,1|}', 'joinClient ${1:3} ${2|0,1|}', 'breakConnection ${1:2} ${2:0}',
      'createConnection ${1:2} ${2:1}', 'stabilize', 'printStore ${1|0,1|}', 'put ${1:2} ${2:key} ${3:value}', 'get ${1:2} ${2:key}', 'sleep ${1:100}',
      'delay ${1|*,0,1,2|} ${2|*,0,1,2|} ${3:100}', 'drop ${1|*,0,1,2|} ${2|*,0,1,2|} ${3:0.5}', 'duplicate ${1|*,0,1,2|} ${2|*,0,1,2|} ${3:0.5}',
      'heal ${1|*,0,1,2|} ${2|*,0,1,2|}', 'pauseServer ${1|0,1|}',
    ]);
    // A paused server: resumeServer offers it, printStore the others; stabilize and a second pause are gone.
    assert.deepEqual((await at('joinServer 0\njoinServer 1\npauseServer 1\n')).filter((t) => /^(pauseServer|resumeServer|printStore|stabilize)/.test(t)), [
      'printStore ${1:0}', 'resumeServer ${1:1}',
    ]);
  });

  it('every command offered on any line of a script, inserted with its defaults, is a line without error', async () => {
    const base = fs.readFileSync(path.join(ROOT, 'test/fixtures/lsp/cluster.kvcmd'), 'utf8').replace(/\n$/, '');
    const lines = base.split('\n');
    const uri = 'file:///work/every-line.kvcmd';
    let offered = 0;
    for (let L = 0; L <= lines.length; L++) {
      const text = [...lines.slice(0, L), '', ...lines.slice(L)].join('\n');
      await lsp.open(uri, text);
      const items = (await lsp.completion(uri, { line: L, character: 0 })).items;
      await lsp.close(uri);
      assert.ok(items.some((i) => i.label === 'joinServer'));
      for (const item of items) {
        const line = expandDefaults(newText(item));
        const errors = analyze([...lines.slice(0, L), line, ...lines.slice(L)].join('\n')).diagnostics
          .filter((d) => d.severity === 'error' && d.range.start.line === L);
        assert.deepEqual(errors.map((d) => d.message), [], `line ${L + 1}: ${line}`);
        offered++;
      }
    }
    assert.ok(offered > 100, `${offered} snippets checked`);
  });

  it('the ends of a fault: * for every node first, then the servers and clients; pauseServer a running server, resumeServer a paused one', async () => {
    const uri = 'file:///work/faults.kvcmd';
    await lsp.open(uri, 'joinServer 0\njoinServer 1\njoinClient 5 0\npauseServer 1\ndrop \nresumeServer \npauseServer \n');
    const labelsAt = async (line: number, character: number): Promise<string[]> => (await lsp.completion(uri, { line, character })).items.map((i) => i.label);
    assert.deepEqual(await labelsAt(4, 5), ['*', '0', '1', '5']);
    assert.deepEqual(await labelsAt(5, 13), ['1']);
    assert.deepEqual(await labelsAt(6, 12), ['0']);
    await lsp.close(uri);
  });

  it('inside an argument that holds a word, not an id, still lists the ids (matching on that word)', async () => {
    const uri = 'file:///work/word.kvcmd';
    await lsp.open(uri, 'joinServer 0\njoinServer server\njoinClient client 0\n');
    const inServer = (await lsp.completion(uri, { line: 1, character: 14 })).items;
    assert.deepEqual(inServer.map((i) => `${i.label} ${i.filterText}`), ['1 server1']);
    assert.deepEqual((inServer[0].textEdit as TextEdit).range, { start: { line: 1, character: 11 }, end: { line: 1, character: 17 } });
    const inClient = (await lsp.completion(uri, { line: 2, character: 13 })).items;
    assert.deepEqual(inClient.map((i) => i.label), ['1']);
    await lsp.close(uri);
  });
});
