// A real LSP client over a child process's stdio, for tests and the benchmark. Every server
// started here is registered, and `stopAll` shuts down (shutdown + exit) and reaps them.
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import {
  CodeAction, CodeActionRequest, CompletionList, CompletionRequest, ConfigurationRequest, DefinitionRequest, Diagnostic,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification, DidCloseTextDocumentNotification, DidOpenTextDocumentNotification,
  DocumentFormattingRequest, DocumentSymbol, DocumentSymbolRequest, ExitNotification, FoldingRange, FoldingRangeRequest,
  Hover, HoverRequest, InitializeRequest, InitializedNotification, InlayHint, InlayHintRefreshRequest, InlayHintRequest,
  Location, LogMessageNotification, MarkupContent, Position,
  PrepareRenameRequest, ProtocolConnection, PublishDiagnosticsNotification, PublishDiagnosticsParams, Range,
  ReferencesRequest, RegistrationRequest, RenameRequest, SemanticTokens, SemanticTokensRequest, ShutdownRequest, TextEdit,
  WorkspaceEdit, createProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { InitializeResult } from 'vscode-languageserver-protocol';
import { PredictionRequest, type PredictionStatus } from '../../lsp/customMessages';

/** The repository root, from out/test/lsp or test/lsp. */
export const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}out${path.sep}`) ? '../../..' : '../..');
export const LANGUAGE_LANGUAGE_SERVER_JS = path.join(ROOT, 'out', 'lsp', 'languageServer.js');
export const KVCMD = path.join(ROOT, 'bin', 'kvcmd.js');

const live = new Set<LspClient>();

export interface StartOptions {
  /**
   * Settings the client serves over workspace/configuration (e.g. `{ kvcmd: { predict: false } }`);
   * when given, the client announces `workspace.configuration` and dynamic didChangeConfiguration.
   * Without them the server uses its defaults.
   */
  settings?: Record<string, unknown>;
  initializationOptions?: Record<string, unknown>;
}

type DiagWaiter = { uri: string; pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void };

export class LspClient {
  readonly connection: ProtocolConnection;
  readonly latest = new Map<string, PublishDiagnosticsParams>();
  private waiters: DiagWaiter[] = [];
  private versions = new Map<string, number>();
  private texts = new Map<string, string>();
  capabilities: InitializeResult['capabilities'] | undefined;
  stderr = '';
  /** How many `workspace/inlayHint/refresh` requests the server has sent. */
  hintRefreshes = 0;
  private refreshWaiters: (() => void)[] = [];
  /** What workspace/configuration answers (see StartOptions.settings). */
  settings: Record<string, unknown> = {};
  /** How many workspace/configuration requests the server has sent. */
  configurationRequests = 0;
  /** Sections the server registered didChangeConfiguration for. */
  readonly registrations: string[] = [];
  exitCode: number | null | undefined;
  /** What the server logged (window/logMessage), e.g. `warning: kvcmd: ...`. */
  readonly logs: string[] = [];
  private exited: Promise<void>;

  private constructor(readonly child: ChildProcess) {
    this.connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => child.on('exit', (code) => { this.exitCode = code; resolve(); }));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.latest.set(p.uri, p);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri !== p.uri || !w.pred(p)) return true;
        w.resolve(p);
        return false;
      });
    });
    this.connection.onNotification(LogMessageNotification.type, (p) => {
      this.logs.push(`${['', 'error', 'warning', 'info', 'log', 'debug'][p.type] ?? p.type}: ${p.message}`);
    });
    this.connection.onRequest(ConfigurationRequest.type, (p) => {
      this.configurationRequests++;
      return p.items.map((item) => (item.section ? this.settings[item.section] ?? null : this.settings));
    });
    this.connection.onRequest(RegistrationRequest.type, (p) => {
      for (const r of p.registrations) this.registrations.push(r.method);
    });
    this.connection.onRequest(InlayHintRefreshRequest.type, () => {
      this.hintRefreshes++;
      for (const w of this.refreshWaiters.splice(0)) w();
    });
    this.connection.listen();
  }

  /** Starts `node out/lsp/languageServer.js --stdio`, or `node bin/kvcmd.js lsp --stdio` with via: 'cli'. */
  static async start(via: 'server' | 'cli' = 'server', options: StartOptions = {}): Promise<LspClient> {
    const args = via === 'cli' ? [KVCMD, 'lsp', '--stdio'] : [LANGUAGE_LANGUAGE_SERVER_JS, '--stdio'];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new LspClient(child);
    live.add(client);
    if (options.settings) client.settings = options.settings;
    const config = options.settings ? { configuration: true, didChangeConfiguration: { dynamicRegistration: true } } : {};
    const result = await client.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        textDocument: {
          rename: { prepareSupport: true },
          completion: { completionItem: { snippetSupport: true, labelDetailsSupport: true } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          inlayHint: { dynamicRegistration: false },
        },
        workspace: { inlayHint: { refreshSupport: true }, ...config },
      },
      workspaceFolders: null,
      ...(options.initializationOptions ? { initializationOptions: options.initializationOptions } : {}),
    });
    client.capabilities = result.capabilities;
    await client.connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  /** Shuts the server down politely and waits for the process to exit (kills it after 5 s). */
  async stop(): Promise<number | null | undefined> {
    live.delete(this);
    if (this.exitCode === undefined) {
      try {
        await withTimeout(this.connection.sendRequest(ShutdownRequest.type), 5000);
        await this.connection.sendNotification(ExitNotification.type);
      } catch {
        this.child.kill('SIGKILL');
      }
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
    this.connection.dispose();
    return this.exitCode;
  }

  static async stopAll(): Promise<void> {
    await Promise.all([...live].map((c) => c.stop()));
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'kvcmd', version, text } });
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** Sends one incremental change and returns the new version. */
  async edit(uri: string, range: Range, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, applyTextEdits(this.texts.get(uri) ?? '', [{ range, newText: text }]));
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ range, text }],
    });
    return version;
  }

  /** Replaces the whole text (a change without range, as a full-sync client sends) and returns the new version. */
  async replaceAll(uri: string, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  /**
   * Sends a change exactly as given, however wrong (a reversed range, one outside the text, no
   * text): the client's own copy of the text is left as it was. Returns the new version.
   */
  async rawChange(uri: string, contentChanges: unknown[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version }, contentChanges: contentChanges as never,
    });
    return version;
  }

  /** Applies edits (e.g. a code action's or a rename's) as the editor would: one incremental change. */
  async applyEdits(uri: string, edits: TextEdit[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    // Send from last to first so that each range refers to the text as it is then.
    const sorted = [...edits].sort((a, b) => cmp(b.range.start, a.range.start));
    this.texts.set(uri, applyTextEdits(this.texts.get(uri) ?? '', edits));
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: sorted.map((e) => ({ range: e.range, text: e.newText })),
    });
    return version;
  }

  text(uri: string): string {
    return this.texts.get(uri) ?? '';
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  /** Resolves with the first published diagnostics for `uri` at `version` (or already received). */
  diagnostics(uri: string, version = this.version(uri), timeoutMs = 10_000): Promise<Diagnostic[]> {
    const pred = (p: PublishDiagnosticsParams): boolean => p.version === version;
    const have = this.latest.get(uri);
    if (have && pred(have)) return Promise.resolve(have.diagnostics);
    return withTimeout(new Promise<PublishDiagnosticsParams>((resolve) => this.waiters.push({ uri, pred, resolve })), timeoutMs)
      .then((p) => p.diagnostics);
  }

  completion(uri: string, position: Position): Promise<CompletionList> {
    return this.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position }) as Promise<CompletionList>;
  }

  async hover(uri: string, position: Position): Promise<string | undefined> {
    const h: Hover | null = await this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
    return h ? (h.contents as MarkupContent).value : undefined;
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[] = []): Promise<CodeAction[]> {
    return this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics } }) as Promise<CodeAction[]>;
  }

  symbols(uri: string): Promise<DocumentSymbol[]> {
    return this.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } }) as Promise<DocumentSymbol[]>;
  }

  definition(uri: string, position: Position): Promise<Location | null> {
    return this.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position }) as Promise<Location | null>;
  }

  references(uri: string, position: Position, includeDeclaration = true): Promise<Location[]> {
    return this.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri }, position, context: { includeDeclaration } }) as Promise<Location[]>;
  }

  prepareRename(uri: string, position: Position): Promise<unknown> {
    return this.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri }, position });
  }

  rename(uri: string, position: Position, newName: string): Promise<WorkspaceEdit | null> {
    return this.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position, newName });
  }

  /** Inlay hints for a range (default: the whole document as this client knows it). */
  inlayHints(uri: string, range?: Range): Promise<InlayHint[] | null> {
    const lines = this.text(uri).split('\n');
    const whole = { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines[lines.length - 1].length } };
    return this.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: range ?? whole });
  }

  /** New settings, announced as an editor does (the server then asks for them again). */
  async setSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  /** The server's live prediction of a document; by default once that of its current version is done. */
  prediction(uri: string, wait = true, timeoutMs = 30_000): Promise<PredictionStatus | null> {
    return withTimeout(this.connection.sendRequest(PredictionRequest, { uri, wait }), timeoutMs);
  }

  /** Resolves once the server has sent more than `seen` inlay hint refresh requests. */
  hintRefreshAfter(seen: number, timeoutMs = 10_000): Promise<void> {
    if (this.hintRefreshes > seen) return Promise.resolve();
    return withTimeout(new Promise<void>((resolve) => this.refreshWaiters.push(resolve)), timeoutMs);
  }

  semanticTokens(uri: string): Promise<SemanticTokens | null> {
    return this.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } });
  }

  folding(uri: string): Promise<FoldingRange[] | null> {
    return this.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } });
  }

  formatting(uri: string): Promise<TextEdit[] | null> {
    return this.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  }
}

function cmp(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/** Applies LSP edits (non-overlapping, any order) to a text. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const off = (p: Position): number => (p.line >= starts.length ? text.length : Math.min(starts[p.line] + p.character, text.length));
  let out = text;
  for (const e of [...edits].sort((a, b) => cmp(b.range.start, a.range.start))) {
    out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  }
  return out;
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms); }),
  ]);
}

/** Position of the n-th (0-based) occurrence of `needle` in the text, plus an offset into it. */
export function find(text: string, needle: string, into = 0, nth = 0): Position {
  let idx = -1;
  for (let i = 0; i <= nth; i++) {
    idx = text.indexOf(needle, idx + 1);
    if (idx === -1) throw new Error(`'${needle}' not found (${nth})`);
  }
  const before = text.slice(0, idx + into);
  const line = before.split('\n').length - 1;
  return { line, character: idx + into - (before.lastIndexOf('\n') + 1) };
}
