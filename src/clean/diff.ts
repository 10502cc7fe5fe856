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

const isHigh = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;

/** Code points (a lone surrogate is one) in text[start, end), `end` on a code point boundary. */
export function codePointCount(text: string, start = 0, end = text.length): number {
  let count = end - start;
  for (let i = start + 1; i < end; i++)
    if (isLow(text.charCodeAt(i)) && isHigh(text.charCodeAt(i - 1))) count--;
  return count;
}

/** The code unit where code point `index` of `text` starts. */
function unitOf(text: string, index: number): number {
  let unit = 0;
  for (let k = 0; k < index; k++)
    unit += isHigh(text.charCodeAt(unit)) && isLow(text.charCodeAt(unit + 1)) ? 2 : 1;
  return unit;
}

/** Code units both texts share at the start, ending on a code point boundary of both. */
function sharedStart(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let n = 0;
  while (n < limit && a.charCodeAt(n) === b.charCodeAt(n)) n++;
  // A pair's first half matched but the code point differs (or is a lone surrogate in one).
  if (n > 0 && isHigh(a.charCodeAt(n - 1)) && (isLow(a.charCodeAt(n)) || isLow(b.charCodeAt(n)))) n--;
  return n;
}

/** Code units both texts share at the end, after `start` units, starting on a code point boundary of both. */
function sharedEnd(a: string, b: string, start: number): number {
  const limit = Math.min(a.length, b.length) - start;
  let n = 0;
  while (n < limit && a.charCodeAt(a.length - 1 - n) === b.charCodeAt(b.length - 1 - n)) n++;
  const splits = (text: string): boolean =>
    isLow(text.charCodeAt(text.length - n)) && isHigh(text.charCodeAt(text.length - n - 1));
  if (n > 0 && (splits(a) || splits(b))) n--;
  return n;
}

/**
 * The part of both texts around the change, at most MAX_WINDOW characters each. Found on code
 * units with no array per character (this runs for every sample a batch keeps), counted in code
 * points as Array.from would.
 */
export function diffWindow(before: string, after: string): DiffWindow {
  const prefixUnits = sharedStart(before, after);
  const suffixUnits = sharedEnd(before, after, prefixUnits);
  const prefix = codePointCount(before, 0, prefixUnits);
  const suffix = codePointCount(before, before.length - suffixUnits);
  const at = Math.max(0, prefix - CONTEXT);
  const tail = Math.max(0, suffix - CONTEXT);
  const window = (text: string): string => {
    const end = Math.min(codePointCount(text) - tail, at + MAX_WINDOW);
    return text.slice(unitOf(text, at), unitOf(text, end));
  };
  return { at, before: window(before), after: window(after) };
}

/** The runs of `before` kept, removed and added to give `after` (a longest common subsequence). */
export function charDiff(before: string, after: string): DiffPart[] {
  const prefix = sharedStart(before, after);
  const suffix = sharedEnd(before, after, prefix);
  const parts: DiffPart[] = [];
  push(parts, 'same', [before.slice(0, prefix)]);
  // Only the changed middle is cut into characters (code points) for the LCS.
  const middleA = Array.from(before.slice(prefix, before.length - suffix));
  const middleB = Array.from(after.slice(prefix, after.length - suffix));
  if (middleA.length * middleB.length > MAX_CELLS) {
    push(parts, 'removed', middleA);
    push(parts, 'added', middleB);
  } else {
    for (const [op, char] of lcsSteps(middleA, middleB)) push(parts, op, [char]);
  }
  push(parts, 'same', [before.slice(before.length - suffix)]);
  return parts;
}

/** Appends characters, merging them into the last part when it has the same op. */
function push(parts: DiffPart[], op: DiffPart['op'], chars: readonly string[]): void {
  const text = chars.join('');
  if (text === '') return;
  const last = parts.at(-1);
  if (last?.op === op) last.text += text;
  else parts.push({ op, text });
}

/** Edit steps from a suffix table of LCS lengths; removals come before additions in a run. */
function lcsSteps(a: readonly string[], b: readonly string[]): Array<[DiffPart['op'], string]> {
  // The table compares code points as numbers (equal exactly when the characters are).
  const codesA = Int32Array.from(a, (char) => char.codePointAt(0)!);
  const codesB = Int32Array.from(b, (char) => char.codePointAt(0)!);
  const width = b.length + 1;
  // lengths[i * width + j]: LCS length of a[i..] and b[j..].
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    const codeA = codesA[i]!;
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] =
        codeA === codesB[j]
          ? lengths[(i + 1) * width + j + 1]! + 1
          : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    }
  }
  const steps: Array<[DiffPart['op'], string]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && codesA[i] === codesB[j]) {
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
