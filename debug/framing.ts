// The Debug Adapter Protocol's base protocol: each message is a JSON body after a
// `Content-Length: N\r\n\r\n` header (N in bytes). Used by `kvcmd dap` and by the tests' client.
import type { Readable, Writable } from 'stream';

export interface DapMessage {
  seq: number;
  type: 'request' | 'response' | 'event';
  [key: string]: unknown;
}

/** Splits a byte stream into messages; calls `onMessage` for each complete one. */
export class MessageReader {
  private buffer = Buffer.alloc(0);

  constructor(private readonly onMessage: (msg: DapMessage) => void, private readonly onError: (err: Error) => void = () => undefined) {}

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const header = this.buffer.subarray(0, end).toString('ascii');
      const m = /Content-Length:\s*(\d+)/i.exec(header);
      if (!m) {
        // Not a header we understand: drop it and resynchronize on the next one.
        this.buffer = this.buffer.subarray(end + 4);
        this.onError(new Error(`DAP header without Content-Length: ${JSON.stringify(header)}`));
        continue;
      }
      const length = Number(m[1]);
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(end + 4 + length);
      try {
        this.onMessage(JSON.parse(body) as DapMessage);
      } catch (err) {
        this.onError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
}

export function frame(msg: object): Buffer {
  const body = Buffer.from(JSON.stringify(msg), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

/** Reads messages from `input` until it ends; returns a function that writes one to `output`. */
export function connect(input: Readable, output: Writable, onMessage: (msg: DapMessage) => void, onError?: (err: Error) => void): (msg: object) => void {
  const reader = new MessageReader(onMessage, onError);
  input.on('data', (chunk: Buffer | string) => reader.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
  return (msg) => void output.write(frame(msg));
}
