// What the language server (server/, bundled to dist/languageServer.js) gives the editor, seen through
// VS Code's own API: diagnostics with the language library's codes, and id completion.
import * as assert from 'node:assert/strict';
import type * as VSCode from 'vscode';
import { fixture, kvcmdApi, suite, test, vscode, waitFor } from './host';

function codeOf(d: VSCode.Diagnostic): string | undefined {
  const c = d.code;
  return c === undefined ? undefined : typeof c === 'object' ? String(c.value) : String(c);
}

const labelOf = (i: VSCode.CompletionItem) => (typeof i.label === 'string' ? i.label : i.label.label);

suite('language server', () => {
  test('a broken file gets diagnostics with the library\'s codes on the right lines', async () => {
    await kvcmdApi();
    const uri = fixture('broken.kvcmd');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const diags = await waitFor('diagnostics for broken.kvcmd', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length >= 2 ? d : undefined;
    }, 15_000);
    const unknown = diags.find((d) => codeOf(d) === 'unknown-command');
    assert.ok(unknown, `no unknown-command in ${JSON.stringify(diags.map(codeOf))}`);
    assert.equal(unknown.range.start.line, 2);
    assert.equal(unknown.severity, vscode.DiagnosticSeverity.Error);
    assert.match(unknown.message, /stabilize/, 'the message names the intended command');
    const unknownId = diags.find((d) => codeOf(d) === 'unknown-id');
    assert.ok(unknownId, `no unknown-id in ${JSON.stringify(diags.map(codeOf))}`);
    assert.equal(unknownId.range.start.line, 3);
  });

  test('completion at a put\'s client argument offers the clients, not the servers', async () => {
    await kvcmdApi();
    const doc = await vscode.workspace.openTextDocument({ language: 'kvcmd', content: 'joinServer 0\njoinServer 1\njoinClient 5 0\njoinClient 6 1\nput ' });
    await vscode.window.showTextDocument(doc);
    const ids = await waitFor('id completions', async () => {
      const list = await vscode.commands.executeCommand<VSCode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(4, 4));
      const numeric = list.items.map(labelOf).filter((l) => /^[0-9]+$/.test(l));
      return numeric.length ? numeric : undefined;
    }, 15_000);
    assert.deepEqual([...ids].sort(), ['5', '6']);
  });

  test('the quick fix for a misspelt command, applied in the editor, clears its error', async () => {
    await kvcmdApi();
    const doc = await vscode.workspace.openTextDocument({ language: 'kvcmd', content: 'joinServer 0\nstablize\n' });
    await vscode.window.showTextDocument(doc);
    const diag = await waitFor('the unknown-command diagnostic', () =>
      vscode.languages.getDiagnostics(doc.uri).find((d) => codeOf(d) === 'unknown-command'), 15_000);
    const actions = await vscode.commands.executeCommand<VSCode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range);
    const fix = actions.find((a) => a.edit && /stabilize/.test(a.title));
    assert.ok(fix?.edit, `no fix among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(doc.getText(), 'joinServer 0\nstabilize\n');
    await waitFor('no diagnostics left', () => (vscode.languages.getDiagnostics(doc.uri).length === 0 ? true : undefined), 15_000);
  });

  test('rename of a server id changes its join and every use', async () => {
    await kvcmdApi();
    const doc = await vscode.workspace.openTextDocument({ language: 'kvcmd', content: 'joinServer 0\njoinClient 5 0\nprintStore 0\n' });
    await vscode.window.showTextDocument(doc);
    const edit = await waitFor('a rename edit', async () =>
      vscode.commands.executeCommand<VSCode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', doc.uri, new vscode.Position(2, 11), '7'), 15_000);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(doc.getText(), 'joinServer 7\njoinClient 5 7\nprintStore 7\n');
  });
});
