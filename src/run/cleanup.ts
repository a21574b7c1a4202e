// Last-resort cleanup: whatever happens (exception, signal, normal exit) no cgroup or process is left behind.
// Each live run registers a synchronous undo; process 'exit' runs those still registered.

const pending = new Set<() => void>();
let installed = false;

export function registerCleanup(undo: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', runPendingCleanups);
  }
  pending.add(undo);
  return () => {
    pending.delete(undo);
  };
}

export function runPendingCleanups(): void {
  for (const undo of [...pending]) {
    pending.delete(undo);
    try {
      undo();
    } catch {
      /* keep going: the next undo may still succeed */
    }
  }
}
