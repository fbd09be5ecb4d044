import * as net from 'net';
import { ReadBody, takeReader, XmlRpcWriter } from './xmlrpcCodec';

export type CallDone = (err: unknown, value?: unknown) => void;

/**
 * XML-RPC calls to one node's port over HTTP/1.1 connections kept open, each carrying one call at a
 * time. Between kvcmd's own nodes this replaces the package's client (Node's `http.request`, an
 * agent, and a stream per response), which cost a caller ~3x the CPU of the call itself on this
 * path (docs/protocol.md, "On the wire"). A connection that fails fails its call (the transport
 * makes that `unreachable`, as before); one that closes while idle is dropped from the pool.
 */
export class PeerCalls {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private closed = false;

  constructor(private readonly port: number, private readonly maxResponseBytes: number) {}

  call(method: string, params: unknown[], done: CallDone): void {
    if (this.closed) {
      setImmediate(() => done(new Error('the transport is closed')));
      return;
    }
    const xml = XmlRpcWriter.serializeMethodCall(method, params);
    const conn = this.idle.pop() ?? this.open();
    conn.send(
      `POST / HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}`,
      (err, body, keep) => {
        if (keep && !this.closed) this.idle.push(conn);
        else conn.destroy();
        if (err) return done(err);
        takeReader().deserializeMethodResponse(new ReadBody(body!), done);
      },
    );
  }

  close(): void {
    this.closed = true;
    for (const c of this.all) c.destroy();
    this.all.clear();
    this.idle.length = 0;
  }

  private open(): Connection {
    const conn = new Connection(this.port, this.maxResponseBytes, () => {
      this.all.delete(conn);
      const at = this.idle.indexOf(conn);
      if (at !== -1) this.idle.splice(at, 1);
    });
    this.all.add(conn);
    return conn;
  }
}

type Answer = (err: Error | null, body?: Buffer, keepOpen?: boolean) => void;

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
/** Longest status line and headers a response may have. */
const MAX_HEAD_BYTES = 16 * 1024;

/** One HTTP/1.1 connection and the one call on it, if any; reads exactly one response per request. */
class Connection {
  private readonly socket: net.Socket;
  private pending: Answer | undefined;
  private received: Buffer = Buffer.alloc(0);
  private gone = false;

  constructor(port: number, private readonly maxBytes: number, private readonly onGone: () => void) {
    this.socket = net.connect({ host: '127.0.0.1', port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Error('the connection closed')));
  }

  send(request: string, answer: Answer): void {
    this.pending = answer;
    this.received = Buffer.alloc(0);
    this.socket.write(request);
  }

  destroy(): void {
    this.gone = true;
    this.socket.destroy();
    this.onGone();
  }

  private fail(err: Error): void {
    if (!this.gone) this.destroy();
    const answer = this.pending;
    this.pending = undefined;
    answer?.(err);
  }

  private onData(chunk: Buffer): void {
    if (!this.pending) return this.fail(new Error('a response to no request'));
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    let response: Response | undefined;
    try {
      response = readResponse(this.received, this.maxBytes);
    } catch (e) {
      return this.fail(e as Error);
    }
    if (!response) return;
    if (response.end !== this.received.length) return this.fail(new Error('bytes after the response'));
    const answer = this.pending;
    this.pending = undefined;
    this.received = Buffer.alloc(0);
    if (response.status !== 200) answer(new Error(`HTTP ${response.status}`), undefined, false);
    else answer(null, response.body, response.keepOpen);
  }
}

interface Response {
  status: number;
  body: Buffer;
  keepOpen: boolean;
  /** Where the response ends in what was received. */
  end: number;
}

/**
 * One HTTP/1.1 response at the start of `buf`, once all of it has arrived (undefined before);
 * its body framed by Content-Length or chunked, as Node's server writes them. Throws on anything
 * else, or on a response over `maxBytes`.
 */
export function readResponse(buf: Buffer, maxBytes: number): Response | undefined {
  const headEnd = buf.indexOf(HEADER_END);
  if (headEnd === -1) {
    if (buf.length > MAX_HEAD_BYTES) throw new Error('a response head over the size limit');
    return undefined;
  }
  const lines = buf.toString('latin1', 0, headEnd).split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!status) throw new Error('not an HTTP response');
  let length: number | undefined;
  let chunked = false;
  let keepOpen = true;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim().toLowerCase();
    if (name === 'content-length') {
      if (!/^\d+$/.test(value)) throw new Error('a bad Content-Length');
      length = Number(value);
    } else if (name === 'transfer-encoding') chunked = value === 'chunked';
    else if (name === 'connection') keepOpen = value !== 'close';
  }
  const start = headEnd + HEADER_END.length;
  if (!chunked) {
    if (length === undefined) throw new Error('a response without a length');
    if (length > maxBytes) throw new Error('a response over the size limit');
    if (buf.length < start + length) return undefined;
    return { status: Number(status[1]), body: buf.subarray(start, start + length), keepOpen, end: start + length };
  }
  const parts: Buffer[] = [];
  let size = 0;
  for (let at = start; ;) {
    const eol = buf.indexOf(CRLF, at);
    if (eol === -1) return undefined;
    const n = parseInt(buf.toString('latin1', at, eol).split(';')[0], 16);
    if (!Number.isFinite(n) || n < 0) throw new Error('a bad chunk size');
    size += n;
    if (size > maxBytes) throw new Error('a response over the size limit');
    if (n === 0) {
      // No trailers from Node's server: the last chunk is followed by an empty line.
      if (buf.length < eol + 4) return undefined;
      if (buf.indexOf(CRLF, eol + 2) !== eol + 2) throw new Error('trailers after the last chunk');
      return { status: Number(status[1]), body: parts.length === 1 ? parts[0] : Buffer.concat(parts), keepOpen, end: eol + 4 };
    }
    if (buf.length < eol + 2 + n + 2) return undefined;
    parts.push(buf.subarray(eol + 2, eol + 2 + n));
    at = eol + 2 + n + 2;
  }
}
