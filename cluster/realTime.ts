// The time of hosts that run real processes (processHost, commandHost): the model keeps its own.

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
