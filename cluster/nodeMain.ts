// Entry point of one node process (server or client), forked by ProcessHost.
// It waits for `init` on its IPC channel, then runs the protocol state machine between the
// master's IPC messages and the XML-RPC transport. It is also the node's side of the network's
// faults (protocol/faults.ts): it decides the fate of each message its node sends, holds back the
// delayed ones, gives up on the dropped ones, and keeps what is meant for a paused server.
import { createNode, ProtocolNode } from '../protocol';
import { Copies, Fate, messageFacts, NO_FAULTS, noteDelay, SenderFaults } from '../protocol/faults';
import { Effects } from '../protocol/node';
import { ControlIn, Envelope, FaultTable, FromNode, NodeNotice, ToNode } from '../protocol/messages';
import { Arrival, XmlRpcTransport } from './xmlrpcTransport';

let node: ProtocolNode | undefined;
let table: FaultTable = NO_FAULTS;
let faults: SenderFaults | undefined;
/** Messages that arrived twice, until their first copy's end is reported (only a traced node reports). */
const copies = new Copies();
/** What this node sent to a paused server, in send order, until the master says it may go. */
const held: { env: Envelope; how?: Arrival; reported?: true }[] = [];
/**
 * Per command step, the requests this node sent and has no answer to yet (held ones included).
 * The master hears of a held request only once every other request of its step is answered:
 * then whatever that step set off has done all it can before the resume (the rest waits on this
 * node), and a master in settled mode that stops waiting there sees the same run every time.
 */
const outstanding = new Map<number, number>();
/**
 * A client's commands that came while it still waited for an answer: the master may go on once the
 * server has answered (`served`), before this client has read the answer; they are taken after it.
 */
const waitingControls: ControlIn[] = [];

const transport = new XmlRpcTransport((env, how) => receive(env, how), (why) => process.stderr.write(`refused ${why}\n`));
// Forked by ProcessHost: every peer is a node like this one (a run with nodes you bring starts
// kvcmd's own nodes as externalNodeMain.js, which speaks docs/nodes.md's struct form).
transport.compactWire();

/** Async mode: the least time between two gossip calls to one server (XmlRpcTransport.paceGossip). */
const ASYNC_GOSSIP_PACE_MS = 100;

function send(m: FromNode): void {
  process.send?.(m);
}

function report(notices: NodeNotice[]): void {
  send({ kind: 'notices', notices, at: performance.timeOrigin + performance.now() });
}

function receive(env: Envelope, how: Arrival | undefined): void {
  if (!node) return;
  if (how?.dropped) return giveUp(node, env);
  if (how?.copies && node.config.trace) copies.expect(env);
  dispatch(node.handleMessage(env));
  if (env.replyTo !== 0) answered(env.cause.step);
}

/** A message of an exchange this node started was dropped: it learns that the reply will not come. */
function giveUp(n: ProtocolNode, env: Envelope): void {
  dispatch(n.handleDropped(env));
  answered(env.cause.step);
}

function answered(step: number): void {
  const n = (outstanding.get(step) ?? 0) - 1;
  if (n > 0) outstanding.set(step, n);
  else outstanding.delete(step);
  reportHeld(step);
  while (waitingControls.length > 0 && outstanding.size === 0) onControl(waitingControls.shift()!);
}

/** Tells the master of this step's held messages once nothing else of the step is outstanding here. */
function reportHeld(step: number): void {
  const waiting = held.filter((h) => h.env.cause.step === step && h.env.replyTo === 0);
  if (waiting.length === 0 || waiting.length < (outstanding.get(step) ?? 0)) return;
  const news = waiting.filter((h) => !h.reported);
  if (news.length === 0) return;
  for (const h of news) h.reported = true;
  report(news.map((h) => ({ type: 'held', node: h.env.from, msg: messageFacts(h.env) })));
}

function dispatch(fx: Effects): void {
  if (copies.size > 0) fx.notices = copies.mark(fx.notices);
  const fates = faults?.active ? fx.sends.map((env) => faults!.fate(env)) : undefined;
  if (fates && node?.config.trace) fx.sends.forEach((env, i) => fates[i].delay > 0 && noteDelay(fx.notices, env, fates[i].delay));
  // Notices go first: once the master has a step's answer, it has everything the step reported (IPC keeps order).
  if (fx.notices.length > 0) report(fx.notices);
  for (const env of fx.sends) if (env.replyTo === 0 && env.id !== 0) outstanding.set(env.cause.step, (outstanding.get(env.cause.step) ?? 0) + 1);
  if (fates) fx.sends.forEach((env, i) => route(env, fates[i]));
  else for (const env of fx.sends) transport.send(env);
  for (const msg of fx.replies) send({ kind: 'control', msg });
  if (!fates && node?.role === 'server' && !node.config.trace) reportServed(fx.sends);
}

/** A server answered a client's put or get: the master hears it now (NodeNotice `served`), after the client's answer is on its way. */
function reportServed(sends: Envelope[]): void {
  for (const env of sends) {
    const b = env.body;
    if (env.replyTo === 0 || (b.type !== 'putReply' && b.type !== 'getReply')) continue;
    report([{ type: 'served', server: env.from, client: env.to, step: env.cause.step, reply: b }]);
  }
}

/** Sends a message as its fate says: after its delay, lost, doubled, or held for a paused server. */
function route(env: Envelope, fate: Fate): void {
  const go = (): void => {
    if (fate.dropped) {
      // A dropped request never leaves: this node gives up on it. A dropped reply goes out marked
      // so, and the requester's transport makes its node give up.
      if (env.replyTo === 0) setImmediate(() => node && giveUp(node, env));
      else transport.send(env, { dropped: true });
      return;
    }
    const how: Arrival | undefined = fate.copies > 1 ? { copies: 2 } : undefined;
    if (env.id !== 0 && faults?.isPaused(env.to)) {
      held.push({ env, how });
      // A reply is nobody's wait here: said at once. A request once its step can do nothing more.
      if (env.replyTo !== 0) {
        held[held.length - 1].reported = true;
        report([{ type: 'held', node: env.from, msg: messageFacts(env) }]);
      } else {
        reportHeld(env.cause.step);
      }
      return;
    }
    transport.send(env, how);
  };
  if (fate.delay > 0) setTimeout(go, fate.delay);
  else go();
}

function onControl(msg: ControlIn): void {
  const b = msg.body;
  const ok = (): void => send({ kind: 'control', msg: { seq: msg.seq, result: { type: 'ok' } } });
  if (b.type === 'init') {
    node = createNode(b);
    faults = new SenderFaults(b.id);
    faults.set(table);
    if (b.gossip === 'async') transport.paceGossip(ASYNC_GOSSIP_PACE_MS);
    ok();
    return;
  }
  if (b.type === 'shutdown') {
    ok();
    process.exit(0);
  }
  if (b.type === 'faults') {
    table = b.table;
    faults?.set(table);
    ok();
    return;
  }
  if (b.type === 'release') {
    // In the order they were held; what stays held keeps its place.
    const go = held.filter((h) => h.env.to === b.to && (b.step === undefined || h.env.cause.step === b.step));
    for (let i = held.length - 1; i >= 0; i--) if (go.includes(held[i])) held.splice(i, 1);
    for (const h of go) transport.send(h.env, h.how);
    ok();
    return;
  }
  if (!node) {
    send({ kind: 'control', msg: { seq: msg.seq, result: { type: 'error', message: 'node not initialised' } } });
    return;
  }
  // Only where the master may go on at the server's word (unrecorded, a clean network): elsewhere a
  // command set aside for a paused server leaves its client waiting while the script goes on.
  if (node.role === 'client' && outstanding.size > 0 && !node.config.trace && !faults?.active) {
    waitingControls.push(msg);
    return;
  }
  if (b.type === 'link') transport.setPort(b.peer, b.port);
  dispatch(node.handleControl(msg));
}

process.on('message', (m: ToNode) => {
  if (m.kind === 'control') onControl(m.msg);
  else if (m.kind === 'secret') transport.setSecret(m.secret);
});
// The master (CLI, editor) is gone, even by SIGKILL: the IPC channel closes and so do we.
process.on('disconnect', () => process.exit(0));
// And if the channel's close is missed (a node still booting, or busy, when the master died), the
// parent pid changes: orphans are adopted by init or a subreaper. Checked often enough to be gone
// well within 2 s; unref'd, so it never keeps a node alive.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 250).unref();

transport.listen().then(
  (port) => send({ kind: 'ready', port }),
  (err) => {
    process.stderr.write(`node could not listen: ${String(err)}\n`);
    process.exit(1);
  },
);
