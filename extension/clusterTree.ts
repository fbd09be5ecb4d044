// The "Cluster" tree view: servers (alive or killed, links, store with stamps) and clients (links,
// Lamport counter, per-key dependencies) of the latest run. Live from the run's events, replaced
// by the final snapshot at the end, and kept until the next run. It can also show the cluster as
// of any script line (`showLine`), from the run's record through record/timeline.ts, or another
// record in place of the run's (`showRecord`: a debug session's events so far; extension/debugFollow.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ClusterState, type KeyState, type DepState } from '../record/clusterState';
import { formatStamp, writeKey } from '../protocol/stamp';
import { formatMs } from '../record/describe';
import { naturalCompare } from './naturalOrder';
import { keyHistory, Timeline, type AppliedEvent } from '../record/timeline';
import type { ClusterEvent } from '../record/events';
import type { RunManager, RunRecord } from './runs';

export type ClusterNode =
  | { kind: 'run' }
  | { kind: 'group'; group: 'servers' | 'clients' }
  | { kind: 'server'; id: number }
  | { kind: 'key'; server: number; key: string }
  | { kind: 'client'; id: number }
  | { kind: 'dep'; client: number; key: string };

/** A record shown in place of the run's (`showRecord`): the cluster after all its events. */
export interface ShownRecord {
  readonly uri: vscode.Uri;
  readonly name: string;
  /** What the view's description says it is ("debugging · line 16"). */
  readonly label: string;
  /** A copy of the events given, in record order. */
  readonly events: readonly ClusterEvent[];
  readonly model: ClusterState;
}

export class ClusterTreeProvider implements vscode.TreeDataProvider<ClusterNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ClusterNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private record: RunRecord | undefined;
  /** The cluster as the run's events have left it so far (with the final snapshot once it ends). */
  private live: ClusterState | undefined;
  /** The run's record, replayable to any line; made when first asked for. */
  private timeline: Timeline | undefined;
  /** The 1-based script line whose cluster is shown; undefined: the live or final cluster. */
  private line: number | undefined;
  /** The cluster as of `line`, until an event of the run changes it. */
  private atLine: ClusterState | undefined;
  /** One object per node: TreeView.reveal finds elements by identity. */
  private readonly nodes = new Map<string, ClusterNode>();
  /** A record shown instead of the run's, until `showRun` or the next run. */
  private other: { uri: vscode.Uri; name: string; label: string; events: ClusterEvent[]; model: ClusterState } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly subs: vscode.Disposable[];

  constructor(runs: RunManager) {
    this.subs = [
      runs.onDidStartRun((r) => {
        this.record = r;
        // The latest thing started is shown: a run takes the view over from a record shown by hand.
        this.other = undefined;
        this.live = new ClusterState();
        this.timeline = undefined;
        this.line = undefined;
        this.atLine = undefined;
        this.nodes.clear();
        this.refresh(true);
      }),
      runs.onDidRunEvent(({ record, event }) => {
        if (record !== this.record || !this.live) return;
        const changed = this.live.apply(event);
        if (this.other) return;
        if (this.line === undefined) {
          if (changed) this.refresh(false);
        } else if ('line' in event && event.line <= this.line) {
          // A live run reaches the shown line: its cluster grows with the events of the lines up to it.
          this.atLine = undefined;
          this.refresh(false);
        }
      }),
      runs.onDidFinishRun((r) => {
        if (r !== this.record) return;
        if (r.snapshot) this.live?.applySnapshot(r.snapshot);
        if (!this.other) this.refresh(true);
      }),
    ];
  }

  /**
   * The run behind the view and its cluster (live, final or as of the line chosen), for the API and
   * tests. While another record is shown (`shownRecord`), the view shows that one instead.
   */
  get current(): { record: RunRecord; model: ClusterState } | undefined {
    const model = this.runModel;
    return this.record && model ? { record: this.record, model } : undefined;
  }

  /** The record shown in place of the run's (a debug session's), if any. */
  get shownRecord(): ShownRecord | undefined {
    return this.other;
  }

  /** The cluster state the view shows: the shown record's, else the run's. */
  get shownModel(): ClusterState | undefined {
    return this.model;
  }

  /**
   * Shows the cluster after all of `events` (a record of a run of `uri`, such as a debug session's
   * so far) instead of the run's, with `label` as the view's description. Called again for the same
   * file with the same events and more, it applies the new ones; with another record (a shorter one
   * after a step back, a replay) it starts over. `showRun` goes back to the run.
   */
  showRecord(uri: vscode.Uri, events: readonly ClusterEvent[], label: string): void {
    const o = this.other;
    const n = o?.events.length ?? 0;
    const grows = !!o && o.uri.toString() === uri.toString() && events.length >= n && (n === 0 || events[n - 1] === o.events[n - 1]);
    if (o && grows) {
      for (let i = n; i < events.length; i++) o.model.apply(events[i]);
      o.events.push(...events.slice(n));
      o.label = label;
    } else {
      const model = new ClusterState();
      for (const e of events) model.apply(e);
      this.other = { uri, name: path.basename(uri.path), label, events: events.slice(), model };
      this.nodes.clear();
    }
    this.refresh(true);
  }

  /** Shows the run's cluster again after `showRecord` (no-op when no other record is shown). */
  showRun(): void {
    if (!this.other) return;
    this.other = undefined;
    this.nodes.clear();
    this.refresh(true);
  }

  /** The 1-based line of the run whose cluster the view shows (undefined: the live or final one); `shownRecord` goes first. */
  get shownLine(): number | undefined {
    return this.line;
  }

  /** Shows the cluster as of `line` (1-based) of the run shown; undefined: the live or final cluster. */
  showLine(line: number | undefined): void {
    if (line === this.line) return;
    this.line = line;
    this.atLine = undefined;
    this.refresh(true);
  }

  /** A one-line summary for the view's description: which file ran, when, how it ended, which line is shown. */
  summary(): string {
    if (this.other) return `${this.other.label} · ${this.other.name}`;
    const r = this.record;
    if (!r) return '';
    const when = (r.finishedAt ?? r.startedAt).toLocaleTimeString();
    return `${this.shownWord(r)} · ${r.name} · ${stateWord(r)} ${when}`;
  }

  /** Which cluster the view shows: "as of line 12", or "final" (or "live" while the run goes on). */
  private shownWord(r: RunRecord): string {
    return this.line !== undefined ? `as of line ${this.line}` : r.state === 'running' ? 'live' : 'final';
  }

  /**
   * Every write the shown cluster's server kept for a key node, oldest first, up to the line shown;
   * `held` marks the one it holds now.
   */
  history(el: ClusterNode): { server: number; key: string; writes: { event: AppliedEvent; held: boolean }[] } | undefined {
    const m = this.model, r = this.record;
    if (el.kind !== 'key' || !m || (!r && !this.other)) return undefined;
    const events = this.other?.events ?? r!.events;
    const upTo = this.other ? events.length : this.line === undefined ? r!.events.length : this.timelineOf(r!).cut(this.line);
    const writes = keyHistory(events, el.server, el.key, upTo).map((event) => ({ event, held: false }));
    const now = m.servers.get(el.server)?.store.get(el.key);
    // A stamp names one write; a killed server joined again may keep it twice: the later one is held.
    for (let i = writes.length - 1; now && i >= 0; i--) {
      if (writeKey(writes[i].event.stamp) !== writeKey(now.stamp)) continue;
      writes[i].held = true;
      break;
    }
    return { server: el.server, key: el.key, writes };
  }

  /** The cluster the view shows: the other record's, else the run's. */
  private get model(): ClusterState | undefined {
    return this.other?.model ?? this.runModel;
  }

  /** The run's cluster: as of the chosen line, or live. */
  private get runModel(): ClusterState | undefined {
    const r = this.record;
    if (!r || !this.live || this.line === undefined) return this.live;
    return (this.atLine ??= this.timelineOf(r).at(this.line));
  }

  private timelineOf(r: RunRecord): Timeline {
    return (this.timeline ??= new Timeline(r.events));
  }

  node(n: ClusterNode): ClusterNode {
    const key = JSON.stringify(n);
    let cached = this.nodes.get(key);
    if (!cached) this.nodes.set(key, (cached = n));
    return cached;
  }

  getChildren(el?: ClusterNode): ClusterNode[] {
    const m = this.model;
    if (!m) return []; // nothing has run: the welcome view shows instead
    if (!el) return [this.node({ kind: 'run' }), this.node({ kind: 'group', group: 'servers' }), this.node({ kind: 'group', group: 'clients' })];
    switch (el.kind) {
      case 'group':
        return el.group === 'servers'
          ? m.sortedServers().map((s) => this.node({ kind: 'server', id: s.id }))
          : m.sortedClients().map((c) => this.node({ kind: 'client', id: c.id }));
      case 'server':
        return [...(m.servers.get(el.id)?.store.keys() ?? [])].sort(naturalCompare).map((key) => this.node({ kind: 'key', server: el.id, key }));
      case 'client':
        return [...(m.clients.get(el.id)?.deps.keys() ?? [])].sort(naturalCompare).map((key) => this.node({ kind: 'dep', client: el.id, key }));
      default:
        return [];
    }
  }

  getParent(el: ClusterNode): ClusterNode | undefined {
    switch (el.kind) {
      case 'server':
        return this.node({ kind: 'group', group: 'servers' });
      case 'client':
        return this.node({ kind: 'group', group: 'clients' });
      case 'key':
        return this.node({ kind: 'server', id: el.server });
      case 'dep':
        return this.node({ kind: 'client', id: el.client });
      default:
        return undefined;
    }
  }

  getTreeItem(el: ClusterNode): vscode.TreeItem {
    const m = this.model!, r = this.record!;
    if (el.kind === 'run' && this.other) return this.otherItem(this.other);
    const None = vscode.TreeItemCollapsibleState.None, Expanded = vscode.TreeItemCollapsibleState.Expanded, Collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    switch (el.kind) {
      case 'run': {
        const item = new vscode.TreeItem(r.name, None);
        item.id = 'run';
        item.description = `${this.line !== undefined ? `as of line ${this.line} · ` : ''}${stateWord(r)} ${(r.finishedAt ?? r.startedAt).toLocaleTimeString()} · seed ${r.seed}`;
        item.iconPath = new vscode.ThemeIcon(r.state === 'running' ? 'sync~spin' : r.state === 'ok' && !r.failures ? 'pass' : r.state === 'stopped' ? 'debug-stop' : 'warning');
        item.tooltip = new vscode.MarkdownString(
          `**${r.name}**${r.toLine === undefined ? '' : ` up to line ${r.toLine + 1}`}\n\n` +
          `${stateWord(r)} ${(r.finishedAt ?? r.startedAt).toLocaleString()}${r.ms !== undefined && r.state !== 'running' ? ` after ${formatMs(r.ms)}` : ''}\n\n` +
          `seed ${r.seed} · gossip ${r.gossip} · protocol ${r.protocol} · ${r.commands.length} command(s)${r.failures ? ` · ${r.failures} failed` : ''}${r.error ? `\n\n${r.error}` : ''}`);
        item.command = { title: 'Open', command: 'vscode.open', arguments: [r.uri] };
        item.contextValue = 'run';
        return item;
      }
      case 'group': {
        const n = el.group === 'servers' ? m.servers.size : m.clients.size;
        const item = new vscode.TreeItem(el.group === 'servers' ? 'Servers' : 'Clients', n ? Expanded : None);
        item.id = el.group;
        item.description = String(n);
        return item;
      }
      case 'server': {
        const s = m.servers.get(el.id);
        const item = new vscode.TreeItem(`server ${el.id}`, s?.store.size ? Collapsed : None);
        item.id = `server:${el.id}`;
        if (!s) return item;
        const links = [...s.links].sort((a, b) => a - b);
        const paused = m.paused.get(el.id);
        item.description = s.alive
          ? `${paused !== undefined ? `paused on line ${paused} · ` : ''}links ${links.join(', ') || 'none'}${s.counter !== undefined ? ` · counter ${s.counter}` : ''}`
          : `killed${s.killedLine ? ` on line ${s.killedLine}` : ''}`;
        item.iconPath = new vscode.ThemeIcon(!s.alive ? 'circle-slash' : paused !== undefined ? 'debug-pause' : 'server', s.alive ? undefined : new vscode.ThemeColor('disabledForeground'));
        item.tooltip = new vscode.MarkdownString(
          `**server ${s.id}** — ${!s.alive ? 'killed, its store lost' : paused !== undefined ? `alive, paused on line ${paused} (it takes nothing in until resumed)` : 'alive'}\n\n` +
          (s.alive ? `links: ${links.join(', ') || 'none'}\n\n${s.store.size} key(s)${s.counter !== undefined ? ` · Lamport counter ${s.counter}` : ''}` : '') +
          (s.pid ? `\n\npid ${s.pid}` : ''));
        item.contextValue = s.alive ? 'server' : 'server.killed';
        return item;
      }
      case 'key': {
        const k = m.servers.get(el.server)?.store.get(el.key);
        const item = new vscode.TreeItem(`${el.key}: ${k?.value ?? '?'}`, None);
        item.id = `server:${el.server}:key:${el.key}`;
        if (!k) return item;
        item.description = formatStamp(k.stamp);
        item.iconPath = new vscode.ThemeIcon('symbol-key');
        const put = m.origin(k.stamp);
        item.tooltip = keyTooltip(el.server, k, put);
        item.contextValue = put ? 'storeKey.hasOrigin' : 'storeKey';
        if (put) item.command = { title: 'Reveal the writing line', command: 'kvcmd.revealLine', arguments: [el] };
        return item;
      }
      case 'client': {
        const c = m.clients.get(el.id);
        const item = new vscode.TreeItem(`client ${el.id}`, c?.deps.size ? Collapsed : None);
        item.id = `client:${el.id}`;
        if (!c) return item;
        const links = [...c.links].sort((a, b) => a - b);
        item.description = `links ${links.join(', ') || 'none'} · counter ${c.counter}`;
        item.iconPath = new vscode.ThemeIcon('person');
        item.tooltip = new vscode.MarkdownString(`**client ${c.id}**\n\nlinks: ${links.join(', ') || 'none'}\n\nLamport counter ${c.counter}\n\n${c.deps.size} dependenc${c.deps.size === 1 ? 'y' : 'ies'} (greatest stamp written or read, per key)`);
        item.contextValue = 'client';
        return item;
      }
      case 'dep': {
        const d = m.clients.get(el.client)?.deps.get(el.key);
        const item = new vscode.TreeItem(el.key, None);
        item.id = `client:${el.client}:dep:${el.key}`;
        if (!d) return item;
        item.description = formatStamp(d.stamp);
        item.iconPath = new vscode.ThemeIcon('references');
        item.tooltip = this.depTooltip(el.client, d);
        item.contextValue = 'dependency';
        if (this.lineOf(el) !== undefined) item.command = { title: 'Reveal the line', command: 'kvcmd.revealLine', arguments: [el] };
        return item;
      }
    }
  }

  /** The value a key node shows (for "Copy Value"). */
  valueOf(el: ClusterNode): string | undefined {
    return el.kind === 'key' ? this.model?.servers.get(el.server)?.store.get(el.key)?.value : undefined;
  }

  /** The 1-based script line behind a node: the put that wrote a key, or what last raised a dependency. */
  lineOf(el: ClusterNode): number | undefined {
    const m = this.model;
    if (!m) return undefined;
    if (el.kind === 'key') {
      const k = m.servers.get(el.server)?.store.get(el.key);
      return k && m.origin(k.stamp)?.line;
    }
    if (el.kind === 'dep') {
      const d = m.clients.get(el.client)?.deps.get(el.key);
      return d && (m.origin(d.stamp)?.line ?? d.line);
    }
    return undefined;
  }

  /** The script of the cluster shown (the other record's, else the run's): where its lines are. */
  get uri(): vscode.Uri | undefined {
    return this.other?.uri ?? this.record?.uri;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }

  /** The top item while another record is shown: its file and label ("debugging · line 16"). */
  private otherItem(o: ShownRecord): vscode.TreeItem {
    const item = new vscode.TreeItem(o.name, vscode.TreeItemCollapsibleState.None);
    item.id = 'run';
    item.description = o.label;
    item.iconPath = new vscode.ThemeIcon('debug');
    item.tooltip = new vscode.MarkdownString(`**${esc(o.name)}** — ${esc(o.label)}\n\nthe cluster after the ${o.events.length} event(s) of the record so far`);
    item.command = { title: 'Open', command: 'vscode.open', arguments: [o.uri] };
    item.contextValue = 'shownRecord';
    return item;
  }

  private depTooltip(client: number, d: DepState): vscode.MarkdownString {
    const put = this.model?.origin(d.stamp);
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`client ${client} depends on **${esc(d.key)}** ≥ **${formatStamp(d.stamp)}** (Lamport counter ${d.stamp.counter}, server ${d.stamp.server})\n\n`);
    md.appendMarkdown('a server holding an older stamp answers ERR_DEP\n\n');
    if (put) md.appendMarkdown(`the write ${code(`put ${put.client} ${put.key} ${put.value}`)} on line ${put.line}`);
    if (d.line !== undefined && d.line !== put?.line) md.appendMarkdown(`${put ? '; ' : ''}last raised on line ${d.line}`);
    return md;
  }

  /** Live updates come in bursts (a put gossips to every server): coalesce them. */
  private refresh(now: boolean): void {
    if (now) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.changed.fire(undefined);
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.changed.fire(undefined);
    }, 60);
  }
}

/** How a write reached its server, as the record says: "by gossip from server 1 (put on line 16)". */
export function arrivalText(a: KeyState['arrival'], putLine?: number): string | undefined {
  if (!a) return undefined;
  switch (a.via) {
    case 'put':
      return `put by client ${a.from} on line ${a.line}`;
    case 'gossip':
      return `by gossip from server ${a.from} (put on line ${putLine ?? a.line})`;
    case 'stabilize':
      return `by stabilize on line ${a.line}`;
  }
}

function keyTooltip(server: number, k: KeyState, put: ReturnType<ClusterState['origin']>): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${esc(k.key)}** = ${code(k.value)} on server ${server}\n\n`);
  md.appendMarkdown(`stamp **${formatStamp(k.stamp)}**: Lamport counter ${k.stamp.counter}, server ${k.stamp.server}\n\n`);
  const arrival = arrivalText(k.arrival, put?.line);
  md.appendMarkdown(arrival ? `arrival: ${arrival}\n\n` : k.arrival === undefined && put && put.server !== server ? `reached server ${server} in a way this run did not record\n\n` : '');
  md.appendMarkdown(put
    ? `written by ${code(`put ${put.client} ${put.key} ${put.value}`)} on line ${put.line} (client ${put.client}, applied by server ${put.server})`
    : 'written by a put this run did not report');
  return md;
}

function stateWord(r: RunRecord): string {
  switch (r.state) {
    case 'running':
      return 'running since';
    case 'ok':
      return r.failures ? `⚠ ${r.failures} failed,` : '✓';
    case 'failed':
      return '✗ failed';
    case 'stopped':
      return '■ stopped';
  }
}

/** A code span, unless the text holds a backtick (then escaped plain text). */
function code(s: string): string {
  return s.includes('`') ? esc(s) : `\`${s}\``;
}

/** Keys and values are arbitrary tokens: keep markdown characters in them literal. */
function esc(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
