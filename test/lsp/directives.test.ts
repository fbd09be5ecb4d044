// The `# kvcmd: protocol=` header in the editor: completion of the key and of the names, a hover
// that says what the protocol means, and the prediction running with the script's protocol.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TextEdit } from 'vscode-languageserver-protocol';
import { LspClient } from './lspClient';

describe('protocol directives in the editor', () => {
  let lsp: LspClient;
  before(async () => { lsp = await LspClient.start('server', { settings: { kvcmd: { predict: true } } }); });
  after(async () => { assert.equal(await lsp.stop(), 0); });

  it('completes the key after "# kvcmd:" and the protocol names after "protocol="', async () => {
    const uri = 'file:///work/directive.kvcmd';
    await lsp.open(uri, '# kvcmd: \n# kvcmd: protocol=v\njoinServer 0\n# a note\n');
    const keys = (await lsp.completion(uri, { line: 0, character: 9 })).items;
    assert.deepEqual(keys.map((i) => (i.textEdit as TextEdit).newText), ['protocol=']);
    const names = (await lsp.completion(uri, { line: 1, character: 19 })).items;
    assert.deepEqual(names.map((i) => i.label), ['lamport', 'lamport-low', 'vector']);
    assert.deepEqual((names[2].textEdit as TextEdit).range, { start: { line: 1, character: 18 }, end: { line: 1, character: 19 } });
    assert.deepEqual((await lsp.completion(uri, { line: 3, character: 8 })).items, [], 'a plain comment completes nothing');
    await lsp.close(uri);
  });

  it('a hover on the directive explains the protocol it chooses', async () => {
    const uri = 'file:///work/directive-hover.kvcmd';
    await lsp.open(uri, '# kvcmd: protocol=vector\njoinServer 0\n');
    const text = await lsp.hover(uri, { line: 0, character: 20 });
    assert.match(text ?? '', /\*\*protocol vector\*\*: Vector clocks/);
    assert.match(text ?? '', /--protocol/);
    await lsp.close(uri);
  });

  it('the prediction runs with the script\'s protocol and writes stamps in its form', async () => {
    const body = '\njoinServer 0\njoinServer 1\njoinClient 5 0\nput 5 k a\nget 5 k\n';
    const vec = 'file:///work/vector.kvcmd', lam = 'file:///work/lamport.kvcmd';
    await lsp.open(vec, `# kvcmd: protocol=vector${body}`);
    await lsp.open(lam, `# plain${body}`);
    assert.equal((await lsp.prediction(vec))?.state, 'done');
    assert.equal((await lsp.prediction(lam))?.state, 'done');
    const vHover = await lsp.hover(vec, { line: 5, character: 1 });
    const lHover = await lsp.hover(lam, { line: 5, character: 1 });
    assert.match(vHover ?? '', /\{0:1\}/, vHover);
    assert.doesNotMatch(vHover ?? '', /\(\d+,0\)/);
    assert.match(lHover ?? '', /\(\d+,0\)/, lHover);
    await lsp.close(vec);
    await lsp.close(lam);
  });
});
