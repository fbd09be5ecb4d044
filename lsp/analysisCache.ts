// One analysis per document version, shared by every feature (see docAnalysis.ts). After an
// edit the next analysis is made the cheapest way that provably gives the same result: the
// edited line alone (incremental.ts), or the whole script from a parse that reused every
// unchanged line.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from '../language/index';
import type { LineChange } from './documents';
import { reparse } from '../language/reparse';
import { DocAnalysis } from './docAnalysis';
import { reanalyzeLine } from './incremental';
import { TopologyIndex } from './topologyIndex';

/** Holds the latest analysis per open document. */
export class AnalysisCache {
  private cache = new Map<string, DocAnalysis>();
  /** Counts for tests and the benchmark: how often each path ran. */
  readonly stats = { full: 0, incremental: 0, reparsed: 0 };

  /**
   * The analysis of the document's current version, computed now if needed. `changes` are the
   * line changes since the cached version, when known: they let us keep topology snapshots
   * above the first changed line, and re-check a single line when that is provably enough.
   */
  get(doc: TextDocument, changesSince?: (version: number) => LineChange[] | undefined): DocAnalysis {
    const prev = this.cache.get(doc.uri);
    if (prev && prev.version === doc.version) return prev;
    const text = doc.getText();
    const lineChanges = prev ? changesSince?.(prev.version) : undefined;
    if (prev && lineChanges?.length === 0 && text === prev.script.text) {
      const same = new DocAnalysis(doc.uri, doc.version, prev.analysis, prev.topology);
      this.cache.set(doc.uri, same);
      return same;
    }
    // One change (typing, a paste, a fix): parse only its lines, and if it cannot affect any
    // other line, check only that line. Otherwise check the whole script from the new parse.
    const script = prev && lineChanges?.length === 1 ? reparse(prev.script, text, lineChanges[0]) : undefined;
    let next = prev && script ? reanalyzeLine(prev, doc.version, script, lineChanges![0]) : undefined;
    if (next) {
      this.stats.incremental++;
    } else {
      const analysis = analyze(script ?? text);
      const firstChanged = lineChanges?.length ? Math.min(...lineChanges.map((c) => c.start)) : 0;
      const topo = new TopologyIndex(analysis.commands, prev && lineChanges ? prev.topology : undefined, firstChanged);
      next = new DocAnalysis(doc.uri, doc.version, analysis, topo);
      this.stats.full++;
      if (script) this.stats.reparsed++;
    }
    this.cache.set(doc.uri, next);
    return next;
  }

  peek(uri: string): DocAnalysis | undefined {
    return this.cache.get(uri);
  }

  delete(uri: string): void {
    this.cache.delete(uri);
  }
}
