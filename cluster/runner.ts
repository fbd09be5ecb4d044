import { Command } from '../language/commands';
import { GossipMode } from '../protocol/messages';
import { ClusterEvent, ClusterSnapshot } from '../record/events';
import { NodeHost } from './host';
import { Master } from './master';
import { ModelHost } from './modelHost';
import { ProcessHost, ProcessHostOptions } from './processHost';

export interface RunSettings {
  seed: number;
  gossip: GossipMode;
  /** Report every message between nodes as an event. */
  trace?: boolean;
  /** 'processes' (default): real node processes; 'model': the in-process simulated network. */
  backend?: 'processes' | 'model';
  process?: ProcessHostOptions;
  signal?: AbortSignal;
}

export interface RunResult {
  ok: boolean;
  error?: string;
  snapshot?: ClusterSnapshot;
  ms: number;
}

export function createHost(settings: RunSettings): NodeHost {
  return settings.backend === 'model' ? new ModelHost() : new ProcessHost(settings.process);
}

/**
 * Runs a checked script from start to end and always shuts every node down, whatever happens:
 * the one entry point for the CLI, the editor and the tests.
 */
export async function runCommands(commands: readonly Command[], settings: RunSettings, onEvent: (e: ClusterEvent) => void): Promise<RunResult> {
  const started = performance.now();
  const host = createHost(settings);
  const master = new Master(host, { seed: settings.seed, gossip: settings.gossip, trace: settings.trace ?? false });
  const abort = (): void => void master.close();
  settings.signal?.addEventListener('abort', abort);
  let result: RunResult;
  try {
    master.onEvent(onEvent);
    onEvent({ type: 'runStarted', seed: settings.seed, gossip: settings.gossip, backend: host.kind });
    await master.run(commands, settings.signal);
    const snapshot = await master.snapshot();
    result = { ok: true, snapshot, ms: performance.now() - started };
  } catch (err) {
    result = { ok: false, error: settings.signal?.aborted ? 'run cancelled' : err instanceof Error ? err.message : String(err), ms: performance.now() - started };
  } finally {
    settings.signal?.removeEventListener('abort', abort);
    await master.close();
  }
  onEvent({ type: 'runFinished', ok: result.ok, ms: result.ms, ...(result.error ? { error: result.error } : {}) });
  return result;
}

export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
