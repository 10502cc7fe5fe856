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

/** Low surrogates, the only units that end a pair, found by the regex engine's native scan. */
const LOW_SURROGATES = /[\uDC00-\uDFFF]/g;

/** Code points (a lone surrogate is one) in text[start, end), `end` on a code point boundary. */
export function codePointCount(text: string, start = 0, end = text.length): number {
  let count = end - start;
  // Not a loop over every unit: a front worker runs such a loop unoptimised for long (its V8
  // tiers up late, cli/heap-settings.ts), and samples measure whole messages.
  LOW_SURROGATES.lastIndex = start + 1;
  for (let low = LOW_SURROGATES.exec(text); low !== null && low.index < end; low = LOW_SURROGATES.exec(text))
    if (isHigh(text.charCodeAt(low.index - 1))) count--;
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

/**
 * Edit steps from the table of LCS lengths of suffixes, L(i, j) = LCS(a[i..], b[j..]); removals
 * come before additions in a run. The table is held as bit rows (`SuffixLcs`), not as cells.
 */
export function lcsSteps(a: readonly string[], b: readonly string[]): Array<[DiffPart['op'], string]> {
  const codesA = Int32Array.from(a, (char) => char.codePointAt(0)!);
  const codesB = Int32Array.from(b, (char) => char.codePointAt(0)!);
  const table = new SuffixLcs(codesA, codesB);
  const steps: Array<[DiffPart['op'], string]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && codesA[i] === codesB[j]) {
      steps.push(['same', a[i++]!]);
      j++;
    } else if (j === b.length || (i < a.length && table.at(i + 1, j) >= table.at(i, j + 1))) {
      steps.push(['removed', a[i++]!]);
    } else {
      steps.push(['added', b[j++]!]);
    }
  }
  return steps;
}

/**
 * LCS lengths of every pair of suffixes of `a` and `b`, from bit-parallel rows (Hyyrö's LCS
 * recurrence): read backwards, row p of `a` against `b` is one bit per character of `b`, 32 to a
 * word, so a row costs m/32 word operations where the cell table cost m cells. Bit k of row p is
 * 0 where the LCS of a's last p characters and b's last k + 1 gains one over b's last k.
 */
class SuffixLcs {
  private readonly words: number;
  /** Row p (a's last p characters) at p * words; rows 0 to a.length. */
  private readonly rows: Uint32Array;
  private readonly lastRow: number;

  constructor(
    codesA: Int32Array,
    private readonly codesB: Int32Array,
  ) {
    const m = codesB.length;
    this.words = (m + 31) >>> 5;
    this.lastRow = codesA.length;
    const masks = matchMasks(codesB, this.words);
    const none = new Uint32Array(this.words);
    this.rows = new Uint32Array((codesA.length + 1) * this.words).fill(0xffffffff, 0, this.words);
    for (let p = 1; p <= codesA.length; p++) {
      const match = masks.get(codesA[codesA.length - p]!) ?? none;
      const from = (p - 1) * this.words;
      let carry = 0;
      for (let w = 0; w < this.words; w++) {
        const v = this.rows[from + w]!;
        const u = (v & match[w]!) >>> 0;
        const sum = v + u + carry; // below 2^33: exact
        carry = sum > 0xffffffff ? 1 : 0;
        this.rows[from + this.words + w] = (sum >>> 0) | (v & ~match[w]!);
      }
    }
  }

  /** L(i, j): the LCS of a[i..] and b[j..]. */
  at(i: number, j: number): number {
    const row = (this.lastRow - i) * this.words;
    const bits = this.codesB.length - j;
    let ones = 0;
    for (let w = 0; w < bits >>> 5; w++) ones += popcount(this.rows[row + w]!);
    if (bits & 31) ones += popcount(this.rows[row + (bits >>> 5)]! & ((1 << (bits & 31)) - 1));
    return bits - ones;
  }
}

/** Per code point of `codes` read backwards, the bits where it stands. */
function matchMasks(codes: Int32Array, words: number): Map<number, Uint32Array> {
  const masks = new Map<number, Uint32Array>();
  for (let k = 0; k < codes.length; k++) {
    const code = codes[codes.length - 1 - k]!;
    let mask = masks.get(code);
    if (mask === undefined) masks.set(code, (mask = new Uint32Array(words)));
    mask[k >>> 5] = mask[k >>> 5]! | (1 << (k & 31));
  }
  return masks;
}

function popcount(word: number): number {
  let x = word - ((word >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}
