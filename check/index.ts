import * as fs from 'fs';
import type { ClusterEvent } from '../record/events';
import { CheckReport, checkRecord, Violation } from './checker';
import { parseRecord, RecordError } from './record';

export { checkRecord, RULES } from './checker';
export type { CheckReport, Rule, Violation } from './checker';
export { parseRecord, RecordError } from './record';

interface Out {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** `RECORD:EVENTLINE: rule: message (script line N, M)`: the main witness's line in the record file. */
export function formatViolation(recordName: string, v: Violation, lineOf: readonly number[]): string {
  const where = lineOf[v.events[0]] ?? v.events[0] + 1;
  const others = v.events.slice(1).map((i) => lineOf[i] ?? i + 1);
  const also = others.length > 0 ? `; see record line${others.length > 1 ? 's' : ''} ${others.join(', ')}` : '';
  const lines = v.lines.length > 0 ? ` (script line ${v.lines.join(', ')})` : '';
  return `${recordName}:${where}: ${v.rule}: ${v.message}${also}${lines}`;
}

/**
 * `SCRIPT:LINE: rule: message (record lines ...)`: a violation found by `kvcmd run --check`, located
 * at its main witness's script line; record lines are those `--events` would write.
 */
export function formatForScript(scriptName: string, v: Violation, events: readonly ClusterEvent[]): string {
  const main = events[v.events[0]];
  const first = main && 'line' in main ? main.line : v.lines[0];
  const more = v.lines.filter((l) => l !== first);
  const also = more.length > 0 ? `; script line${more.length > 1 ? 's' : ''} ${more.join(', ')}` : '';
  return `${scriptName}:${first ?? 0}: ${v.rule}: ${v.message}${also} (record line${v.events.length > 1 ? 's' : ''} ${v.events.map((i) => i + 1).join(', ')})`;
}

function summary(report: CheckReport): string {
  const n = report.violations.length;
  return `${n === 0 ? 'no violations' : `${n} violation${n === 1 ? '' : 's'}`} in ${report.events} events (${report.traced ? 'traced' : 'untraced'}, gossip ${report.gossip ?? '?'})`;
}

/**
 * `kvcmd verify RECORD`: 0 clean, 1 with violations (one line each on stdout), 2 when the record is
 * malformed (one located error on stderr). Notes and the summary go to stderr.
 */
export function verifyFile(file: string, io: Out): number {
  const name = file === '-' ? '<stdin>' : file;
  const text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
  let record;
  try {
    record = parseRecord(text);
  } catch (err) {
    if (err instanceof RecordError) {
      io.err(err.format(name) + '\n');
      return 2;
    }
    throw err;
  }
  const report = checkRecord(record.events);
  for (const v of report.violations) io.out(formatViolation(name, v, record.lineOf) + '\n');
  for (const note of report.notes) io.err(`kvcmd: verify: note: ${note}\n`);
  io.err(`kvcmd: verify: ${name}: ${summary(report)}\n`);
  return report.violations.length > 0 ? 1 : 0;
}

/** `kvcmd run --check`: checks the run's record; violations on stderr, located in the script. Returns whether it was clean. */
export function checkRun(scriptName: string, events: readonly ClusterEvent[], err: (s: string) => void): boolean {
  const report = checkRecord(events);
  for (const v of report.violations) err(formatForScript(scriptName, v, events) + '\n');
  for (const note of report.notes) err(`kvcmd: check: note: ${note}\n`);
  err(`kvcmd: check: ${summary(report)}\n`);
  return report.violations.length === 0;
}
