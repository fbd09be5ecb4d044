// The xmlrpc package's own writer and reader of XML-RPC, used without its HTTP client and server
// (peerCalls.ts, xmlrpcServer.ts write the HTTP around them): the wire is the package's, byte for byte.

/** The package's reader of one call or one response. */
export interface XmlRpcReader {
  deserializeMethodCall(body: unknown, done: (err: unknown, method?: string, params?: unknown) => void): void;
  deserializeMethodResponse(body: unknown, done: (err: unknown, value?: unknown) => void): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const XmlRpcWriter = require('xmlrpc/lib/serializer') as {
  serializeMethodCall(method: string, params: unknown[]): string;
  serializeMethodResponse(value: unknown): string;
  serializeFault(fault: unknown): string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Deserializer = require('xmlrpc/lib/deserializer') as new () => XmlRpcReader;

let spare: XmlRpcReader | undefined;
let refilling = false;

/**
 * A fresh reader. Building one (the package makes a sax stream per message) cost as much as the
 * parse itself, on the path of every call; so the next one is built once this turn of the event
 * loop is over, after the reply has been written, while the peer is busy with it.
 */
export function takeReader(): XmlRpcReader {
  const reader = spare ?? new Deserializer();
  spare = undefined;
  if (!refilling) {
    refilling = true;
    setImmediate(() => {
      refilling = false;
      spare ??= new Deserializer();
    }).unref();
  }
  return reader;
}

/**
 * A body read already, handed to the package's reader, which only sets its encoding, listens for
 * errors and pipes it into its parser: this does that at once, without a stream (a stream per
 * call cost about as much as parsing the call).
 */
export class ReadBody {
  private encoding: BufferEncoding = 'utf8';

  constructor(private readonly body: Buffer) {}

  setEncoding(encoding: BufferEncoding): this {
    this.encoding = encoding;
    return this;
  }

  on(): this {
    return this;
  }

  pipe<T extends NodeJS.WritableStream>(dest: T): T {
    dest.end(this.body.toString(this.encoding));
    return dest;
  }
}
