import { timingSafeEqual } from 'crypto';
import * as http from 'http';
import * as xmlrpc from 'xmlrpc';
import { Envelope, lostReply, NodeId } from '../protocol/messages';
import { WireError } from './envelopeCheck';
import { fromWire, toWire } from './wire';

type Respond = (error: unknown, value?: unknown) => void;

/** A call body larger than this is refused before it is read (a stabilize of 100,000 keys fits). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Calls waiting for this node's reply; more means someone is flooding it. */
const MAX_INBOUND = 10_000;
/** A request whose body has not arrived by then is cut off. */
const BODY_TIMEOUT_MS = 10_000;

/**
 * Carries envelopes between node processes as XML-RPC calls on 127.0.0.1. A request is the call
 * `deliver(envelope, secret)`; the node's reply to it travels back as that call's response, so an
 * XML-RPC round trip is exactly one request and its reply. A failed call comes back as
 * `unreachable`. Only calls that carry the run's secret (handed to each node over IPC by the
 * master) and a well-formed envelope (envelopeCheck.ts) reach the node: anything else, from any
 * local process or web page, gets a fault and changes nothing.
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
  private secret: Buffer | undefined;

  constructor(private readonly receive: (env: Envelope) => void, private readonly onRefused: (why: string) => void = () => undefined) {
    this.server = xmlrpc.createServer({ host: '127.0.0.1', port: 0 });
    const http = this.server.httpServer;
    http.headersTimeout = BODY_TIMEOUT_MS;
    http.requestTimeout = BODY_TIMEOUT_MS;
    this.guardBodies(http);
    this.ready = new Promise((resolve, reject) => {
      http.once('listening', () => resolve((http.address() as { port: number }).port));
      http.once('error', reject);
    });
    this.server.on('deliver', (_err: unknown, params: unknown, respond: Respond) => this.onCall(params, respond));
  }

  listen(): Promise<number> {
    return this.ready;
  }

  /** The run's secret, from the master; until it arrives every call is refused. */
  setSecret(secret: string): void {
    this.secret = Buffer.from(secret, 'utf8');
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
    if (port === undefined || !this.secret) {
      setImmediate(() => this.receive(lostReply(env, 'unreachable')));
      return;
    }
    this.client(port).methodCall('deliver', [toWire(env), this.secret.toString('utf8')], (err: unknown, reply: unknown) => {
      let answer: Envelope;
      try {
        answer = err ? lostReply(env, 'unreachable') : fromWire(reply);
        // A reply must answer this very request.
        if (!err && (answer.replyTo !== env.id || answer.from !== env.to || answer.to !== env.from)) throw new WireError('the reply answers another request');
      } catch (e) {
        this.onRefused(`a reply from node ${env.to}: ${(e as Error).message}`);
        answer = lostReply(env, 'unreachable');
      }
      this.receive(answer);
    });
  }

  close(): void {
    this.agent.destroy();
    this.server.httpServer.close();
  }

  private onCall(params: unknown, respond: Respond): void {
    const refuse = (why: string): void => {
      this.onRefused(why);
      respond({ faultCode: 403, faultString: why });
    };
    if (!Array.isArray(params) || params.length !== 2 || typeof params[1] !== 'string') return refuse('a call without the run\'s secret');
    if (!this.secret || !sameSecret(this.secret, params[1])) return refuse('a call with a wrong secret');
    let env: Envelope;
    try {
      env = fromWire(params[0]);
    } catch (e) {
      return refuse(`a malformed envelope: ${e instanceof WireError ? e.message : String(e)}`);
    }
    if (env.replyTo !== 0) return refuse('a reply sent as a call');
    const key = `${env.from}:${env.id}`;
    if (this.inbound.has(key)) return refuse(`message ${key} again while it is being handled`);
    if (this.inbound.size >= MAX_INBOUND) return refuse('too many calls waiting');
    this.inbound.set(key, respond);
    this.receive(env);
  }

  /** Bodies above MAX_BODY_BYTES are refused as they come, whether announced or not. */
  private guardBodies(server: http.Server): void {
    const handlers = server.listeners('request') as ((req: http.IncomingMessage, res: http.ServerResponse) => void)[];
    server.removeAllListeners('request');
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const tooBig = (): void => {
        this.onRefused('a call body over the size limit');
        res.writeHead(413, { Connection: 'close' }).end();
        req.destroy();
      };
      if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return tooBig();
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > MAX_BODY_BYTES) tooBig();
      });
      for (const h of handlers) h.call(server, req, res);
    });
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

function sameSecret(secret: Buffer, given: string): boolean {
  const g = Buffer.from(given, 'utf8');
  return g.length === secret.length && timingSafeEqual(g, secret);
}
