import * as fs from 'fs';
import { ClusterEvent } from '../record/events';

/** Writes events as JSON lines, synchronously so that nothing is lost when the run is interrupted. */
export class EventFile {
  private readonly fd: number;

  constructor(path: string) {
    this.fd = fs.openSync(path, 'w');
  }

  write(e: ClusterEvent | { type: 'snapshot'; [k: string]: unknown }): void {
    fs.writeSync(this.fd, JSON.stringify(e) + '\n');
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
