// What hosts that run real processes (processHost, commandHost) share: real time (the model keeps
// its own) and the listeners of their nodes' reports and losses.
import type { NodeId, NodeNotice } from '../protocol/messages';

/** Resolves after `ms`, or as soon as the signal aborts (a `sleep` that a cancel cuts short). */
export function pauseFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** Milliseconds since the Unix epoch, as precise as the process can tell (what nodes stamp their reports with). */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

/** The part of NodeHost that is the same for every host of real processes. */
export abstract class RealTimeHost {
  protected readonly listeners: ((notices: NodeNotice[], at: number) => void)[] = [];
  protected readonly lost: ((id: NodeId, why: string) => void)[] = [];

  pause(ms: number, signal: AbortSignal): Promise<void> {
    return pauseFor(ms, signal);
  }

  now(): number {
    return wallClock();
  }

  onNotices(listener: (notices: NodeNotice[], at: number) => void): void {
    this.listeners.push(listener);
  }

  onNodeLost(listener: (id: NodeId, why: string) => void): void {
    this.lost.push(listener);
  }
}
