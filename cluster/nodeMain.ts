// Entry point of one node process (server or client), forked by ProcessHost.
// It waits for `init` on its IPC channel, then runs the protocol state machine between the
// master's IPC messages and the XML-RPC transport.
import { createNode, ProtocolNode } from '../protocol';
import { Effects } from '../protocol/node';
import { ControlIn, FromNode, ToNode } from '../protocol/messages';
import { XmlRpcTransport } from './xmlrpcTransport';

let node: ProtocolNode | undefined;
const transport = new XmlRpcTransport((env) => {
  if (node) dispatch(node.handleMessage(env));
}, (why) => process.stderr.write(`refused ${why}\n`));

function send(m: FromNode): void {
  process.send?.(m);
}

function dispatch(fx: Effects): void {
  // Notices go first: once the master has a step's answer, it has everything the step reported (IPC keeps order).
  if (fx.notices.length > 0) send({ kind: 'notices', notices: fx.notices, at: performance.timeOrigin + performance.now() });
  for (const env of fx.sends) transport.send(env);
  for (const msg of fx.replies) send({ kind: 'control', msg });
}

function onControl(msg: ControlIn): void {
  const b = msg.body;
  if (b.type === 'init') {
    node = createNode(b);
    send({ kind: 'control', msg: { seq: msg.seq, result: { type: 'ok' } } });
    return;
  }
  if (b.type === 'shutdown') {
    send({ kind: 'control', msg: { seq: msg.seq, result: { type: 'ok' } } });
    process.exit(0);
  }
  if (!node) {
    send({ kind: 'control', msg: { seq: msg.seq, result: { type: 'error', message: 'node not initialised' } } });
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
