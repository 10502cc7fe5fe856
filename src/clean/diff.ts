// Character-level diffs for cleaning samples: a window around the change (so a sample of a long
// message shows where it changed, not its first lines) and the runs kept, removed and added.
// Works on code points, so an emoji or a surrogate pair is never cut in two.
import type { DiffPart } from '../core/manifest.js';

export interface DiffWindow {
  /** Where the window starts, in characters from the start of the text. */
  at: number;
  before: string;
  after: string;
}

/** Characters of context shown around a change. */
const CONTEXT = 60;
/** Longest window shown of either side. */
const MAX_WINDOW = 400;
/** Past this many table cells, a changed run is shown as one removal and one addition. */
const MAX_CELLS = 250_000;

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function commonSuffix(a: readonly string[], b: readonly string[], prefix: number): number {
  let n = 0;
  while (n < a.length - prefix && n < b.length - prefix && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/** The part of both texts around the change, at most MAX_WINDOW characters each. */
export function diffWindow(before: string, after: string): DiffWindow {
  const a = Array.from(before);
  const b = Array.from(after);
  const prefix = commonPrefix(a, b);
  const suffix = commonSuffix(a, b, prefix);
  const at = Math.max(0, prefix - CONTEXT);
  const tail = Math.max(0, suffix - CONTEXT);
  const endA = Math.min(a.length - tail, at + MAX_WINDOW);
  const endB = Math.min(b.length - tail, at + MAX_WINDOW);
  return { at, before: a.slice(at, endA).join(''), after: b.slice(at, endB).join('') };
}

/** The runs of `before` kept, removed and added to give `after` (a longest common subsequence). */
export function charDiff(before: string, after: string): DiffPart[] {
  const a = Array.from(before);
  const b = Array.from(after);
  const prefix = commonPrefix(a, b);
  const suffix = commonSuffix(a, b, prefix);
  const parts: DiffPart[] = [];
  push(parts, 'same', a.slice(0, prefix));
  const middleA = a.slice(prefix, a.length - suffix);
  const middleB = b.slice(prefix, b.length - suffix);
  if (middleA.length * middleB.length > MAX_CELLS) {
    push(parts, 'removed', middleA);
    push(parts, 'added', middleB);
  } else {
    for (const [op, char] of lcsSteps(middleA, middleB)) push(parts, op, [char]);
  }
  push(parts, 'same', a.slice(a.length - suffix));
  return parts;
}

/** Appends characters, merging them into the last part when it has the same op. */
function push(parts: DiffPart[], op: DiffPart['op'], chars: readonly string[]): void {
  if (chars.length === 0) return;
  const last = parts.at(-1);
  if (last?.op === op) last.text += chars.join('');
  else parts.push({ op, text: chars.join('') });
}

/** Edit steps from a suffix table of LCS lengths; removals come before additions in a run. */
function lcsSteps(a: readonly string[], b: readonly string[]): Array<[DiffPart['op'], string]> {
  const width = b.length + 1;
  // lengths[i * width + j]: LCS length of a[i..] and b[j..].
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] =
        a[i] === b[j]
          ? lengths[(i + 1) * width + j + 1]! + 1
          : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    }
  }
  const steps: Array<[DiffPart['op'], string]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      steps.push(['same', a[i++]!]);
      j++;
    } else if (
      j === b.length ||
      (i < a.length && lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!)
    ) {
      steps.push(['removed', a[i++]!]);
    } else {
      steps.push(['added', b[j++]!]);
    }
  }
  return steps;
}
