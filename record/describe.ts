// The one place where events become English: the "kvcmd log" lines, the CLI's messages, the
// diagram's labels. Failures name `file:line` so an output view links them.
import type { ClusterEvent, EventOf } from './events';
import type { GetResult } from '../protocol/messages';
import { formatStamp } from '../protocol/stamp';

export function describeGet(result: GetResult): string {
  switch (result.kind) {
    case 'value':
      return `'${result.value}' stamp ${formatStamp(result.stamp)}`;
    case 'ERR_KEY':
      return 'ERR_KEY (no value, no dependency)';
    case 'ERR_DEP':
      return `ERR_DEP (server holds ${formatStamp(result.held)}, client depends on ${formatStamp(result.dep)})`;
  }
}

/**
 * One log line for an event, or undefined for events the log leaves out (stdout goes to the
 * "kvcmd" channel; traced messages and per-server applies would drown the story of the run).
 * `file` is the script's path, used as the prefix of every line-tied entry.
 */
export function describeEvent(file: string, e: ClusterEvent): string | undefined {
  const at = 'line' in e && e.line > 0 ? `${file}:${e.line}: ` : '';
  switch (e.type) {
    case 'runStarted':
      return `run ${file}: seed ${e.seed}, gossip ${e.gossip}${e.backend === 'model' ? ', in-process model' : ''}`;
    case 'nodeStarted':
      return `${at}${e.role} ${e.id} started (pid ${e.pid}, port ${e.port})`;
    case 'nodeKilled':
      return `${at}server ${e.id} killed (its store is lost)`;
    case 'linkCut':
      return `${at}link ${e.a} – ${e.b} cut`;
    case 'linkCreated':
      return `${at}link ${e.a} – ${e.b} created`;
    case 'put':
      return `${at}put by client ${e.client}: ${e.key}=${e.value} applied by server ${e.server} with stamp ${formatStamp(e.stamp)} (client counter ${e.counter})`;
    case 'get':
      return `${at}get by client ${e.client} of ${e.key} from server ${e.server}: ${describeGet(e.result)}; dependency ${formatStamp(e.depBefore)} → ${formatStamp(e.depAfter)}`;
    case 'failed':
      return `${at}error: ${e.op} by client ${e.client} of ${e.key} failed: ${e.reason}`;
    case 'stabilizeBegun':
      return `${at}stabilize #${e.epoch} begun`;
    case 'stabilizeGroup':
      return `${at}stabilize #${e.epoch}: group {${e.members.join(', ')}} (root ${e.root}) now identical`;
    case 'stabilizeDone':
      return `${at}stabilize #${e.epoch} done in ${formatMs(e.ms)}`;
    case 'storePrinted':
      return `${at}printStore ${e.server}: ${e.entries.length === 0 ? 'empty' : e.entries.map((x) => `${x.key}=${x.value} ${formatStamp(x.stamp)}`).join(', ')}`;
    case 'fault':
      return `${at}${describeFault(e)}`;
    case 'serverPaused':
      return `${at}server ${e.server} paused (what is sent to it waits)`;
    case 'serverResumed':
      return `${at}server ${e.server} resumed`;
    case 'runFinished':
      // A finished run gets its summary line (with the seed) from extension/runLog.ts; only a failure adds detail here.
      return e.ok ? undefined : `run failed: ${e.error ?? 'unknown error'} (after ${formatMs(e.ms)})`;
    case 'applied':
    case 'send':
    case 'deliver':
    case 'lost':
    case 'stdout':
      return undefined;
  }
}

/** A message's label: its kind and what it carries, e.g. `gossip color=blue (3,0)`. */
export function describeMessage(e: EventOf<'send'>): string {
  const b = e.body;
  const entry = (): string => `${b.key}=${b.value} ${formatStamp(b.stamp)}`;
  switch (e.kind) {
    case 'put': return `put ${b.key}=${b.value}`;
    case 'putReply': return `put ${b.key} stamped ${formatStamp(b.stamp)}`;
    case 'get': return `get ${b.key}` + (b.dep ? ` dep ${formatStamp(b.dep)}` : '');
    case 'getReply': return `get ${b.key} → ` + (b.result?.kind === 'value' ? `${b.result.value} ${formatStamp(b.result.stamp)}` : b.result?.kind ?? '?');
    case 'gossip': return `gossip ${entry()}`;
    case 'spread': return `spread ${entry()}`;
    case 'gossipAck': return 'gossip ack';
    case 'explore': return `explore #${b.epoch}`;
    case 'exploreReply': return `gather #${b.epoch}: ` + (b.joined ? `${b.entries} entries` : 'already visited');
    case 'install': return `install #${b.epoch}: ${b.entries} entries`;
    case 'installAck': return `installed #${b.epoch}`;
  }
}

/** A fault command as the record keeps it, in words: `messages 0 → 1 delayed 100-300 ms`. */
export function describeFault(e: EventOf<'fault'>): string {
  const link = `messages ${e.from === '*' ? 'from any node' : `from ${e.from}`} ${e.to === '*' ? 'to any node' : `to ${e.to}`}`;
  switch (e.fault) {
    case 'delay': {
      const ms = e.maxMs !== undefined && e.maxMs !== e.ms ? `${e.ms ?? 0}-${e.maxMs} ms` : `${e.ms ?? 0} ms`;
      return e.ms === 0 && !e.maxMs ? `${link}: no delay` : `${link} delayed ${ms}`;
    }
    case 'drop': return e.p ? `${link} dropped with probability ${e.p}` : `${link}: none dropped`;
    case 'duplicate': return e.p ? `${link} duplicated with probability ${e.p}` : `${link}: none duplicated`;
    case 'heal': return `${link} travel normally (no delay, loss or copy)`;
  }
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
