// A run as a ShiViz log (https://bestchai.bitbucket.io/shiviz/): each event of a node as two
// lines, the event's text, then the node's name and its vector clock as JSON:
//
//   send gossip 0.2 to server 1: gossip color=blue (2,0) [line 15]
//   server0 {"server0":4,"client10":2}
//
// The file starts with the parser's regular expression (ShiViz reads the first line as such)
// and an empty second line (no delimiter between executions): it can be uploaded as it is.
import type { ClusterEvent, EventOf } from '../record/events';
import type { NodeId } from '../protocol/messages';
import { describeMessage } from '../record/describe';
import { formatStamp } from '../protocol/stamp';

/** ShiViz's default parser: the event on one line, then host and clock on the next. */
export const SHIVIZ_REGEX = String.raw`(?<event>.*)\n(?<host>\S*) (?<clock>{.*})`;

type Clock = Map<string, number>;

export interface ShivizEntry {
  host: string;
  text: string;
  clock: Record<string, number>;
  /** Index of the event in the record. */
  index: number;
}

/**
 * The events of the record that happen on a node, with vector clocks computed by walking the
 * record in order: every logged event increments its node's own entry (ShiViz wants them
 * numbered 1, 2, 3... per host); a delivery first merges the vector the sender had at the send.
 * Local events: join, kill, applied, loss, put/get results and failures, printStore, a
 * stabilize group (on its root), link changes (on their first node). The master's own steps
 * (stabilize begun/done, stdout) belong to no node and are left out. A killed server that joins
 * again keeps its host name and its clock goes on: its new life comes after its old one.
 */
export function shivizEntries(events: readonly ClusterEvent[]): ShivizEntry[] {
  const clocks = new Map<NodeId, Clock>();
  const roles = new Map<NodeId, string>();
  const atSend = new Map<string, Clock>();
  const out: ShivizEntry[] = [];
  const host = (n: NodeId): string => `${roles.get(n) ?? 'node'}${n}`;
  const clockOf = (n: NodeId): Clock => {
    let c = clocks.get(n);
    if (!c) clocks.set(n, (c = new Map()));
    return c;
  };
  const tick = (n: NodeId, text: string, index: number, merge?: Clock): Clock => {
    const c = clockOf(n);
    if (merge) for (const [h, v] of merge) c.set(h, Math.max(c.get(h) ?? 0, v));
    const me = host(n);
    c.set(me, (c.get(me) ?? 0) + 1);
    out.push({ host: me, text, clock: Object.fromEntries(c), index });
    return c;
  };
  const line = (e: { line: number }): string => (e.line > 0 ? ` [line ${e.line}]` : '');
  const ends = (e: EventOf<'deliver' | 'lost'>): string => `${e.kind} ${e.msg}${e.re ? ` (reply to ${e.re})` : ''}`;

  events.forEach((e, i) => {
    switch (e.type) {
      case 'nodeStarted':
        roles.set(e.id, e.role);
        tick(e.id, `${e.role} ${e.id} started${line(e)}`, i);
        return;
      case 'nodeKilled':
        tick(e.id, `server ${e.id} killed${line(e)}`, i);
        return;
      case 'linkCut':
      case 'linkCreated':
        tick(e.a, `link ${e.a} - ${e.b} ${e.type === 'linkCut' ? 'cut' : 'created'}${line(e)}`, i);
        return;
      case 'send': {
        const c = tick(e.node, `send ${e.kind} ${e.msg} to ${host(e.to)}: ${describeMessage(e)} (Lamport ${e.counter})${line(e)}`, i);
        atSend.set(e.msg, new Map(c));
        return;
      }
      case 'deliver': {
        // A second copy (a duplicate fault) merges nothing new: its send was merged by the first.
        const sent = atSend.get(e.msg);
        atSend.delete(e.msg);
        tick(e.node, `receive ${e.duplicate ? 'again (a copy, discarded) ' : ''}${ends(e)} from ${host(e.from)} (Lamport ${e.counter})${line(e)}`, i, sent);
        return;
      }
      case 'lost':
        atSend.delete(e.msg);
        tick(e.node, `lost ${ends(e)} from ${host(e.from)} to ${host(e.to)}: ${e.reason}${line(e)}`, i);
        return;
      case 'applied':
        tick(e.node, `applied ${e.key}=${e.value} ${formatStamp(e.stamp)} via ${e.via} from ${e.from}${line(e)}`, i);
        return;
      case 'put':
        tick(e.client, `put ${e.key}=${e.value} done by server ${e.server}, stamp ${formatStamp(e.stamp)}${line(e)}`, i);
        return;
      case 'get':
        tick(e.client, `get ${e.key} from server ${e.server}: ${e.result.kind === 'value' ? `${e.result.value} ${formatStamp(e.result.stamp)}` : e.result.kind}${line(e)}`, i);
        return;
      case 'failed':
        tick(e.client, `${e.op} ${e.key} failed: ${e.reason}${line(e)}`, i);
        return;
      case 'storePrinted':
        tick(e.server, `printStore: ${e.entries.length === 0 ? 'empty' : e.entries.map((x) => `${x.key}=${x.value} ${formatStamp(x.stamp)}`).join(', ')}${line(e)}`, i);
        return;
      case 'stabilizeGroup':
        tick(e.root, `stabilize #${e.epoch}: group {${e.members.join(', ')}} identical${line(e)}`, i);
        return;
      case 'serverPaused':
      case 'serverResumed':
        tick(e.server, `server ${e.server} ${e.type === 'serverPaused' ? 'paused' : 'resumed'}${line(e)}`, i);
        return;
      default:
        return;
    }
  });
  return out;
}

/** The whole file: the regular expression, an empty delimiter line, then two lines per entry. */
export function shivizLog(events: readonly ClusterEvent[]): string {
  const lines = [SHIVIZ_REGEX, ''];
  for (const x of shivizEntries(events)) {
    // One line each, whatever a value holds.
    lines.push(x.text.replace(/[\r\n\u2028\u2029]+/g, ' '), `${x.host} ${JSON.stringify(x.clock)}`);
  }
  return lines.join('\n') + '\n';
}
