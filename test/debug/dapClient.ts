// A small Debug Adapter Protocol client for the tests: spawns `kvcmd dap`, sends requests, keeps
// every event and waits for the ones a test expects.
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import { connect, type DapMessage } from '../../debug/framing';
import { KVCMD, ROOT } from '../helpers';

export interface DapResponse {
  seq: number;
  request_seq: number;
  success: boolean;
  command: string;
  message?: string;
  body?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface DapEvent {
  seq: number;
  event: string;
  body?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface Variable {
  name: string;
  value: string;
  variablesReference: number;
}

export class DapClient {
  readonly events: DapEvent[] = [];
  stderr = '';
  private seq = 1;
  private readonly pending = new Map<number, (r: DapResponse) => void>();
  private readonly waiters: { test: (e: DapEvent) => boolean; resolve: (e: DapEvent) => void }[] = [];
  private readonly write: (msg: object) => void;
  readonly exited: Promise<number | null>;
  /** Index in `events` up to which waitEvent has consumed. */
  private consumed = 0;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.write = connect(child.stdout, child.stdin, (m) => this.onMessage(m));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  static start(): DapClient {
    return new DapClient(spawn(process.execPath, [KVCMD, 'dap'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  request(command: string, args?: object): Promise<DapResponse> {
    const seq = this.seq++;
    return new Promise((resolve) => {
      this.pending.set(seq, resolve);
      this.write({ seq, type: 'request', command, ...(args ? { arguments: args } : {}) });
    });
  }

  /** Like request, but throws on a failed response. */
  async ok(command: string, args?: object): Promise<DapResponse> {
    const r = await this.request(command, args);
    if (!r.success) throw new Error(`${command} failed: ${r.message}`);
    return r;
  }

  /** The next event named `name` (or one of the names, matching `test`) after those an earlier wait returned. */
  waitEvent(name: string | string[], test: (e: DapEvent) => boolean = () => true, timeoutMs = 20_000): Promise<DapEvent> {
    const names = typeof name === 'string' ? [name] : name;
    const match = (e: DapEvent): boolean => names.includes(e.event) && test(e);
    for (let i = this.consumed; i < this.events.length; i++) {
      if (match(this.events[i])) {
        this.consumed = i + 1;
        return Promise.resolve(this.events[i]);
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no '${name}' event after ${timeoutMs} ms; events: ${this.events.map((e) => e.event).join(' ')}`)), timeoutMs);
      this.waiters.push({
        test: match,
        resolve: (e) => {
          clearTimeout(timer);
          this.consumed = this.events.indexOf(e) + 1;
          resolve(e);
        },
      });
    });
  }

  /** The next stop or the run's end, whichever comes first. */
  nextStop(): Promise<DapEvent> {
    return this.waitEvent(['stopped', 'terminated']);
  }

  /** The text of every output event of a category so far. */
  output(category = 'stdout'): string {
    return this.events.filter((e) => e.event === 'output' && e.body?.category === category).map((e) => e.body.output as string).join('');
  }

  async variables(ref: number): Promise<Variable[]> {
    return (await this.ok('variables', { variablesReference: ref })).body.variables as Variable[];
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      await this.request('disconnect', { terminateDebuggee: true }).catch(() => undefined);
      this.child.stdin.end();
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }

  private onMessage(m: DapMessage): void {
    if (m.type === 'response') {
      const r = m as unknown as DapResponse;
      this.pending.get(r.request_seq)?.(r);
      this.pending.delete(r.request_seq);
    } else if (m.type === 'event') {
      const e = m as unknown as DapEvent;
      this.events.push(e);
      const i = this.waiters.findIndex((w) => w.test(e));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(e);
    }
  }
}
