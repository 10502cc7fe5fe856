// V8 flags set at run time. Starting a worker thread puts V8's flags back to those of the command
// line (measured: the young generation grows again), so the worker pool sets these again after.
import { setFlagsFromString } from 'node:v8';

const setHere: string[] = [];

export function setV8Flag(flag: string): void {
  setHere.push(flag);
  setFlagsFromString(flag);
}

export function reapplyV8Flags(): void {
  for (const flag of setHere) setFlagsFromString(flag);
}
