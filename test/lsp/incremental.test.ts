// In-process checks of the server's caches against the language library they shortcut:
// single-line re-analysis must equal `analyze`, topology snapshots must equal `topologyBefore`,
// and run-result lines must follow edits.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Range } from 'vscode-languageserver-protocol';
import { Analysis, analyze, topologyBefore } from '../../language/index';
import { AnalysisCache } from '../../lsp/analysisCache';
import { DocumentStore, mapLineBack } from '../../lsp/documents';
import { TopologyIndex } from '../../lsp/topologyIndex';
import { ROOT } from './lspClient';

/** A small deterministic generator (xorshift), so failures replay. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

const PIECES = ['a', '1', '0', ' ', ':', '#', 'x', '5', '\t', 'stabilize', 'get', 'put', 'joinServer', 'killServer', 'printStore', '9', 'k'];

function comparable(a: Analysis): unknown {
  return {
    lines: a.script.lines, text: a.script.text, eol: a.script.eol, commands: a.commands, diagnostics: a.diagnostics,
    hasErrors: a.hasErrors, references: a.references, keys: a.keys, ids: a.ids,
  };
}

function topoSummary(a: Analysis, line0: number, t = topologyBefore(a.commands, line0 + 1)): string {
  const servers = [...t.servers.values()].map((s) => `${s.id}:${s.alive}:${s.joinLine}:${s.killLine}`).sort().join(',');
  const clients = [...t.clients.values()].map((c) => `${c.id}:${t.liveLinkedServers(c.id).join('+')}:${c.lostLink?.line}`).sort().join(',');
  const links = t.liveServers().map((s) => `${s}>${t.linksOf(s).join('+')}`).join(',');
  return `${servers}|${clients}|${links}`;
}

describe('single-line re-analysis', () => {
  const files = ['test/fixtures/lsp/cluster.kvcmd', 'test/fixtures/lsp/mistakes.kvcmd', 'test/fixtures/cluster/rejoin-and-relink.kvcmd',
    'test/fixtures/language/partition.kvcmd', 'test/fixtures/language/crash.kvcmd']
    .map((f) => path.join(ROOT, f)).filter((f) => fs.existsSync(f));

  it('gives exactly what analyze gives, over thousands of random edits', () => {
    const random = rng(20260102);
    let incremental = 0;
    let full = 0;
    let reparsed = 0;
    for (const file of files) {
      const original = fs.readFileSync(file, 'utf8');
      for (const eol of ['\n', '\r\n']) {
        const store = new DocumentStore();
        const cache = new AnalysisCache();
        const uri = `file:///${path.basename(file)}`;
        const doc = store.open(uri, 'kvcmd', 1, original.replace(/\n/g, eol));
        cache.get(doc);
        for (let step = 0; step < 400; step++) {
          const lines = doc.getText().split('\n');
          const line = Math.floor(random() * lines.length);
          const len = lines[line].replace(/\r$/, '').length;
          const start = Math.floor(random() * (len + 1));
          const del = random() < 0.4 ? Math.min(len - start, Math.floor(random() * 3)) : 0;
          // Mostly typing within a line; sometimes a line break, to exercise the full path too.
          const insert = random() < 0.05 ? '\n' : random() < 0.7 ? PIECES[Math.floor(random() * PIECES.length)] : '';
          const version = doc.version + 1;
          // Now and then an edit that spans a line break (joining two lines).
          const span = line + 1 < lines.length && random() < 0.05;
          const end = span ? { line: line + 1, character: Math.floor(random() * (lines[line + 1].replace(/\r$/, '').length + 1)) } : { line, character: start + del };
          store.change(uri, version, [{ range: { start: { line, character: start }, end }, text: insert }]);
          const before = { ...cache.stats };
          const got = cache.get(doc, (since) => store.changesSince(uri, since));
          incremental += cache.stats.incremental - before.incremental;
          full += cache.stats.full - before.full;
          reparsed += cache.stats.reparsed - before.reparsed;
          const want = analyze(doc.getText());
          assert.deepEqual(comparable(got.analysis), comparable(want), `${file} step ${step}: ${JSON.stringify(insert)} at ${line}:${start}`);
          // The snapshots carried over must still be right.
          const probe = Math.floor(random() * lines.length);
          assert.equal(topoSummary(want, probe, got.topologyBefore(probe)), topoSummary(want, probe));
        }
      }
    }
    assert.ok(incremental > 1000 && full > 100 && reparsed > 100, `every path ran (incremental ${incremental}, full ${full}, reparsed ${reparsed})`);
  });
});

describe('topology snapshots', () => {
  it('match topologyBefore at every line of a long script', () => {
    const lines: string[] = [];
    for (let s = 0; s < 6; s++) lines.push(`joinServer ${s}`);
    for (let i = 0; i < 3000; i++) {
      const s = i % 6;
      const c = 100 + (i % 40);
      switch (i % 9) {
        case 0: lines.push(`joinClient ${c + 40 * Math.floor(i / 40)} ${s}`); break;
        case 1: lines.push(`breakConnection ${s} ${(s + 1) % 6}`); break;
        case 2: lines.push(`killServer ${(s + 2) % 6}`); break;
        case 3: lines.push(`joinServer ${(s + 2) % 6}`); break;
        case 4: lines.push(`createConnection ${s} ${(s + 3) % 6}`); break;
        default: lines.push(`put ${c} k${i} v`);
      }
    }
    const a = analyze(lines.join('\n'));
    const index = new TopologyIndex(a.commands);
    // Out of order on purpose: snapshots are built lazily and the memo must not leak.
    for (const line0 of [2999, 0, 1, 700, 513, 512, 511, 1024, 3005, 7, 2048, 1500]) {
      assert.equal(topoSummary(a, line0, index.before(line0)), topoSummary(a, line0), `line ${line0}`);
    }
  });
});

describe('run result lines across edits', () => {
  it('maps lines back through inserts, deletions and in-line edits', () => {
    const store = new DocumentStore();
    const uri = 'file:///m';
    const doc = store.open(uri, 'kvcmd', 1, ['l0', 'l1', 'l2', 'l3', 'l4', 'l5'].join('\n'));
    const r = (l1: number, c1: number, l2: number, c2: number): Range => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });
    store.change(uri, 2, [
      { range: r(3, 2, 3, 2), text: '\nnew a\nnew b' }, // two new lines after l3 (typed at its end)
      { range: r(0, 0, 1, 0), text: '' }, // delete l0
      { range: r(5, 0, 5, 0), text: 'new c\n' }, // a new line before l4
      { range: r(1, 1, 1, 1), text: 'X' }, // edit l2 in place
    ]);
    assert.equal(doc.getText(), ['l1', 'lX2', 'l3', 'new a', 'new b', 'new c', 'l4', 'l5'].join('\n'));
    const changes = store.changesSince(uri, 1)!;
    const back = [0, 1, 2, 3, 4, 5, 6, 7].map((l) => mapLineBack(l, changes));
    assert.deepEqual(back, [
      { line: 1, edited: false },
      { line: 2, edited: true },
      { line: 3, edited: false },
      { line: undefined, edited: true },
      { line: undefined, edited: true },
      { line: undefined, edited: true },
      { line: 4, edited: false },
      { line: 5, edited: false },
    ]);
  });

  it('keeps each version\'s changes, and gives up after a whole-text replacement', () => {
    const store = new DocumentStore();
    const doc: TextDocument = store.open('file:///a', 'kvcmd', 1, 'a\nb\nc\n');
    store.change('file:///a', 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x\n' }]);
    assert.equal(doc.getText(), 'x\na\nb\nc\n');
    assert.deepEqual(store.changesSince('file:///a', 1), [{ start: 0, oldEnd: 0, newEnd: 1, head: undefined, tail: { old: 0, edited: false } }]);
    assert.deepEqual(store.changesSince('file:///a', 2), []);
    store.change('file:///a', 3, [{ text: 'new' }]);
    assert.equal(store.changesSince('file:///a', 1), undefined);
  });
});
