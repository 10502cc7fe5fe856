// The units near-dedupe shingles, found in one pass over lowercased text: words (runs of letters,
// marks and digits in any script) and, in scripts written without spaces, single characters.
// Each unit is hashed (FNV-1a over UTF-16 code units) as it is read, into typed arrays reused from
// text to text, so shingling makes no strings. Memory: 13 bytes per unit of the largest text
// seen (a text of over MAX_KEPT_UNITS units gives its buffers back after use).

/**
 * Scripts written without spaces between words (Han, Kana, Hangul, Thai, Lao, Khmer, Myanmar):
 * a "word" there would be a whole clause, so their runs are shingled by characters instead.
 */
export const UNSPACED =
  /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}\u30fc]/u;
const WORD_CHARACTER = /[\p{L}\p{N}\p{M}]/u;

/** Character classes: a separator, part of a word, or a unit of its own (unspaced script). */
const SEPARATOR = 0;
const WORD = 1;
const CHARACTER = 2;

/** A code point's class, from the regexes (the scan reads them from caches, the build from this). */
export function classOf(codePoint: number): number {
  const character = String.fromCodePoint(codePoint);
  if (!WORD_CHARACTER.test(character)) return SEPARATOR;
  return UNSPACED.test(character) ? CHARACTER : WORD;
}

// Classes looked up once per code point (the regexes are too slow per character): 0 = not yet.
const bmpClasses = new Uint8Array(0x10000);
const astralClasses = new Map<number, number>();

function cachedClassOf(codePoint: number): number {
  if (codePoint < 0x10000) {
    let known = bmpClasses[codePoint]!;
    if (known === 0) bmpClasses[codePoint] = known = classOf(codePoint) + 1;
    return known - 1;
  }
  let known = astralClasses.get(codePoint);
  if (known === undefined) astralClasses.set(codePoint, (known = classOf(codePoint)));
  return known;
}

// As an int32 (same bits), so the hash stays a small integer in the loop.
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const INITIAL_UNITS = 1024;
const MAX_KEPT_UNITS = 1 << 20;

/**
 * The units of the last scanned text, valid until the next scan: unit `u` has hash `hashes[u]`
 * and spans `starts[u]..ends[u]` of the lowercased text; run `r` (consecutive units of one kind)
 * ends before unit `runEnds[r]` and holds characters when `runIsCharacters[r]` is 1.
 */
export interface ShingleUnits {
  count: number;
  hashes: Uint32Array;
  starts: Uint32Array;
  ends: Uint32Array;
  runs: number;
  runEnds: Uint32Array;
  runIsCharacters: Uint8Array;
}

const units: ShingleUnits = {
  count: 0,
  hashes: new Uint32Array(INITIAL_UNITS),
  starts: new Uint32Array(INITIAL_UNITS),
  ends: new Uint32Array(INITIAL_UNITS),
  runs: 0,
  runEnds: new Uint32Array(INITIAL_UNITS),
  runIsCharacters: new Uint8Array(INITIAL_UNITS),
};

function allocate(capacity: number): void {
  const grown = (old: Uint32Array) => {
    const array = new Uint32Array(capacity);
    array.set(old.subarray(0, Math.min(old.length, capacity)));
    return array;
  };
  units.hashes = grown(units.hashes);
  units.starts = grown(units.starts);
  units.ends = grown(units.ends);
  units.runEnds = grown(units.runEnds);
  const runIsCharacters = new Uint8Array(capacity);
  runIsCharacters.set(units.runIsCharacters.subarray(0, Math.min(units.runIsCharacters.length, capacity)));
  units.runIsCharacters = runIsCharacters;
}

// Set again at once: V8 takes a field written only once for a constant, and threw away the code
// it had optimised on that (hashShingles, push) the first time the buffers grew.
allocate(INITIAL_UNITS);

function push(hash: number, start: number, end: number, characters: number): void {
  const u = units.count;
  if (u === units.hashes.length) allocate(u * 2);
  units.hashes[u] = hash;
  units.starts[u] = start;
  units.ends[u] = end;
  units.count = u + 1;
  // Runs never outnumber units, so the run arrays have room too.
  const r = units.runs;
  if (r > 0 && units.runIsCharacters[r - 1] === characters) units.runEnds[r - 1] = u + 1;
  else {
    units.runIsCharacters[r] = characters;
    units.runEnds[r] = u + 1;
    units.runs = r + 1;
  }
}

/**
 * Scans lowercased text into the shared `ShingleUnits`; parts are scanned as if joined by "\n"
 * (offsets count the separators), without building the joined string. Lowercasing never moves a
 * character into or out of an unspaced script (test/dedupe/shingle-units.test.ts checks every
 * code point), so classes read from the lowercased text are those of the original.
 */
export function scanUnits(lower: string | readonly string[]): ShingleUnits {
  if (units.hashes.length > MAX_KEPT_UNITS) allocate(INITIAL_UNITS);
  units.count = 0;
  units.runs = 0;
  if (typeof lower === 'string') scanText(lower, 0);
  else
    for (let i = 0, offset = 0; i < lower.length; offset += lower[i++]!.length + 1)
      scanText(lower[i]!, offset);
  return units;
}

/** Appends the units of one text, its offsets shifted by `offset`. */
function scanText(lower: string, offset: number): void {
  const n = lower.length;
  let wordStart = -1;
  let wordHash = 0;
  // Code units, not codePointAt: measured faster. `low` is the second half of a surrogate pair.
  for (let i = 0; i < n; i++) {
    const unit = lower.charCodeAt(i);
    let kind: number;
    let low = -1;
    if (unit < 0xd800) kind = bmpClasses[unit]! - 1;
    else if (unit <= 0xdbff && i + 1 < n && (low = lower.charCodeAt(i + 1)) >= 0xdc00 && low <= 0xdfff)
      kind = cachedClassOf((unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000);
    else {
      low = -1;
      kind = bmpClasses[unit]! - 1;
    }
    if (kind < 0) kind = cachedClassOf(unit); // not looked up yet; a lone surrogate is a separator
    if (kind === WORD) {
      if (wordStart < 0) {
        wordStart = i;
        wordHash = FNV_OFFSET;
      }
      wordHash = Math.imul(wordHash ^ unit, FNV_PRIME);
      if (low >= 0) {
        wordHash = Math.imul(wordHash ^ low, FNV_PRIME);
        i++;
        continue;
      }
      // The rest of a word in the Basic Multilingual Plane, in a tight loop.
      let next: number;
      while (i + 1 < n && (next = lower.charCodeAt(i + 1)) < 0xd800 && bmpClasses[next] === WORD + 1) {
        wordHash = Math.imul(wordHash ^ next, FNV_PRIME);
        i++;
      }
    } else {
      if (wordStart >= 0) {
        push(wordHash >>> 0, offset + wordStart, offset + i, 0);
        wordStart = -1;
      }
      if (kind === CHARACTER) {
        let hash = Math.imul(FNV_OFFSET ^ unit, FNV_PRIME);
        if (low >= 0) hash = Math.imul(hash ^ low, FNV_PRIME);
        push(hash >>> 0, offset + i, offset + (low >= 0 ? i + 2 : i + 1), 1);
      }
    }
    if (low >= 0) i++;
  }
  if (wordStart >= 0) push(wordHash >>> 0, offset + wordStart, offset + n, 0);
}
