// The kvcmd language server: wiring only. Each feature lives in its own file and works on the
// per-version analysis (docAnalysis.ts, kept by analysisCache.ts). Started by the extension (dist/languageServer.js, IPC), by
// `kvcmd lsp --stdio` (start.ts), or directly: `node out/lsp/languageServer.js --stdio`.
// The transport (--stdio, --node-ipc, --socket=N, --pipe=NAME) comes from the command line,
// as vscode-languageserver's createConnection reads it.
import {
  CodeActionKind, Connection, InitializeResult, ProposedFeatures, TextDocumentSyncKind, createConnection,
} from 'vscode-languageserver/node';
import { AnalysisCache } from './analysisCache';
import type { DocAnalysis } from './docAnalysis';
import { codeActions } from './codeActions';
import { codeLenses } from './codeLens';
import { TRIGGER_CHARACTERS, complete } from './completion';
import { definition, highlights, prepareRename, references, rename } from './definition';
import { lspDiagnostics } from './diagnostics';
import { DocumentStore } from './documents';
import { foldingRanges } from './folding';
import { formatDocument, formatRange } from './formatting';
import { hover } from './hover';
import { inlayHints } from './inlayHints';
import { ClearRunResultsNotification, MemoryRequest, RunResultsNotification } from './customMessages';
import { RunResultsStore } from './runResults';
import { LEGEND, semanticTokens } from './semanticTokens';
import { documentSymbols } from './symbols';

export function startLanguageServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  const docs = new DocumentStore();
  const cache = new AnalysisCache();
  const results = new RunResultsStore(docs);
  let hintRefresh = false;

  const analysisOf = (uri: string): DocAnalysis | undefined => {
    const doc = docs.get(uri);
    return doc && cache.get(doc, (since) => docs.changesSince(uri, since));
  };
  const memo = <T>(a: DocAnalysis, key: string, make: () => T): T => {
    if (!a.memo.has(key)) a.memo.set(key, make());
    return a.memo.get(key) as T;
  };

  // Diagnostics: changes that arrive together are analyzed once, right after they are applied.
  const pending = new Set<string>();
  let flushScheduled = false;
  const publishSoon = (uri: string): void => {
    pending.add(uri);
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      for (const u of pending) {
        const a = analysisOf(u);
        if (a) void connection.sendDiagnostics({ uri: u, version: a.version, diagnostics: lspDiagnostics(a) });
      }
      pending.clear();
    });
  };

  connection.onInitialize((params): InitializeResult => {
    const prepare = params.capabilities.textDocument?.rename?.prepareSupport === true;
    hintRefresh = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: TRIGGER_CHARACTERS, resolveProvider: false },
        hoverProvider: true,
        documentSymbolProvider: { label: 'kvcmd cluster' },
        definitionProvider: true,
        referencesProvider: true,
        documentHighlightProvider: true,
        renameProvider: prepare ? { prepareProvider: true } : true,
        semanticTokensProvider: { legend: LEGEND, full: true, range: true },
        foldingRangeProvider: true,
        codeLensProvider: { resolveProvider: false },
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        inlayHintProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'kvcmd-language-server', version: '0.1.0' },
    };
  });

  connection.onDidOpenTextDocument(({ textDocument: d }) => {
    docs.open(d.uri, d.languageId, d.version, d.text);
    cache.delete(d.uri);
    publishSoon(d.uri);
  });
  connection.onDidChangeTextDocument(({ textDocument: d, contentChanges }) => {
    if (docs.change(d.uri, d.version, contentChanges)) publishSoon(d.uri);
  });
  connection.onDidCloseTextDocument(({ textDocument: d }) => {
    docs.close(d.uri);
    cache.delete(d.uri);
    results.clear(d.uri);
    pending.delete(d.uri);
    void connection.sendDiagnostics({ uri: d.uri, diagnostics: [] });
  });

  connection.onCompletion((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? complete(a, p.position) : null;
  });
  connection.onHover((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? hover(a, p.position, results) : null;
  });
  connection.onCodeAction((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? codeActions(a, p) : [];
  });
  connection.onDocumentSymbol((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? memo(a, 'symbols', () => documentSymbols(a)) : [];
  });
  connection.onDefinition((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? definition(a, p.position) : null;
  });
  connection.onReferences((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? references(a, p.position, p.context.includeDeclaration) : [];
  });
  connection.onDocumentHighlight((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? highlights(a, p.position) : [];
  });
  connection.onPrepareRename((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? prepareRename(a, p.position) : null;
  });
  connection.onRenameRequest((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? rename(a, p.position, p.newName) : null;
  });
  connection.languages.semanticTokens.on((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? memo(a, 'tokens', () => semanticTokens(a)) : { data: [] };
  });
  connection.languages.semanticTokens.onRange((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? semanticTokens(a, p.range.start.line, p.range.end.line) : { data: [] };
  });
  connection.onCodeLens((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? memo(a, 'lenses', () => codeLenses(a)) : [];
  });
  connection.onFoldingRanges((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? memo(a, 'folding', () => foldingRanges(a)) : [];
  });
  connection.onDocumentFormatting((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? formatDocument(a) : [];
  });
  connection.onDocumentRangeFormatting((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? formatRange(a, p.range) : [];
  });

  connection.languages.inlayHint.on((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? inlayHints(a, results, p.range) : [];
  });

  // New or cleared results change the hints of a document the client will not otherwise ask again for.
  const refreshHints = (): void => {
    if (hintRefresh) connection.languages.inlayHint.refresh().catch(() => undefined);
  };
  connection.onNotification(RunResultsNotification, (params) => {
    results.set(params);
    refreshHints();
  });
  connection.onNotification(ClearRunResultsNotification, ({ uri }) => {
    results.clear(uri);
    refreshHints();
  });
  connection.onRequest(MemoryRequest, () => {
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
  });

  connection.listen();
  return connection;
}

if (require.main === module) startLanguageServer();
