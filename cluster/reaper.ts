// The run's reaper: a small process forked by cluster/commandHost.ts that outlives kvcmd just long
// enough to kill what kvcmd started. Foreign nodes run in process groups of their own (so that a
// Ctrl-C at the terminal reaches kvcmd, which ends the run in order, and not every node at once),
// and a program kvcmd did not write may ignore the end of its stdin. So the host tells the reaper
// each group it starts and each it has ended; when the IPC channel closes (kvcmd exited, even by
// SIGKILL), the reaper SIGKILLs every group still listed and exits.
const groups = new Set<number>();

process.on('message', (m: { add?: number; remove?: number }) => {
  if (typeof m.add === 'number') groups.add(m.add);
  if (typeof m.remove === 'number') groups.delete(m.remove);
});

function reap(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  process.exit(0);
}

process.on('disconnect', reap);
// A Ctrl-C at the terminal reaches the whole foreground group, this process included: kvcmd handles
// it and closes the channel when it is done, which is when reaping is due.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
// Should the channel's close be missed, the parent's exit still shows: this process is adopted.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) reap();
}, 250).unref();
