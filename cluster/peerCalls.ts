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
  /** Calls waiting for a connection while MAX_CONNECTIONS are busy. */
  private readonly queued: { request: string; done: CallDone }[] = [];
  private closed = false;

  constructor(private readonly port: number, private readonly maxResponseBytes: number) {}

  call(method: string, params: unknown[], done: CallDone): void {
    if (this.closed) {
      setImmediate(() => done(new Error('the transport is closed')));
      return;
    }
    const xml = XmlRpcWriter.serializeMethodCall(method, params);
    const request = `POST / HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}`;
    const conn = this.idle.pop() ?? (this.all.size < MAX_CONNECTIONS ? this.open() : undefined);
    if (conn) this.start(conn, request, done);
    else this.queued.push({ request, done });
  }

  /** How many connections are open to this peer (tests hold it to the cap). */
  get connections(): number {
    return this.all.size;
  }

  close(): void {
    this.closed = true;
    for (const c of this.all) c.destroy();
    this.all.clear();
    this.idle.length = 0;
    for (const q of this.queued.splice(0)) setImmediate(() => q.done(new Error('the transport is closed')));
  }

  private start(conn: Connection, request: string, done: CallDone): void {
    conn.send(request, (err, body, keep) => {
      if (keep && !this.closed) this.release(conn);
      else {
        conn.destroy();
        this.next();
      }
      if (err) return done(err);
      takeReader().deserializeMethodResponse(new ReadBody(body!), done);
    });
  }

  /** A connection is free: it takes the next waiting call, or waits itself. */
  private release(conn: Connection): void {
    const q = this.queued.shift();
    if (q) this.start(conn, q.request, q.done);
    else this.idle.push(conn);
  }

  /** A connection is gone: a waiting call gets a new one. */
  private next(): void {
    const q = this.closed ? undefined : this.queued.shift();
    if (q) this.start(this.idle.pop() ?? this.open(), q.request, q.done);
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

/** Most connections open to one peer at once; more calls wait for one (as the package's agent did). */
const MAX_CONNECTIONS = 8;

type Answer = (err: Error | null, body?: Buffer, keepOpen?: boolean) => void;

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
/** Longest status line and headers a response may have. */
const MAX_HEAD_BYTES = 16 * 1024;

/** One HTTP/1.1 connection and the one call on it, if any; reads exactly one response per request. */
class Connection {
  private readonly socket: net.Socket;
  private pending: Answer | undefined;
  /** What has come of the response so far, in the pieces it came in. */
  private chunks: Buffer[] = [];
  private size = 0;
  /** Once its head is read: how many bytes the whole response has (framed by Content-Length). */
  private expected: number | undefined;
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
    this.chunks = [];
    this.size = 0;
    this.expected = undefined;
    this.socket.write(request);
  }

  destroy(): void {
    if (!this.gone) {
      this.gone = true;
      this.socket.destroy();
      this.onGone();
    }
  }

  private fail(err: Error): void {
    this.destroy();
    const answer = this.pending;
    this.pending = undefined;
    answer?.(err);
  }

  private onData(chunk: Buffer): void {
    if (!this.pending) return this.fail(new Error('a response to no request'));
    this.chunks.push(chunk);
    this.size += chunk.length;
    // A large response comes in many pieces: they are joined once, when all of it is here.
    if (this.expected !== undefined && this.size < this.expected) return;
    const received = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    this.chunks = [received];
    let response: Response | undefined;
    try {
      response = readResponse(received, this.maxBytes);
      if (!response && this.expected === undefined) {
        const head = readHead(received, this.maxBytes);
        if (head && head.length !== undefined) this.expected = head.start + head.length;
      }
    } catch (e) {
      return this.fail(e as Error);
    }
    if (!response) return;
    if (response.end !== received.length) return this.fail(new Error('bytes after the response'));
    const answer = this.pending;
    this.pending = undefined;
    this.chunks = [];
    this.size = 0;
    this.expected = undefined;
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

/** A response's status line and the headers kvcmd reads, once they have all arrived. */
interface Head {
  status: number;
  /** Content-Length, unless the body is chunked. */
  length?: number;
  keepOpen: boolean;
  /** Where the body begins. */
  start: number;
}

/** The head of the response at the start of `buf` (undefined until it has all arrived); throws on anything but HTTP/1.x framed by Content-Length or chunks. */
function readHead(buf: Buffer, maxBytes: number): Head | undefined {
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
  if (!chunked && length === undefined) throw new Error('a response without a length');
  if (!chunked && length! > maxBytes) throw new Error('a response over the size limit');
  return { status: Number(status[1]), ...(chunked ? {} : { length }), keepOpen, start: headEnd + HEADER_END.length };
}

/**
 * One HTTP/1.1 response at the start of `buf`, once all of it has arrived (undefined before);
 * its body framed by Content-Length or chunked, as Node's server writes them. Throws on anything
 * else, or on a response over `maxBytes`.
 */
export function readResponse(buf: Buffer, maxBytes: number): Response | undefined {
  const head = readHead(buf, maxBytes);
  if (!head) return undefined;
  const { status, length, keepOpen, start } = head;
  if (length !== undefined) {
    if (buf.length < start + length) return undefined;
    return { status, body: buf.subarray(start, start + length), keepOpen, end: start + length };
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
      return { status, body: parts.length === 1 ? parts[0] : Buffer.concat(parts), keepOpen, end: eol + 4 };
    }
    if (buf.length < eol + 2 + n + 2) return undefined;
    parts.push(buf.subarray(eol + 2, eol + 2 + n));
    at = eol + 2 + n + 2;
  }
}
