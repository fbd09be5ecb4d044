// The kvcmd debugger in VS Code: debug type `kvcmd`, run in the extension host by debug/adapter.ts
// (vscode.DebugAdapterInlineImplementation). F5 on a .kvcmd file works without a launch.json: the
// configuration provider fills in the active file. `onDidChangeDebugRecord` tells whoever follows
// a debug session (the Cluster view, a message diagram) the record so far and the line stopped at.
import * as vscode from 'vscode';
import { KvcmdDebugAdapter, type DebugRecord } from '../debug/adapter';

export const DEBUG_TYPE = 'kvcmd';

export interface KvcmdDebugRecord extends DebugRecord {
  session: vscode.DebugSession;
  uri: vscode.Uri;
}

class InlineAdapter implements vscode.DebugAdapter {
  private readonly sent = new vscode.EventEmitter<vscode.DebugProtocolMessage>();
  readonly onDidSendMessage = this.sent.event;
  private readonly adapter: KvcmdDebugAdapter;

  constructor(nodeMainPath: string, onRecord: (r: DebugRecord) => void) {
    this.adapter = new KvcmdDebugAdapter((m) => this.sent.fire(m as vscode.DebugProtocolMessage), { process: { entry: nodeMainPath }, onRecord });
  }

  handleMessage(message: vscode.DebugProtocolMessage): void {
    this.adapter.handle(message as Parameters<KvcmdDebugAdapter['handle']>[0]);
  }

  dispose(): void {
    void this.adapter.dispose();
    this.sent.dispose();
  }
}

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    const editor = vscode.window.activeTextEditor;
    const active = editor?.document.languageId === 'kvcmd' ? editor.document : undefined;
    if (!config.type && !config.request && !config.name) {
      // F5 with no launch.json: debug the active file.
      if (!active) {
        void vscode.window.showInformationMessage('kvcmd: open a .kvcmd file to debug it.');
        return undefined;
      }
      config = { type: DEBUG_TYPE, request: 'launch', name: `Debug ${vscode.workspace.asRelativePath(active.uri)}` };
    }
    if (!config.program) {
      if (!active) {
        void vscode.window.showInformationMessage('kvcmd: no "program" in the configuration and no .kvcmd file open.');
        return undefined;
      }
      config.program = active.uri.fsPath;
    }
    return config;
  }
}

export function registerDebugger(nodeMainPath: string): { disposable: vscode.Disposable; onDidChangeDebugRecord: vscode.Event<KvcmdDebugRecord> } {
  const changed = new vscode.EventEmitter<KvcmdDebugRecord>();
  const factory: vscode.DebugAdapterDescriptorFactory = {
    createDebugAdapterDescriptor(session) {
      const onRecord = (r: DebugRecord): void => changed.fire({ ...r, session, uri: vscode.Uri.file(r.program) });
      return new vscode.DebugAdapterInlineImplementation(new InlineAdapter(nodeMainPath, onRecord));
    },
  };
  return {
    disposable: vscode.Disposable.from(
      changed,
      vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider()),
      vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, factory),
    ),
    onDidChangeDebugRecord: changed.event,
  };
}
