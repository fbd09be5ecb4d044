import * as fs from 'fs';
import { ClusterEvent } from '../record/events';
import { openForWriting } from './files';
import type { Streams } from './streams';

type Line = ClusterEvent | { type: 'snapshot'; [k: string]: unknown };

/**
 * Writes the record of a run as JSON lines (docs/events.md), synchronously so that nothing is lost
 * when the run is interrupted. `-` is standard output: the record then replaces the script's
 * plain output there (which it holds as `stdout` events).
 */
export class EventFile {
  private constructor(private readonly sink: (s: string) => void, private readonly fd?: number) {}

  static open(path: string, io: Streams): EventFile {
    if (path === '-') return new EventFile(io.out);
    const fd = openForWriting(path);
    return new EventFile((s) => fs.writeSync(fd, s), fd);
  }

  get toStdout(): boolean {
    return this.fd === undefined;
  }

  write(e: Line): void {
    this.sink(JSON.stringify(e) + '\n');
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
  }
}
