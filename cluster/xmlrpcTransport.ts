import * as http from 'http';
import * as xmlrpc from 'xmlrpc';
import { Envelope, lostReply, NodeId } from '../protocol/messages';
import { fromWire, toWire } from './wire';

type Respond = (error: unknown, value?: unknown) => void;

/**
 * Carries envelopes between node processes as XML-RPC calls on 127.0.0.1. A request is the call
 * `deliver(envelope)`; the node's reply to it travels back as that call's response, so an XML-RPC
 * round trip is exactly one request and its reply. A failed call comes back as `unreachable`.
 */
export class XmlRpcTransport {
  private readonly server: xmlrpc.Server;
  private readonly clients = new Map<number, xmlrpc.Client>();
  private readonly ports = new Map<NodeId, number>();
  /** Calls waiting for the node's reply, keyed `from:id`. */
  private readonly inbound = new Map<string, Respond>();
  // Keep-alive: every hop would otherwise pay a TCP handshake.
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private readonly ready: Promise<number>;

  constructor(private readonly receive: (env: Envelope) => void) {
    this.server = xmlrpc.createServer({ host: '127.0.0.1', port: 0 });
    this.ready = new Promise((resolve, reject) => {
      this.server.httpServer.once('listening', () => resolve((this.server.httpServer.address() as { port: number }).port));
      this.server.httpServer.once('error', reject);
    });
    this.server.on('deliver', (_err: unknown, params: unknown[], respond: Respond) => {
      const env = fromWire(params[0]);
      this.inbound.set(`${env.from}:${env.id}`, respond);
      this.receive(env);
    });
  }

  listen(): Promise<number> {
    return this.ready;
  }

  setPort(peer: NodeId, port: number): void {
    this.ports.set(peer, port);
  }

  send(env: Envelope): void {
    if (env.replyTo !== 0) {
      const key = `${env.to}:${env.replyTo}`;
      const respond = this.inbound.get(key);
      this.inbound.delete(key);
      respond?.(null, toWire(env));
      return;
    }
    const port = this.ports.get(env.to);
    if (port === undefined) {
      setImmediate(() => this.receive(lostReply(env, 'unreachable')));
      return;
    }
    this.client(port).methodCall('deliver', [toWire(env)], (err: unknown, reply: unknown) => {
      this.receive(err ? lostReply(env, 'unreachable') : fromWire(reply));
    });
  }

  close(): void {
    this.agent.destroy();
    this.server.httpServer.close();
  }

  private client(port: number): xmlrpc.Client {
    let c = this.clients.get(port);
    if (!c) {
      c = xmlrpc.createClient({ host: '127.0.0.1', port, path: '/', agent: this.agent } as Parameters<typeof xmlrpc.createClient>[0]);
      this.clients.set(port, c);
    }
    return c;
  }
}
