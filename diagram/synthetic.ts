// A generated record of any number of messages, for the diagram's tests and benchmark: a valid
// record (happened-before order, Lamport counters that grow as the protocol's do), without
// running anything. Every `lossEvery`-th message is lost, alternately at a cut link (reported by
// the receiver) and to an unreachable node (reported by the sender).
import type { ClusterEvent } from '../record/events';
import type { MessageKind, NodeId } from '../protocol/messages';

export interface SyntheticOptions {
  messages: number;
  servers?: number;
  clients?: number;
  /** Messages per script line (the bands). */
  perLine?: number;
  lossEvery?: number;
}

export function syntheticRecord(o: SyntheticOptions): ClusterEvent[] {
  const servers = o.servers ?? 5, clients = o.clients ?? 5, perLine = o.perLine ?? 10, lossEvery = o.lossEvery ?? 1000;
  const events: ClusterEvent[] = [{ type: 'runStarted', format: 'kvcmd-record', version: 1, seed: 1, gossip: 'settled', backend: 'model' }];
  const counter = new Map<NodeId, number>();
  const sent = new Map<NodeId, number>();
  let line = 1;
  for (let s = 0; s < servers; s++) {
    events.push({ type: 'nodeStarted', line, step: line, id: s, role: 'server', port: 0, pid: 0 });
    for (let p = 0; p < s; p++) events.push({ type: 'linkCreated', line, step: line, a: s, b: p });
    counter.set(s, 0);
    line++;
  }
  for (let c = 0; c < clients; c++) {
    const id = 100 + c;
    events.push({ type: 'nodeStarted', line, step: line, id, role: 'client', port: 0, pid: 0 });
    events.push({ type: 'linkCreated', line, step: line, a: id, b: c % servers });
    counter.set(id, 0);
    line++;
  }
  const kinds: MessageKind[] = ['gossip', 'gossipAck', 'put', 'putReply', 'get', 'getReply'];
  // Messages go out in pairs, both sent before either arrives, so arrows cross as real ones do.
  for (let i = 0; i < o.messages; i += 2) {
    const l = line + Math.floor(i / perLine);
    const pair: { msg: string; from: NodeId; to: NodeId; kind: MessageKind; counter: number }[] = [];
    for (let j = i; j < Math.min(i + 2, o.messages); j++) {
      const from = j % 7 === 3 && clients > 0 ? 100 + (j % clients) : j % servers;
      const to = from >= 100 ? (from - 100) % servers : (from + 1 + (j % (servers - 1 || 1))) % servers;
      const kind = kinds[j % kinds.length];
      const n = (sent.get(from) ?? 0) + 1;
      sent.set(from, n);
      const c = (counter.get(from) ?? 0) + 1;
      counter.set(from, c);
      const msg = `${from}.${n}`;
      pair.push({ msg, from, to, kind, counter: c });
      events.push({ type: 'send', line: l, step: l, msg, from, to, kind, node: from, counter: c, body: { key: `k${j % 50}`, value: `v${j}`, stamp: { counter: c, server: from }, epoch: 1, entries: 0 } });
    }
    pair.forEach((m, k) => {
      const j = i + k;
      if (lossEvery > 0 && j % lossEvery === lossEvery - 1) {
        const atSender = Math.floor(j / lossEvery) % 2 === 1;
        const node = atSender ? m.from : m.to;
        events.push({ type: 'lost', line: l, step: l, msg: m.msg, from: m.from, to: m.to, kind: m.kind, node, counter: counter.get(node) ?? 0, reason: atSender ? 'unreachable' : 'link cut' });
        return;
      }
      const c = Math.max(counter.get(m.to) ?? 0, m.counter) + 1;
      counter.set(m.to, c);
      events.push({ type: 'deliver', line: l, step: l, msg: m.msg, from: m.from, to: m.to, kind: m.kind, node: m.to, counter: c });
    });
  }
  events.push({ type: 'runFinished', ok: true, ms: 0 });
  return events;
}

/** The script lines a synthetic record names: enough of them for its bands to have text. */
export function syntheticScript(o: SyntheticOptions): string[] {
  const servers = o.servers ?? 5, clients = o.clients ?? 5, perLine = o.perLine ?? 10;
  const lines: string[] = [];
  for (let s = 0; s < servers; s++) lines.push(`joinServer ${s}`);
  for (let c = 0; c < clients; c++) lines.push(`joinClient ${100 + c} ${c % servers}`);
  for (let i = 0; i < Math.ceil(o.messages / perLine); i++) lines.push(`put ${100 + (i % Math.max(1, clients))} k${i % 50} v${i}`);
  return lines;
}
