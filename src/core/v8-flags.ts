// V8 flags set at run time. Starting a worker thread puts V8's flags back to those of the command
// line (measured: the young generation grows again), so the worker pool sets these again after.
import { setFlagsFromString } from 'node:v8';

const setHere: string[] = [];
const onceWorkersStart: string[] = [];

export function setV8Flag(flag: string): void {
  setHere.push(flag);
  setFlagsFromString(flag);
}

/** A flag for runs with worker threads: set when a pool's workers have started, process-wide from then on. */
export function setV8FlagOnceWorkersStart(flag: string): void {
  onceWorkersStart.push(flag);
}

/** Called by a worker pool once its workers have started. */
export function reapplyV8Flags(): void {
  for (const flag of [...setHere, ...onceWorkersStart]) setFlagsFromString(flag);
}
