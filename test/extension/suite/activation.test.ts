import * as assert from 'node:assert/strict';
import { EXTENSION_ID, screenshot, suite, test, vscode, waitFor } from './host';
import type { KvcmdApi } from '../../../extension/extension';

suite('activation', () => {
  test('the kvcmd extension is installed in the extension host', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} not found`);
    assert.equal(ext.packageJSON.name, 'kvcmd');
  });

  test('opening a .kvcmd file of the workspace activates it with language kvcmd', async () => {
    const [uri] = await vscode.workspace.findFiles('**/*.kvcmd', '**/node_modules/**', 1);
    assert.ok(uri, 'the test workspace has no .kvcmd file');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'kvcmd');
    const ext = vscode.extensions.getExtension<KvcmdApi>(EXTENSION_ID)!;
    await waitFor('activation', () => ext.isActive);
    assert.equal(ext.isActive, true);
    const api = await ext.activate();
    assert.ok(api.nodeMainPath.endsWith('nodeMain.js'));
    await screenshot('activation-editor');
  });

  test('before any run the cluster view shows its welcome content', async () => {
    const api = await vscode.extensions.getExtension<KvcmdApi>(EXTENSION_ID)!.activate();
    // An empty tree is what makes VS Code show the viewsWelcome content with its Run button.
    if (api.clusterTree.current) return;
    assert.deepEqual(api.clusterTree.getChildren(), []);
    await vscode.commands.executeCommand('workbench.view.extension.kvcmd');
    await screenshot('cluster-welcome');
  });

  test('an untitled document can be switched to kvcmd', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'kvcmd', content: 'joinServer 0\n' });
    assert.equal(doc.languageId, 'kvcmd');
  });

  test('the language client runs when a server is bundled', async function () {
    const ext = vscode.extensions.getExtension<KvcmdApi>(EXTENSION_ID)!;
    const api = await ext.activate();
    const bundled = (await vscode.workspace.fs.stat(vscode.Uri.joinPath(ext.extensionUri, 'dist/languageServer.js')).then(() => true, () => false));
    if (!bundled) return this.skip();
    await waitFor('language client running', () => api.languageClient?.isRunning());
  });
});
