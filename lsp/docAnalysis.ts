// One document version's analysis, as every feature reads it. The indexes features need
// (references by line and by id, keys, used ids, topology snapshots) are built lazily, once
// per version, so a request pays only for what it reads.
import { Analysis, IdInfo, IdReference, ParsedLine, Position, Token, Topology } from '../language/index';
import type { TopologyIndex } from './topologyIndex';

export interface KeyWrite { key: string; line: number; client: string }

export class DocAnalysis {
  private byLine: IdReference[][] | undefined;
  private byId: Map<number, IdReference[]> | undefined;
  private keyIndex: KeyWrite[] | undefined;
  private used: Set<number> | undefined;
  private idInfo: Map<number, IdInfo> | undefined;
  /** Per-version memo for features that convert the whole analysis (diagnostics, tokens). */
  readonly memo = new Map<string, unknown>();

  constructor(readonly uri: string, readonly version: number, readonly analysis: Analysis, readonly topology: TopologyIndex) {}

  get script(): Analysis['script'] {
    return this.analysis.script;
  }

  line(line0: number): ParsedLine | undefined {
    return this.analysis.script.lines[line0];
  }

  topologyBefore(line0: number): Topology {
    return this.topology.before(line0);
  }

  /** The topology once line0 has run. */
  topologyAfter(line0: number): Topology {
    return this.topology.before(line0 + 1);
  }

  refsOnLine(line0: number): readonly IdReference[] {
    if (!this.byLine) {
      const byLine: IdReference[][] = new Array(this.script.lineCount);
      for (const r of this.analysis.references) (byLine[r.line] ??= []).push(r);
      this.byLine = byLine;
    }
    return this.byLine[line0] ?? [];
  }

  refsOfId(id: number): readonly IdReference[] {
    if (!this.byId) {
      const byId = new Map<number, IdReference[]>();
      for (const r of this.analysis.references) {
        let list = byId.get(r.id);
        if (!list) byId.set(r.id, (list = []));
        list.push(r);
      }
      this.byId = byId;
    }
    return this.byId.get(id) ?? [];
  }

  referenceAt(p: Position): IdReference | undefined {
    for (const r of this.refsOnLine(p.line)) {
      if (r.range.start.character <= p.character && p.character <= r.range.end.character) return r;
    }
    return undefined;
  }

  /** The join that introduced the node `id` is at line0 (the latest join at or above it). */
  joinFor(id: number, line0: number): IdReference | undefined {
    let best: IdReference | undefined;
    for (const r of this.refsOfId(id)) {
      if (r.isJoin && r.line <= line0 && this.isEffectiveJoin(r)) best = r;
    }
    return best;
  }

  /** A join token whose line was accepted (a rejected join is not where the node came from). */
  private isEffectiveJoin(r: IdReference): boolean {
    if (!this.idInfo) this.idInfo = new Map(this.analysis.ids.map((i) => [i.id, i]));
    return this.idInfo.get(r.id)?.joins.some((j) => j.start.line === r.line) === true;
  }

  /** Each key's first write, in line order. */
  keys(): readonly KeyWrite[] {
    if (!this.keyIndex) {
      const seen = new Map<string, KeyWrite>();
      for (const k of this.analysis.keys) {
        if (seen.has(k.key)) continue;
        const line = k.range.start.line;
        seen.set(k.key, { key: k.key, line, client: this.script.lines[line].args[0]?.text ?? '' });
      }
      this.keyIndex = [...seen.values()];
    }
    return this.keyIndex;
  }

  /** Every id the script mentions anywhere, as server or client (well-formed uses only). */
  usedIds(): ReadonlySet<number> {
    if (!this.used) {
      const used = new Set<number>();
      for (const r of this.analysis.references) used.add(r.id);
      this.used = used;
    }
    return this.used;
  }

  /** The smallest id the script never mentions: safe to join anywhere. */
  freshId(exclude: ReadonlySet<number> = new Set()): number {
    const used = this.usedIds();
    let id = 0;
    while (used.has(id) || exclude.has(id)) id++;
    return id;
  }
}

/** Where the cursor is on a line: which token (0 = command), and the range to replace. */
export interface TokenAt { index: number; token?: Token; inComment: boolean }

export function tokenAt(line: ParsedLine | undefined, character: number): TokenAt {
  if (!line) return { index: 0, inComment: false };
  if (line.comment && character > line.comment.range.start.character) return { index: -1, inComment: true };
  const tokens = line.command ? [line.command, ...line.args] : [];
  let before = 0;
  for (let i = 0; i < tokens.length; i++) {
    const r = tokens[i].range;
    if (r.start.character <= character && character <= r.end.character) return { index: i, token: tokens[i], inComment: false };
    if (r.end.character < character) before = i + 1;
  }
  return { index: before, inComment: false };
}
