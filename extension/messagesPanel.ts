// "kvcmd: Messages" (kvcmd.showMessages): the message diagram of a script's run (diagram/page.ts) in
// a webview panel beside the script. It follows the current run live (its events are posted in
// batches every ~100 ms), keeps the last run once it ends, and starts over with each new run of that
// file. A click on an arrow or mark reveals its line in the script's editor (the page posts
// `reveal`); moving the cursor in that editor highlights the line's messages (we post `highlight`).
//
// One panel: the command shows the file of the active kvcmd editor (or the URI it is given), and
// switches the panel to it when it showed another. The page is self-contained (inline script and
// style under a nonce, no local resources), and keeps its scroll and filters while hidden.
//
// While a debug session of the file shown is stopped (extension/debugFollow.ts calls `followDebug`),
// the page shows that session's record so far instead of the run's (`events` with `reset` at each
// stop, so a step back shortens it) and highlights the stopped line; when the session ends, the
// file's last run comes back. A run of the file started meanwhile takes over until the next stop.
//
// A witness of an exploration (extension/exploreOutcomes.ts calls `showWitness`) is drawn the same
// way: the model's run of the file under that schedule, until a run or a debug stop takes over.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { withDetails } from '../diagram/model';
import { diagramHtml } from '../diagram/page';
import { isPageToHost, type HostToPage, type PageStats, type PageToHost } from '../diagram/protocol';
import type { ClusterEvent } from '../record/events';
import type { RunManager, RunRecord } from './runs';

export const MESSAGES_VIEW_TYPE = 'kvcmd.messages';
/** How long events wait to be posted together while a run goes on. */
const BATCH_MS = 100;

/** What tests see of the panel (KvcmdApi.messagesPanel). */
export interface MessagesPanelHandle {
  /** The script the panel shows. */
  readonly uri: vscode.Uri | undefined;
  readonly visible: boolean;
  /** The record drawn (the file's current or last run), if any; undefined while it follows a debug session. */
  readonly record: RunRecord | undefined;
  /** Whether the page shows a debug session's record (`followDebug`) instead of a run's. */
  readonly debugging: boolean;
  /** The schedule of the exploration witness the page shows (`showWitness`), if it shows one. */
  readonly witness: string | undefined;
  /** What the page posted, oldest first (the last 100). */
  readonly fromPage: readonly PageToHost[];
  readonly lastFromPage: PageToHost | undefined;
  /** Resolves once the page has loaded and said `ready`. */
  ready(): Promise<void>;
  /** Posts a message to the page as the host would. */
  postToPage(msg: HostToPage): Thenable<boolean>;
  /** Asks the page what it shows (posted events included). */
  stats(): Promise<PageStats>;
  /** Clicks the arrow of message `msg` inside the page; resolves with what the page shows afterwards. */
  click(msg: string): Promise<PageStats>;
}

function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') return vscode.Uri.parse(arg);
  const editor = vscode.window.activeTextEditor;
  return editor?.document.languageId === 'kvcmd' ? editor.document.uri : undefined;
}

class MessagesPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private shownUri: vscode.Uri | undefined;
  /** The record on the page, and how many of its events the page has (embedded or posted). */
  private shownRecord: RunRecord | undefined;
  private sent = 0;
  private pageReady = false;
  private readyWaiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly messages: PageToHost[] = [];
  private nextId = 1;
  private readonly statsWaiters = new Map<number, (s: PageStats) => void>();
  /** The line the page just revealed: the selection change it causes is not echoed back as a highlight. */
  private revealing: number | undefined;
  private revealSeq = 0;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The latest stop of a debug session (any file): its record so far and the 1-based stopped line. */
  private debugStop: { uri: vscode.Uri; events: readonly ClusterEvent[]; line: number } | undefined;
  /** The page shows `debugStop` (posted, or to post once the page is ready) instead of `shownRecord`. */
  private debugShown = false;
  /** The schedule of the witness on the page, when it shows one instead of a run. */
  private witnessShown: string | undefined;

  constructor(private readonly runs: RunManager) {
    this.subscriptions.push(
      runs.onDidStartRun((r) => this.isShown(r.uri) && this.render(r)),
      runs.onDidRunEvent(({ record }) => record === this.shownRecord && this.schedule()),
      runs.onDidFinishRun((r) => r === this.shownRecord && this.flush()),
      vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e)),
    );
  }

  /** The command: shows (or retargets) the panel for a kvcmd file. */
  show(arg: unknown): void {
    const uri = targetUri(arg) ?? this.shownUri;
    if (!uri) {
      void vscode.window.showInformationMessage('kvcmd: open a .kvcmd file to see the messages of its run.');
      return;
    }
    const same = this.open(uri);
    if (!same) {
      this.render(this.runs.current(uri) ?? this.runs.lastRun(uri));
      if (this.debugStop && this.isShown(this.debugStop.uri)) this.showDebug();
    }
  }

  /** Draws a witness of an exploration of `uri`: the record of its model run under `schedule`. */
  showWitness(uri: vscode.Uri, witness: { schedule: string; events: readonly ClusterEvent[] }): void {
    this.open(uri);
    this.renderEvents(witness.events, `${path.basename(uri.path)}: witness ${witness.schedule}`);
    this.witnessShown = witness.schedule;
    this.panel!.title = `${this.title(uri)} (witness ${witness.schedule})`;
  }

  /** Creates the panel, or reveals it, for `uri`; true when it showed that file already. */
  private open(uri: vscode.Uri): boolean {
    const same = !!this.panel && this.isShown(uri);
    this.shownUri = uri;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(MESSAGES_VIEW_TYPE, this.title(uri), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        // The page is one self-contained document: it loads nothing, from anywhere.
        localResourceRoots: [],
        enableFindWidget: false,
        // Scroll position, filters and the selection survive the panel being hidden.
        retainContextWhenHidden: true,
      });
      this.panel.onDidDispose(() => this.disposed(), undefined, this.subscriptions);
      this.panel.webview.onDidReceiveMessage((m: unknown) => this.onPageMessage(m), undefined, this.subscriptions);
    } else {
      this.panel.reveal(undefined, true);
    }
    return same;
  }

  /**
   * A debug session of `uri` stopped (`stop`: its record so far and the stopped line) or ended
   * (undefined). A page showing that file follows the stop, or goes back to the file's run at the end.
   */
  followDebug(uri: vscode.Uri, stop: { events: readonly ClusterEvent[]; line: number } | undefined): void {
    if (stop) this.debugStop = { uri, ...stop };
    else if (this.debugStop?.uri.toString() === uri.toString()) this.debugStop = undefined;
    if (!this.panel || !this.isShown(uri)) return;
    if (stop) this.showDebug();
    else if (this.debugShown) this.render(this.runs.current(uri) ?? this.runs.lastRun(uri));
  }

  handle(): MessagesPanelHandle | undefined {
    if (!this.panel) return undefined;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    return {
      get uri() { return self.shownUri; },
      get visible() { return !!self.panel?.visible; },
      get record() { return self.shownRecord; },
      get debugging() { return self.debugShown; },
      get witness() { return self.witnessShown; },
      get fromPage() { return [...self.messages]; },
      get lastFromPage() { return self.messages[self.messages.length - 1]; },
      ready: () => (this.pageReady ? Promise.resolve() : new Promise<void>((r) => this.readyWaiters.push(r))),
      postToPage: (msg) => this.post(msg),
      stats: () => this.ask((id) => ({ type: 'stats', id })),
      click: (msg) => this.ask((id) => ({ type: 'click', msg, id })),
    };
  }

  dispose(): void {
    this.panel?.dispose();
    this.disposed();
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }

  private isShown(uri: vscode.Uri): boolean {
    return this.shownUri?.toString() === uri.toString();
  }

  private title(uri: vscode.Uri): string {
    return `Messages: ${path.basename(uri.path)}`;
  }

  /** A fresh page for `record` (none: an empty diagram waiting for a run). */
  private render(record: RunRecord | undefined): void {
    if (!this.panel || !this.shownUri) return;
    const name = path.basename(this.shownUri.path);
    this.renderEvents(record?.events ?? [], record ? name : `${name}: not run yet`);
    this.shownRecord = record;
    this.sent = record?.events.length ?? 0;
    this.panel.title = this.title(this.shownUri);
  }

  /** A fresh page drawing `events`; it shows neither a run, a debug stop nor a witness until the caller says which. */
  private renderEvents(events: readonly ClusterEvent[], title: string): void {
    if (!this.panel || !this.shownUri) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.shownRecord = undefined;
    this.debugShown = false;
    this.witnessShown = undefined;
    this.sent = 0;
    this.pageReady = false;
    const doc = vscode.workspace.textDocuments.find((d) => this.isShown(d.uri));
    const webview = this.panel.webview;
    webview.html = diagramHtml(events, {
      title,
      // Each line of the script as it ran (a run starts from the document's text of that moment).
      scriptLines: doc?.getText().split(/\r?\n/),
      nonce: crypto.randomBytes(16).toString('base64'),
      cspSource: webview.cspSource,
    });
  }

  /** The page shows `debugStop` from now on: the run's events are no longer posted. */
  private showDebug(): void {
    if (!this.panel || !this.shownUri) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.shownRecord = undefined;
    this.debugShown = true;
    this.witnessShown = undefined;
    this.panel.title = `${this.title(this.shownUri)} (debugging)`;
    if (this.pageReady) this.postDebug();
  }

  /** Replaces what the page draws by the debug record so far, and highlights the stopped line. */
  private postDebug(): void {
    const d = this.debugStop;
    if (!d) return;
    void this.post({ type: 'events', events: withDetails(d.events), reset: true });
    void this.post({ type: 'highlight', line: d.line });
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  /** Posts the events the page lacks (once it has loaded; `ready` flushes what came before). */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const r = this.shownRecord;
    if (!r || !this.pageReady || this.sent >= r.events.length) return;
    const events = r.events.slice(this.sent);
    this.sent = r.events.length;
    void this.post({ type: 'events', events: withDetails(events) });
  }

  private post(msg: HostToPage): Thenable<boolean> {
    return this.panel ? this.panel.webview.postMessage(msg) : Promise.resolve(false);
  }

  private ask(make: (id: number) => HostToPage): Promise<PageStats> {
    const id = this.nextId++;
    return new Promise<PageStats>((resolve, reject) => {
      const timeout = setTimeout(() => {
        this.statsWaiters.delete(id);
        reject(new Error('the Messages page did not answer'));
      }, 10_000);
      this.statsWaiters.set(id, (s) => { clearTimeout(timeout); resolve(s); });
      void this.post(make(id));
    });
  }

  private onPageMessage(m: unknown): void {
    if (!isPageToHost(m)) return;
    this.messages.push(m);
    if (this.messages.length > 100) this.messages.shift();
    switch (m.type) {
      case 'ready':
        this.pageReady = true;
        this.flush();
        if (this.debugShown) this.postDebug();
        // A finished run shows the cursor line's messages at once; a running one follows its end.
        if ((this.shownRecord && this.shownRecord.state !== 'running') || this.witnessShown) this.postCursorLine();
        for (const w of this.readyWaiters.splice(0)) w();
        break;
      case 'reveal':
        void this.reveal(m.line);
        break;
      case 'stats': {
        const { type: _type, ...stats } = m;
        this.statsWaiters.get(stats.id)?.(stats);
        this.statsWaiters.delete(stats.id);
        break;
      }
    }
  }

  /** Selects a 1-based line of the script in its editor (opened in the first column when not visible). */
  private async reveal(line: number): Promise<void> {
    const uri = this.shownUri;
    if (!uri) return;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    const editor = await vscode.window.showTextDocument(visible?.document.uri ?? uri, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false,
    });
    const range = editor.document.lineAt(Math.min(Math.max(0, line - 1), editor.document.lineCount - 1)).range;
    this.revealing = range.start.line;
    // No selection event comes when the selection was that range already: forget it soon.
    const seq = ++this.revealSeq;
    setTimeout(() => seq === this.revealSeq && (this.revealing = undefined), 500);
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private onSelection(e: vscode.TextEditorSelectionChangeEvent): void {
    if (!this.panel || !this.isShown(e.textEditor.document.uri)) return;
    const line = e.selections[0]?.active.line;
    if (line === undefined) return;
    if (this.revealing !== undefined) {
      const echo = this.revealing === line;
      this.revealing = undefined;
      // The page highlighted that line itself when it asked for it; its scroll stays where the click was.
      if (echo) return;
    }
    if (this.pageReady) void this.post({ type: 'highlight', line: line + 1 });
  }

  /** On load, the cursor line of the script's editor is highlighted at once. */
  private postCursorLine(): void {
    const editor = vscode.window.visibleTextEditors.find((e) => this.isShown(e.document.uri));
    if (editor) void this.post({ type: 'highlight', line: editor.selection.active.line + 1 });
  }

  private disposed(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.panel = undefined;
    this.shownUri = undefined;
    this.shownRecord = undefined;
    this.debugShown = false;
    this.witnessShown = undefined;
    this.pageReady = false;
  }
}

/** Registers kvcmd.showMessages; `handle()` is the test API's view of the panel. */
export function registerMessagesPanel(runs: RunManager): {
  disposable: vscode.Disposable;
  handle: () => MessagesPanelHandle | undefined;
  followDebug: (uri: vscode.Uri, stop: { events: readonly ClusterEvent[]; line: number } | undefined) => void;
  showWitness: (uri: vscode.Uri, witness: { schedule: string; events: readonly ClusterEvent[] }) => void;
} {
  const panel = new MessagesPanel(runs);
  return {
    disposable: vscode.Disposable.from(panel, vscode.commands.registerCommand('kvcmd.showMessages', (arg?: unknown) => panel.show(arg))),
    handle: () => panel.handle(),
    followDebug: (uri, stop) => panel.followDebug(uri, stop),
    showWitness: (uri, witness) => panel.showWitness(uri, witness),
  };
}
