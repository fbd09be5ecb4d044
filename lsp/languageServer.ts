// The kvcmd language server: wiring only. Each feature lives in its own file and works on the
// per-version analysis (docAnalysis.ts, kept by analysisCache.ts). Started by the extension (dist/languageServer.js, IPC), by
// `kvcmd lsp --stdio` (start.ts), or directly: `node out/lsp/languageServer.js --stdio`.
// The transport (--stdio, --node-ipc, --socket=N, --pipe=NAME) comes from the command line,
// as vscode-languageserver's createConnection reads it.
import {
  CodeActionKind, Connection, DidChangeConfigurationNotification, ErrorCodes, InitializeResult, ProposedFeatures, ResponseError, TextDocumentSyncKind,
  createConnection, type Diagnostic,
} from 'vscode-languageserver/node';
import { GOSSIP_MODES, isProtocolName, type GossipMode } from '../protocol/messages';
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
import { ClearRunResultsNotification, ExploreRequest, MemoryRequest, PredictionRequest, RunResultsNotification } from './customMessages';
import { Explorations } from './exploration';
import { Predictor, mismatchDiagnostics } from './prediction';
import { RunResultsStore } from './runResults';
import { checkRunResults } from './validate';
import { LEGEND, semanticTokens } from './semanticTokens';
import { documentSymbols } from './symbols';

export function startLanguageServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  const docs = new DocumentStore();
  const cache = new AnalysisCache();
  const results = new RunResultsStore(docs);
  const explorations = new Explorations();
  let hintRefresh = false;
  let configPull = false;
  let configDynamic = false;
  let settingsRead!: () => void;
  const settingsReady = new Promise<void>((resolve) => (settingsRead = resolve));

  const logError = (what: string, err: unknown): void =>
    connection.console.error(`kvcmd: ${what}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  const analysisOf = (uri: string): DocAnalysis | undefined => {
    const doc = docs.get(uri);
    return doc && cache.get(doc, (since) => docs.changesSince(uri, since));
  };
  const memo = <T>(a: DocAnalysis, key: string, make: () => T): T => {
    if (!a.memo.has(key)) a.memo.set(key, make());
    return a.memo.get(key) as T;
  };

  // Live prediction (prediction.ts): when one is done, hints change and so may the lines where a
  // real run of the same version printed something else than predicted.
  const predictor = new Predictor(docs, analysisOf, (uri) => {
    refreshHints();
    recheckMismatches(uri);
  }, settingsReady);

  // Information diagnostics where a real run differs from the prediction, published with the others;
  // `shown` remembers what was last published so that a new prediction republishes only on a change.
  const shown = new Map<string, string>();
  const signature = (ds: Diagnostic[]): string => ds.map((d) => `${d.range.start.line}:${d.message}`).join('\n');
  const mismatchesOf = (a: DocAnalysis): Diagnostic[] => (predictor.enabled ? mismatchDiagnostics(a, results, predictor) : []);
  const recheckMismatches = (uri: string): void => {
    const a = analysisOf(uri);
    if (a && signature(mismatchesOf(a)) !== (shown.get(uri) ?? '')) publishSoon(uri);
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
        // Outside any request: an exception here would end the process, so it is logged instead.
        try {
          const a = analysisOf(u);
          if (!a) continue;
          const extra = mismatchesOf(a);
          shown.set(u, signature(extra));
          const diagnostics = extra.length ? [...lspDiagnostics(a), ...extra] : lspDiagnostics(a);
          void connection.sendDiagnostics({ uri: u, version: a.version, diagnostics });
        } catch (err) {
          cache.delete(u);
          logError(`diagnostics of ${u} failed`, err);
        }
      }
      pending.clear();
    });
  };

  connection.onInitialize((params): InitializeResult => {
    const prepare = params.capabilities.textDocument?.rename?.prepareSupport === true;
    hintRefresh = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
    configPull = params.capabilities.workspace?.configuration === true;
    configDynamic = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    const init = (params.initializationOptions ?? {}) as { predictionDebounceMs?: unknown; predictionBudgetMs?: unknown };
    const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : undefined);
    predictor.tune({ debounceMs: num(init.predictionDebounceMs), budgetMs: num(init.predictionBudgetMs) });
    if (!configPull) settingsRead();
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

  // Settings (`kvcmd.predict`, `kvcmd.gossip`): pulled with workspace/configuration when the client
  // supports it, at start and on every didChangeConfiguration; otherwise taken from what that
  // notification carries, with the defaults until then.
  const applySettings = (raw: unknown): void => {
    const o = (raw && typeof raw === 'object' ? raw : {}) as { predict?: unknown; gossip?: unknown; protocol?: unknown };
    const gossip = (GOSSIP_MODES as readonly unknown[]).includes(o.gossip) ? (o.gossip as GossipMode) : 'settled';
    predictor.configure({ enabled: o.predict !== false, gossip, ...(isProtocolName(o.protocol) ? { protocol: o.protocol } : {}) });
    refreshHints();
    for (const doc of docs.all()) recheckMismatches(doc.uri);
  };
  const pullSettings = async (): Promise<void> => {
    let raw: unknown;
    try {
      raw = await connection.workspace.getConfiguration({ section: 'kvcmd' });
    } catch {
      raw = undefined;
    }
    applySettings(raw);
  };
  connection.onInitialized(() => {
    if (configDynamic) connection.client.register(DidChangeConfigurationNotification.type, { section: 'kvcmd' }).catch(() => undefined);
    if (configPull) void pullSettings().finally(settingsRead);
  });
  connection.onDidChangeConfiguration((p) => {
    if (configPull) void pullSettings();
    else applySettings((p.settings as { kvcmd?: unknown } | null)?.kvcmd);
  });

  connection.onDidOpenTextDocument(({ textDocument: d }) => {
    if (typeof d?.uri !== 'string' || typeof d.text !== 'string') {
      connection.console.warn(`kvcmd: ignored a didOpen without a uri or text: ${JSON.stringify(d)?.slice(0, 200)}`);
      return;
    }
    docs.open(d.uri, d.languageId, Number.isInteger(d.version) ? d.version : 0, d.text);
    cache.delete(d.uri);
    publishSoon(d.uri);
    predictor.schedule(d.uri);
  });
  // A change the client got wrong (a reversed range, one outside the document) is applied as
  // documents.ts's normaliseChange makes it, with a warning in the log; never a crash.
  connection.onDidChangeTextDocument((p) => {
    // `p` itself may be missing (params: null): then there is nothing to change.
    const d = p?.textDocument;
    const changed = docs.change(d?.uri, d?.version, p?.contentChanges);
    if (!changed) return;
    for (const w of changed.warnings) connection.console.warn(`kvcmd: ${d.uri} version ${changed.record.version}: ${w}`);
    if (changed.record.changes === 'full') cache.delete(d.uri);
    publishSoon(d.uri);
    predictor.schedule(d.uri);
  });
  connection.onDidCloseTextDocument((p) => {
    const d = p?.textDocument;
    if (typeof d?.uri !== 'string') {
      connection.console.warn(`kvcmd: ignored a didClose without a uri: ${JSON.stringify(p)?.slice(0, 200)}`);
      return;
    }
    docs.close(d.uri);
    cache.delete(d.uri);
    results.clear(d.uri);
    predictor.forget(d.uri);
    explorations.forget(d.uri);
    shown.delete(d.uri);
    pending.delete(d.uri);
    void connection.sendDiagnostics({ uri: d.uri, diagnostics: [] });
  });

  connection.onCompletion((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? complete(a, p.position) : null;
  });
  connection.onHover((p) => {
    const a = analysisOf(p.textDocument.uri);
    return a ? hover(a, p.position, results, predictor) : null;
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
    return a ? [...inlayHints(a, results, p.range, predictor), ...explorations.hints(a, p.range)] : [];
  });

  // New or cleared results change the hints of a document the client will not otherwise ask again for.
  const refreshHints = (): void => {
    if (hintRefresh) connection.languages.inlayHint.refresh().catch(() => undefined);
  };
  // Checked on arrival (validate.ts): malformed events are dropped with a warning, so that no hover
  // or hint has to cope with them.
  connection.onNotification(RunResultsNotification, (raw) => {
    const checked = checkRunResults(raw);
    const params = checked.params;
    const where = typeof (raw as { uri?: unknown })?.uri === 'string' ? (raw as { uri: string }).uri : '?';
    if (!params) {
      connection.console.warn(`kvcmd: ignored kvcmd/runResults for ${where}: ${checked.problems.join('; ')}`);
      return;
    }
    if (checked.problems.length) {
      connection.console.warn(`kvcmd: kvcmd/runResults for ${where}: dropped ${checked.dropped} malformed event(s): ${checked.problems.join('; ')}`);
    }
    results.set(params);
    predictor.rememberRun(params.uri, params.seed, params.gossip);
    refreshHints();
    recheckMismatches(params.uri);
  });
  connection.onNotification(ClearRunResultsNotification, (p) => {
    const uri = p?.uri;
    if (typeof uri !== 'string') return;
    results.clear(uri);
    refreshHints();
    recheckMismatches(uri);
  });
  connection.onRequest(PredictionRequest, async (p) => {
    const uri = p?.uri;
    if (typeof uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'kvcmd/prediction needs { uri: string, wait?: boolean }');
    if (p.wait) await predictor.whenCurrent(uri);
    return predictor.statusOf(uri) ?? null;
  });
  // Explore Outcomes (exploration.ts): the result is returned and shown on the lines it explored.
  connection.onRequest(ExploreRequest, async (p, token) => {
    const uri = p?.uri;
    if (typeof uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'kvcmd/explore needs { uri: string, ... }');
    const a = analysisOf(uri);
    if (!a) throw new ResponseError(ErrorCodes.InvalidParams, `kvcmd/explore: ${uri} is not open`);
    const r = await explorations.explore(a, p, token);
    if (r.state === 'done') refreshHints();
    return r;
  });
  connection.onRequest(MemoryRequest, () => {
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
  });

  predictor.onError = (message) => connection.console.error(`kvcmd: ${message}`);
  connection.listen();
  return connection;
}

if (require.main === module) startLanguageServer();
