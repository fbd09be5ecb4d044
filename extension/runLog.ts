// The "kvcmd log" channel's story of each run: a header with seed and gossip, one line per event
// that record/describe.ts's describeEvent tells, what nodes print on stderr, and how the run ended.
import * as vscode from 'vscode';
import { describeEvent, formatMs } from '../record/describe';
import type { RunManager, RunRecord } from './runs';

export function registerRunLog(runs: RunManager, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.Disposable.from(
    runs.onDidStartRun((r) => {
      for (const w of r.warnings) log.warn(w);
      log.info(`── ${r.name}${upTo(r)}: ${r.commands.length} command(s), seed ${r.seed}, gossip ${r.gossip}, protocol ${r.protocol}`);
    }),
    runs.onDidRunEvent(({ record, event }) => {
      const text = describeEvent(record.name, event);
      if (!text) return;
      if (event.type === 'failed' || (event.type === 'runFinished' && !event.ok)) log.error(text);
      else log.info(text);
    }),
    runs.onDidNodeError(({ node, text }) => log.warn(`[node ${node ?? '?'}] ${text.trimEnd()}`)),
    runs.onDidFinishRun((r) => {
      if (r.state === 'stopped') {
        log.warn(`${r.name}: run ${r.stopReason ?? 'stopped'}`);
        return;
      }
      const outcome = r.state === 'ok' ? (r.failures ? `finished with ${r.failures} failed command(s)` : 'finished') : `failed: ${r.error ?? 'unknown error'}`;
      const line = `── ${r.name}: ${outcome} in ${formatMs(r.ms ?? 0)}, ${r.commands.length} command(s), seed ${r.seed} (set kvcmd.seed to ${r.seed} to repeat it)`;
      if (r.state === 'ok') log.info(line);
      else log.error(line);
    }),
  );
}

function upTo(r: RunRecord): string {
  return r.toLine === undefined ? '' : ` up to line ${r.toLine + 1}`;
}
