import * as fs from 'fs';
import * as path from 'path';
import { checkRecord, CheckReport } from '../../check';
import { runCommands, RunSettings } from '../../cluster/runner';
import { analyze } from '../../language/analyzer';
import type { GossipMode, ProtocolName } from '../../protocol/messages';
import type { ClusterEvent } from '../../record/events';
import { ROOT } from '../helpers';
import { VariantName, variantFactory } from './variants';

export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'check');

export interface CheckedRun {
  events: ClusterEvent[];
  report: CheckReport;
  ok: boolean;
  error?: string;
}

/** Runs a script's text traced (model by default, with a variant's servers) and checks its record. */
export async function runAndCheck(text: string, gossip: GossipMode, opts: { variant?: VariantName; seed?: number; backend?: RunSettings['backend']; protocol?: ProtocolName } = {}): Promise<CheckedRun> {
  const analysis = analyze(text);
  if (analysis.hasErrors) {
    const first = analysis.diagnostics.find((d) => d.severity === 'error')!;
    throw new Error(`script has errors: line ${first.range.start.line + 1}: ${first.message}\n${text}`);
  }
  const events: ClusterEvent[] = [];
  const backend = opts.backend ?? 'model';
  const result = await runCommands(analysis.commands, {
    seed: opts.seed ?? 1,
    gossip,
    trace: true,
    backend,
    ...(opts.protocol ? { protocol: opts.protocol } : {}),
    ...(backend === 'model' && opts.variant ? { model: { createNode: variantFactory(opts.variant) } } : {}),
  }, (e) => events.push(e));
  return { events, report: checkRecord(events), ok: result.ok, error: result.error };
}

/** A fixture's `# variant: NAME` and `# expect: RULE...` header lines. */
export function fixtureHeader(file: string): { variant: VariantName; expect: string[] } {
  const text = fs.readFileSync(file, 'utf8');
  const variant = /^# variant: (\w+)/m.exec(text)?.[1] as VariantName | undefined;
  const expect = /^# expect:(.*)$/m.exec(text)?.[1].trim().split(/\s+/).filter(Boolean);
  if (!variant || !expect) throw new Error(`${file}: needs '# variant:' and '# expect:' lines`);
  return { variant, expect };
}

/** One line per violation, for assertion messages. */
export function describeViolations(run: CheckedRun): string {
  return run.report.violations.map((v) => `${v.rule}: ${v.message} [events ${v.events.join(',')}; lines ${v.lines.join(',')}]`).join('\n');
}
