// The JUnit XML report of `kvcmd test --junit OUT.xml`: one <testsuite> of <testcase>s, a
// <failure> per failed test with a one-line message and the details (diff excerpt, diagnostics,
// violations) as its text. Written by hand: the format is small and needs no dependency.
import * as path from 'path';
import { formatDiagnostic } from '../language/diagnostics';
import type { ScriptTestResult } from './scriptTests';

/** Text and attribute escaping, dropping what XML 1.0 cannot hold at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF). */
export function xmlEscape(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
    // Attribute values normalise raw newlines and tabs to spaces: keep them as character references.
    .replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

/** Element text: like xmlEscape but newlines and tabs stay as they are (readable in the file). */
function textEscape(s: string): string {
  return xmlEscape(s).replace(/&#10;/g, '\n').replace(/&#9;/g, '\t');
}

/** The first line of why a test failed (the <failure message>). */
export function failureMessage(r: ScriptTestResult): string {
  return r.reasons.join('; ');
}

/** Every detail of a failure, as plain text: located lines a terminal or CI can jump to. */
export function failureDetails(r: ScriptTestResult, display: (file: string) => string = (f) => f): string {
  const script = display(r.test.script);
  const out: string[] = [];
  for (const d of r.diagnostics) out.push(formatDiagnostic(script, d));
  if (r.runError !== undefined) out.push(`${script}: run failed: ${r.runError}`);
  if (r.nodeErrors) out.push(r.nodeErrors.trimEnd());
  if (r.mismatch) {
    const m = r.mismatch;
    out.push(`${script}:${m.scriptLine ?? 0}: ${m.summary} (seed ${r.seed}, gossip ${r.gossip})`);
    out.push(`--- ${display(r.test.expected)}`, '+++ actual stdout', m.excerpt);
  }
  for (const v of r.violations) out.push(`${script}:${v.line ?? 0}: ${v.rule}: ${v.message}`);
  return out.join('\n');
}

export interface JunitOptions {
  /** The suite's name (default "kvcmd"). */
  name?: string;
  /** How file names are written (default: as given). */
  display?: (file: string) => string;
  timestamp?: Date;
}

export function junitXml(results: readonly ScriptTestResult[], options: JunitOptions = {}): string {
  const display = options.display ?? ((f: string) => f);
  const failures = results.filter((r) => r.status === 'failed').length;
  const time = (ms: number): string => (ms / 1000).toFixed(3);
  const total = results.reduce((t, r) => t + r.ms, 0);
  const name = xmlEscape(options.name ?? 'kvcmd');
  const stamp = (options.timestamp ?? new Date()).toISOString().replace(/\.\d+Z$/, '');
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${name}" tests="${results.length}" failures="${failures}" errors="0" skipped="0" time="${time(total)}">`,
    `  <testsuite name="${name}" tests="${results.length}" failures="${failures}" errors="0" skipped="0" time="${time(total)}" timestamp="${stamp}">`,
  ];
  for (const r of results) {
    const file = display(r.test.script);
    const dir = path.dirname(file);
    const attrs = `classname="${xmlEscape(dir === '.' ? 'kvcmd' : dir.split(path.sep).join('.'))}" name="${xmlEscape(path.basename(file))}" file="${xmlEscape(file)}" time="${time(r.ms)}"`;
    const body: string[] = [];
    if (r.status === 'failed') {
      const type = r.hasErrors ? 'script-error' : r.runError !== undefined ? 'run-error' : r.violations.length > 0 ? 'violation' : 'output';
      const line = r.mismatch?.scriptLine ?? r.violations[0]?.line;
      const where = line !== undefined ? `${file}:${line}: ` : '';
      body.push(`      <failure message="${xmlEscape(where + failureMessage(r))}" type="${type}">${textEscape(failureDetails(r, display))}</failure>`);
    }
    if (r.actual !== undefined && r.actual !== '') body.push(`      <system-out>${textEscape(r.actual)}</system-out>`);
    const err = [...r.warnings, ...r.notes.map((n) => `note: ${n}`)];
    if (err.length > 0) body.push(`      <system-err>${textEscape(err.join('\n'))}</system-err>`);
    lines.push(body.length === 0 ? `    <testcase ${attrs}/>` : `    <testcase ${attrs}>\n${body.join('\n')}\n    </testcase>`);
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
