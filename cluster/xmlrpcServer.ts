import * as http from 'http';
import { ReadBody, takeReader, XmlRpcWriter } from './xmlrpcCodec';

export type Respond = (error: unknown, value?: unknown) => void;
export type MethodHandler = (params: unknown, respond: Respond) => void;

export interface XmlRpcServerOptions {
  port: number;
  /** A call body larger than this is refused before it is read. */
  maxBodyBytes: number;
  /** A request whose head or body has not arrived by then is cut off. */
  bodyTimeoutMs: number;
  /** Told why a request was refused before any method saw it. */
  onRefused: (why: string) => void;
}

/**
 * An XML-RPC server on 127.0.0.1: Node's HTTP server, the xmlrpc package's reader and writer
 * (xmlrpcCodec.ts), and the guards a node's port needs in front of them. It answers as the
 * package's own server does (a fault for a method's error, 404 for an unknown method or a body that
 * is not a call), with a Content-Length rather than chunks.
 */
export class XmlRpcServer {
  /** The HTTP server under it (tests count its requests). */
  readonly http: http.Server;
  private readonly methods = new Map<string, MethodHandler>();
  private readonly ready: Promise<number>;

  constructor(private readonly options: XmlRpcServerOptions) {
    this.http = http.createServer((req, res) => this.onRequest(req, res));
    this.http.headersTimeout = options.bodyTimeoutMs;
    this.http.requestTimeout = options.bodyTimeoutMs;
    // An idle keep-alive connection is never closed by this side. Closed after Node's default 5 s,
    // it could be reused by the peer before the peer saw it close (on a loaded machine), and that
    // call failed with ECONNRESET: a message between two live nodes lost as `unreachable`, a run
    // the model no longer predicts. The peer keeps the connection until the run ends.
    this.http.keepAliveTimeout = 0;
    this.ready = new Promise((resolve, reject) => {
      this.http.once('listening', () => resolve((this.http.address() as { port: number }).port));
      this.http.once('error', reject);
    });
    this.http.listen(options.port, '127.0.0.1');
  }

  listening(): Promise<number> {
    return this.ready;
  }

  on(method: string, handler: MethodHandler): void {
    this.methods.set(method, handler);
  }

  close(): void {
    this.http.close();
  }

  /**
   * Every call body is read here before the package sees it. Bodies above the limit are refused
   * as they come, whether announced or not. So is a body with a character reference to no XML
   * character (`&#x110000;`, `&#-1;`): the package's XML parser (sax 1.2) throws on it.
   */
  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const max = this.options.maxBodyBytes;
    const refuse = (status: number, why: string): void => {
      if (res.headersSent) return;
      this.options.onRefused(why);
      res.writeHead(status, { Connection: 'close', 'Content-Length': 0 }).end();
      if (!req.complete) req.destroy();
    };
    // A client that goes away mid-body: the call is dropped.
    req.on('error', () => undefined);
    if (Number(req.headers['content-length'] ?? 0) > max) return refuse(413, 'a call body over the size limit');
    const chunks: Buffer[] = [];
    let seen = 0;
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > max) refuse(413, 'a call body over the size limit');
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const bad = body.indexOf('&#') === -1 ? undefined : badCharacterReference(body.toString('latin1'));
      if (bad !== undefined) return refuse(400, `a call body with the character reference ${JSON.stringify(bad)}`);
      this.dispatch(body, res);
    });
  }

  private dispatch(body: Buffer, res: http.ServerResponse): void {
    let answered = false;
    const send = (status: number, xml: string): void => {
      if (answered) return;
      answered = true;
      res.writeHead(status, status === 200 ? { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(xml) } : { 'Content-Length': 0 });
      res.end(status === 200 ? xml : undefined);
    };
    try {
      takeReader().deserializeMethodCall(new ReadBody(body), (err, method, params) => {
        const handler = err || method === undefined ? undefined : this.methods.get(method);
        if (!handler) return send(404, '');
        handler(params, (error, value) => {
          let xml: string;
          try {
            xml = error !== null && error !== undefined ? XmlRpcWriter.serializeFault(error) : XmlRpcWriter.serializeMethodResponse(value);
          } catch (e) {
            // A value XML cannot carry: the caller gets a fault, the node goes on.
            this.options.onRefused(`an answer that could not be written: ${(e as Error).message}`);
            xml = XmlRpcWriter.serializeFault({ faultCode: 500, faultString: 'the answer could not be written as XML' });
          }
          send(200, xml);
        });
      });
    } catch (e) {
      this.options.onRefused(`a call body that could not be read: ${(e as Error).message}`);
      send(400, '');
    }
  }
}

/** XML 1.0's Char production, as code points. */
function isXmlChar(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

const CHAR_REF = /&#(?:x([0-9a-fA-F]+)|([0-9]+));/y;

/**
 * The first `&#` in an XML text that is not a well-formed character reference to a character XML
 * allows (`&#65;`, `&#x41;`), if any. (The xmlrpc package writes only `&#xD;`; a literal `&#` in a
 * CDATA section would be refused too, which no node sends.)
 */
export function badCharacterReference(xml: string): string | undefined {
  for (let at = xml.indexOf('&#'); at !== -1; at = xml.indexOf('&#', at + 2)) {
    CHAR_REF.lastIndex = at;
    const m = CHAR_REF.exec(xml);
    const code = m ? parseInt(m[1] ?? m[2], m[1] !== undefined ? 16 : 10) : NaN;
    if (!isXmlChar(code)) return m?.[0].slice(0, 16) ?? xml.slice(at, at + 8);
  }
  return undefined;
}
