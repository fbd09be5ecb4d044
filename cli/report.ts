import { ClusterEvent } from '../record/events';

/**
 * Turns run events into the CLI's two streams: stdout gets exactly SPEC section 4, stderr gets the
 * failures that name their script line.
 */
export function reportEvent(name: string, e: ClusterEvent, out: (s: string) => void, err: (s: string) => void): void {
  switch (e.type) {
    case 'stdout':
      out(e.text + '\n');
      return;
    case 'failed':
      err(`${name}:${e.line}: error: ${e.op} by client ${e.client} failed: ${e.reason}\n`);
      return;
    case 'runStarted':
      err(`kvcmd: seed ${e.seed}, gossip ${e.gossip}${e.backend === 'model' ? ', in-process model' : ''}\n`);
      return;
    case 'runFinished':
      if (!e.ok) err(`kvcmd: run failed: ${e.error}\n`);
      return;
    default:
      return;
  }
}
