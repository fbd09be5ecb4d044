// kvcmd's own node as a program of its own that speaks the node protocol of docs/nodes.md over
// XML-RPC, as a foreign node must: `kvcmd node [PORT]` (cli/node.ts), or externalNodeMain.js,
// which a run with foreign nodes starts for every node no command is given for. It is the same
// state machine as a forked node (cluster/nodeMain.ts); only the master's channel differs: control
// calls on the node's own XML-RPC port instead of IPC, and reports by calls to the master.
import * as http from 'http';
import * as xmlrpc from 'xmlrpc';
import { createNode, ProtocolNode } from '../protocol';
import type { Effects } from '../protocol/node';
import type { ControlResult, NodeNotice } from '../protocol/messages';
import { WireError } from './envelopeCheck';
import {
  CONTROL_TYPES, controlFromWire, handshakeLine, initFromWire, methodOf, noticesToWire, REPORT_METHOD, resultToWire,
} from './nodeProtocol';
import { Respond, XmlRpcTransport } from './xmlrpcTransport';
import { xmlText } from './wire';

export interface ExternalNodeOptions {
  /** Listen here (the `{port}` a run gives); 0 or undefined: a port the system picks. */
  port?: number;
  secret: string;
  /** Where the handshake line goes (stdout). */
  out: (line: string) => void;
  /** Diagnostics (stderr). */
  err: (text: string) => void;
  /** Ends the program. */
  exit: (code: number) => void;
}

/** Serves one node until a shutdown call (or the caller's own exit conditions). Resolves once it listens. */
export async function runExternalNode(options: ExternalNodeOptions): Promise<void> {
  let node: ProtocolNode | undefined;
  let report: ((notices: NodeNotice[]) => Promise<void>) | undefined;
  let seq = 0;
  /** Control calls waiting for their node's answer, by the seq the node answers with. */
  const waiting = new Map<number, Respond>();
  // Effects go out strictly in order, each step's report first: the protocol wants a step reported
  // before anything that follows from it (its messages, its answers) is seen (docs/nodes.md, "Reports").
  let chain: Promise<void> = Promise.resolve();
  const fault = (respond: Respond, why: string, code = 400): void => respond({ faultCode: code, faultString: xmlText(why) });

  const transport = new XmlRpcTransport((env) => {
    if (node) dispatch(node.handleMessage(env));
  }, (why) => options.err(`refused ${why}\n`), options.port ?? 0);
  transport.setSecret(options.secret);

  function dispatch(fx: Effects): void {
    chain = chain.then(async () => {
      if (fx.notices.length > 0 && report) await report(fx.notices);
      for (const env of fx.sends) transport.send(env);
      for (const { seq: s, result } of fx.replies) answer(s, result);
    }).catch((err: unknown) => {
      // The master is gone or refuses the reports: the run is over for this node.
      options.err(`kvcmd node: cannot report to the master: ${err instanceof Error ? err.message : String(err)}\n`);
      options.exit(1);
    });
  }

  function answer(s: number, result: ControlResult): void {
    const respond = waiting.get(s);
    if (!respond) return;
    waiting.delete(s);
    let value: unknown;
    try {
      value = resultToWire(result);
    } catch (err) {
      return fault(respond, (err as Error).message, 500);
    }
    respond(null, value);
  }

  for (const type of CONTROL_TYPES) {
    transport.serve(methodOf(type), ([arg], respond) => {
      if (type === 'init') {
        if (node) return fault(respond, 'kvcmd.init: this node is already initialised');
        let init;
        try {
          init = initFromWire(arg);
        } catch (err) {
          return fault(respond, `kvcmd.init: ${(err as Error).message}`);
        }
        node = createNode(init.body);
        report = reporter(init.reportPort, options.secret);
        respond(null, { reports: true });
        return;
      }
      if (type === 'shutdown') {
        respond(null, true);
        // After the answer has left.
        setTimeout(() => options.exit(0), 20);
        return;
      }
      if (!node) return fault(respond, `${methodOf(type)}: the node is not initialised (kvcmd.init first)`);
      let body;
      try {
        body = controlFromWire(type, arg);
      } catch (err) {
        return fault(respond, `${methodOf(type)}: ${err instanceof WireError ? err.message : String(err)}`);
      }
      if (body.type === 'link') transport.setPort(body.peer, body.port);
      const s = ++seq;
      waiting.set(s, respond);
      dispatch(node.handleControl({ seq: s, body }));
    });
  }

  const port = await transport.listen();
  options.out(handshakeLine(port) + '\n');
}

/** Reports to the master's XML-RPC port, one call at a time (the caller's chain keeps them in order). */
function reporter(port: number, secret: string): (notices: NodeNotice[]) => Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const client = xmlrpc.createClient({ host: '127.0.0.1', port, path: '/', agent } as Parameters<typeof xmlrpc.createClient>[0]);
  return (notices) => new Promise((resolve, reject) => {
    client.methodCall(REPORT_METHOD, [noticesToWire(notices), secret], (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
  });
}
