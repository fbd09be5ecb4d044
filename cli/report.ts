import { describeEvent } from '../record/describe';
import { ClusterEvent } from '../record/events';

/**
 * Turns run events into the CLI's two streams: stdout gets exactly the script's output
 * (docs/output.md), stderr the seed, and the failures that name their script line, in the words
 * of record/describe.ts.
 */
export function reportEvent(name: string, e: ClusterEvent, out: (s: string) => void, err: (s: string) => void): void {
  switch (e.type) {
    case 'stdout':
      out(e.text + '\n');
      return;
    case 'failed':
      err(`${describeEvent(name, e)}\n`);
      return;
    case 'runStarted':
    case 'runFinished': {
      const text = describeEvent(name, e);
      if (text) err(`kvcmd: ${text}\n`);
      return;
    }
    default:
      return;
  }
}
