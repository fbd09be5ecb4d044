// The conformance kit (`kvcmd conform`, docs/nodes.md "The conformance kit"): the probes of
// probes.ts, then every script of conform/scripts/ run against the nodes under test, each judged
// by the history checker and, where the script's output is fixed by the protocol, by its expected
// output. What fails is told as the rule it breaks and the script line where it shows.
import * as fs from 'fs';
import * as path from 'path';
import type { NodeCommands } from '../cluster/nodeCommands';
import type { GossipMode } from '../protocol/messages';
import { runScriptTest, type ScriptTestResult } from '../testing/scriptTests';
import { PROBES } from './probes';

/** Where the kit's scripts are: beside this file in the source tree, two folders up from out/conform/. */
export const KIT_DIR = [path.join(__dirname, 'scripts'), path.join(__dirname, '..', '..', 'conform', 'scripts')].find((d) => fs.existsSync(d))
  ?? path.join(__dirname, 'scripts');

export interface KitScript {
  name: string;
  file: string;
  /** What it exercises: its first comment line. */
  title: string;
  /** Its `# gossip: MODE` comment, else settled. */
  gossip: GossipMode;
  /** Its expected stdout: NAME.expected (settled), NAME.off.expected (off); none in async mode, where the checker alone decides. */
  expected: string | undefined;
}

export interface KitFailure {
  /** A probe's rule, `protocol`, a checker rule, or `output`. */
  rule: string;
  message: string;
  /** The script and its 1-based line, when the failure has one. */
  file?: string;
  line?: number;
}

export interface KitResult {
  name: string;
  kind: 'probe' | 'script';
  title: string;
  ok: boolean;
  ms: number;
  failures: KitFailure[];
  /** Not failures: a put/get that failed on purpose, an output not compared. */
  notes: string[];
}

export function kitScripts(dir = KIT_DIR): KitScript[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.kvcmd')).sort().map((f) => {
    const file = path.join(dir, f);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const title = lines.find((l) => l.startsWith('#'))?.replace(/^#\s*/, '') ?? f;
    const mode = lines.map((l) => /^#\s*gossip:\s*(settled|async|off)\s*$/.exec(l)?.[1]).find((m) => m !== undefined) as GossipMode | undefined;
    const gossip = mode ?? 'settled';
    const base = file.slice(0, -'.kvcmd'.length);
    const expected = gossip === 'async' ? undefined : gossip === 'off' ? `${base}.off.expected` : `${base}.expected`;
    return { name: f, file, title, gossip, expected };
  });
}

export interface KitOptions {
  nodes: NodeCommands;
  /** Only probes and scripts whose name contains one of these. */
  only?: readonly string[];
  signal?: AbortSignal;
  /** Called with each result as soon as it is known. */
  each?: (r: KitResult) => void;
  dir?: string;
}

export async function runKit(options: KitOptions): Promise<KitResult[]> {
  const wanted = (name: string): boolean => !options.only || options.only.length === 0 || options.only.some((o) => name.includes(o));
  const results: KitResult[] = [];
  const add = (r: KitResult): void => {
    results.push(r);
    options.each?.(r);
  };
  for (const probe of PROBES) {
    if (options.signal?.aborted) break;
    if (!wanted(probe.name)) continue;
    const t0 = performance.now();
    const why = await probe.run(options.nodes);
    add({ name: probe.name, kind: 'probe', title: probe.title, ok: why === undefined, ms: performance.now() - t0, failures: why === undefined ? [] : [{ rule: probe.rule, message: why }], notes: [] });
  }
  for (const script of kitScripts(options.dir)) {
    if (options.signal?.aborted) break;
    if (!wanted(script.name)) continue;
    const r = await runScriptTest({ script: script.file, expected: script.expected ?? `${script.file}.no-expected-output` }, {
      gossip: script.gossip, seed: 1, backend: 'processes', nodes: options.nodes, exact: true, ...(options.signal ? { signal: options.signal } : {}),
    });
    if (r.cancelled) break;
    add(judge(script, r));
  }
  return results;
}

/** A script's run as the kit tells it: each failure with its rule and line. */
function judge(script: KitScript, r: ScriptTestResult): KitResult {
  const failures: KitFailure[] = [];
  const notes: string[] = [];
  const file = script.file;
  if (r.hasErrors) failures.push({ rule: 'script', message: `the kit's script has errors: ${r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; ')}`, file });
  if (r.runError !== undefined) {
    const m = /^line (\d+): (.*)$/s.exec(r.runError) ?? /^(?:node \d+ ended unexpectedly .* during line )(\d+)$/s.exec(r.runError);
    const line = m ? Number(m[1]) : undefined;
    const message = m && m[2] !== undefined ? m[2] : r.runError;
    failures.push({ rule: 'protocol', message: r.nodeErrors ? `${message}\n${r.nodeErrors.trimEnd()}` : message, file, ...(line ? { line } : {}) });
  }
  for (const v of r.violations) failures.push({ rule: v.rule, message: v.message, file, ...(v.line ? { line: v.line } : {}) });
  if (script.expected !== undefined && r.runError === undefined && !r.hasErrors) {
    if (r.expected === undefined) failures.push({ rule: 'output', message: `the kit has no expected output ${path.basename(script.expected)}`, file });
    else if (r.mismatch) {
      const m = r.mismatch;
      const expected = m.expectedLine === undefined ? 'nothing' : `'${m.expectedLine}'`;
      const actual = m.actualLine === undefined ? 'nothing' : `'${m.actualLine}'`;
      failures.push({ rule: 'output', message: `${m.summary}: expected ${expected}, got ${actual}`, file, ...(m.scriptLine ? { line: m.scriptLine } : {}) });
    }
  }
  if (script.gossip === 'async') notes.push('async gossip: the output is not compared, the checker decides');
  if (r.failedOps > 0) notes.push(`${r.failedOps} put/get failed (no reachable server), as the script may intend; its output shows it`);
  return { name: script.name, kind: 'script', title: script.title, ok: failures.length === 0, ms: r.ms, failures, notes };
}
