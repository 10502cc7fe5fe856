// Cleanups that must run when the process is interrupted (SIGINT, SIGTERM) while a run writes
// its output folder: listeners are installed only while some cleanup is registered, and after
// the cleanups the signal is raised again, so the process still ends the way the signal says
// (a shell sees 130 or 143).
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type Cleanup = () => void;

const cleanups = new Set<Cleanup>();

function onSignal(signal: NodeJS.Signals): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // Best effort: the next run removes what is left (see out-dir.ts).
    }
  }
  cleanups.clear();
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Runs `cleanup` (synchronous) on SIGINT/SIGTERM until the returned function is called. */
export function onInterrupt(cleanup: Cleanup): () => void {
  if (cleanups.size === 0) install();
  cleanups.add(cleanup);
  return () => {
    if (!cleanups.delete(cleanup)) return;
    if (cleanups.size === 0) uninstall();
  };
}
