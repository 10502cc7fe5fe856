// AssemblyScript, compiled to dist/dedupe/near-signature.wasm at build time
// (scripts/build-wasm.mjs): the near-duplicate signature of src/dedupe/minhash.ts
// (`nearSignatureJs`), value for value, in WebAssembly. Wasm runs compiled from its first call,
// where JavaScript runs interpreted until V8 has seen enough of it: a small prep is mostly that.
//
// Memory: the BMP character classes (64 KiB, a data segment the build generates into
// classes.ts), the 96 minimums, the signature, the densify chains, then the text the caller
// writes (lowercased UTF-16, parts joined by "\n") and a ring of the last few unit hashes: no
// memory per unit, shingles are hashed as the units arrive.
import { CLASSES } from './classes';

/** Class of an astral code point (0 separator, 1 word, 2 character): asked of JavaScript's regexes. */
@external('env', 'astralClass')
declare function astralClass(codePoint: i32): i32;

const PERMUTATIONS: u32 = 96;
const MIN_SHINGLES: i32 = 5;
const MIN_SHINGLES_BYTES: i32 = 20;
const CHAIN_ATTEMPTS: u32 = 128;
const MINS: usize = memory.data(PERMUTATIONS * 4, 8);
const SEEN: usize = memory.data(MIN_SHINGLES_BYTES, 4);
const SIGNATURE: usize = memory.data(PERMUTATIONS);
const CHAINS: usize = memory.data(PERMUTATIONS * CHAIN_ATTEMPTS);
const WORD: i32 = 1;
const CHARACTER: i32 = 2;
const CHARACTER_SHINGLE: i32 = 3;
const FNV_OFFSET: u32 = 0x811c9dc5;
const FNV_PRIME: u32 = 0x01000193;
const CHARACTER_SEED: u32 = 0x6a09e667;
const EMPTY: u32 = 0xffffffff;

@inline
function fmix32(value: u32): u32 {
  let h = value;
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

function densifyFrom(bin: u32, attempt: u32): u32 {
  return fmix32((bin + 1) * 0x9e3779b1 + attempt * 0x85ebca6b) % PERMUTATIONS;
}

for (let bin: u32 = 0; bin < PERMUTATIONS; bin++)
  for (let attempt: u32 = 1; attempt <= CHAIN_ATTEMPTS; attempt++)
    store<u8>(CHAINS + bin * CHAIN_ATTEMPTS + attempt - 1, <u8>densifyFrom(bin, attempt));

/** Where the caller writes the text. */
export function textAddress(): usize {
  return (__heap_base + 7) & ~7;
}

/** Where the signature is after `signature` returned 1. */
export function signatureAddress(): usize {
  return SIGNATURE;
}

/** The ring holds a shingle's units; a power of two, so a position in it is a mask, not a division. */
function ringSizeFor(size: i32): i32 {
  let ringSize = 4;
  while (ringSize < size) ringSize <<= 1;
  return ringSize;
}

/** Bytes a text of `length` code units and a shingle of `size` words need from `textAddress()` on. */
export function bytesNeeded(length: i32, size: i32): usize {
  return (<usize>length << 1) + 16 + (<usize>ringSizeFor(size) << 2);
}

// The scan's state. Shingles are hashed as the units arrive, so nothing is kept per unit: the
// last units of the current run sit in a ring after the text.
let ring: usize = 0;
let ringMask: i32 = 0;
let shingleSize: i32 = 0;
let runKind: i32 = -1;
let runLength: i32 = 0;
let distinct: i32 = 0;

@inline
function unitAt(at: i32): i32 {
  return <i32>load<u16>(textAddress() + (<usize>at << 1));
}

/** minhash.ts `fillMins` for one shingle, and the first MIN_SHINGLES distinct ones counted. */
function addShingle(h: u32): void {
  if (distinct < MIN_SHINGLES) {
    let k = 0;
    while (k < distinct && load<u32>(SEEN + (<usize>k << 2)) != h) k++;
    if (k == distinct) {
      store<u32>(SEEN + (<usize>distinct << 2), h);
      distinct++;
    }
  }
  const bin = <u32>((<u64>fmix32(h ^ 0x5bd1e995) * PERMUTATIONS) >>> 32);
  const value = fmix32(h ^ 0x27d4eb2f);
  if (value < load<u32>(MINS + (bin << 2))) store<u32>(MINS + (bin << 2), value);
}

/** minhash.ts `hashShingles` for the shingle of the run's last `width` units. */
function shingleOfLast(width: i32, characters: bool): void {
  let h: u32 = characters ? <u32>width + CHARACTER_SEED : <u32>width;
  for (let k = runLength - width; k < runLength; k++) h = fmix32(h ^ load<u32>(ring + (<usize>(k & ringMask) << 2)));
  addShingle(h);
}

@inline
function widthOf(kind: i32): i32 {
  return kind == CHARACTER ? CHARACTER_SHINGLE : shingleSize;
}

/** A run shorter than its shingle is one shingle of all its units. */
function endRun(): void {
  if (runKind >= 0 && runLength < widthOf(runKind)) shingleOfLast(runLength, runKind == CHARACTER);
}

/** shingle-units.ts `push`: a unit of `kind` joins the run of its kind, or starts one. */
function push(hash: u32, kind: i32): void {
  if (kind != runKind) {
    endRun();
    runKind = kind;
    runLength = 0;
  }
  store<u32>(ring + (<usize>(runLength & ringMask) << 2), hash);
  runLength++;
  if (runLength >= widthOf(kind)) shingleOfLast(widthOf(kind), kind == CHARACTER);
}

/** shingle-units.ts `scanText`: words and unspaced-script characters, each hashed as read. */
function scan(length: i32): void {
  let inWord = false;
  let wordHash: u32 = 0;
  for (let i = 0; i < length; i++) {
    const unit = unitAt(i);
    let kind: i32;
    let low = -1;
    if (unit < 0xd800) kind = <i32>load<u8>(CLASSES + unit);
    else if (unit <= 0xdbff && i + 1 < length && (low = unitAt(i + 1)) >= 0xdc00 && low <= 0xdfff)
      kind = astralClass((unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000);
    else {
      low = -1;
      kind = <i32>load<u8>(CLASSES + unit);
    }
    if (kind == WORD) {
      if (!inWord) {
        inWord = true;
        wordHash = FNV_OFFSET;
      }
      wordHash = (wordHash ^ <u32>unit) * FNV_PRIME;
      if (low >= 0) {
        wordHash = (wordHash ^ <u32>low) * FNV_PRIME;
        i++;
        continue;
      }
      // The rest of a word in the Basic Multilingual Plane, in a tight loop.
      while (i + 1 < length) {
        const next = unitAt(i + 1);
        if (next >= 0xd800 || <i32>load<u8>(CLASSES + next) != WORD) break;
        wordHash = (wordHash ^ <u32>next) * FNV_PRIME;
        i++;
      }
      continue;
    }
    if (inWord) {
      push(wordHash, WORD);
      inWord = false;
    }
    if (kind == CHARACTER) {
      let hash = (FNV_OFFSET ^ <u32>unit) * FNV_PRIME;
      if (low >= 0) hash = (hash ^ <u32>low) * FNV_PRIME;
      push(hash, CHARACTER);
    }
    if (low >= 0) i++;
  }
  if (inWord) push(wordHash, WORD);
  endRun();
}

/**
 * The signature of the `length` code units at `textAddress()`, shingled `size` words at a time:
 * 1 with the 96 bytes at `signatureAddress()`, 0 when there are fewer than 5 distinct shingles.
 */
export function signature(length: i32, size: i32): i32 {
  shingleSize = size;
  ringMask = ringSizeFor(size) - 1;
  ring = (textAddress() + (<usize>length << 1) + 7) & ~7;
  runKind = -1;
  runLength = 0;
  distinct = 0;
  for (let bin: u32 = 0; bin < PERMUTATIONS; bin++) store<u32>(MINS + (bin << 2), EMPTY);
  scan(length);
  if (distinct < MIN_SHINGLES) return 0;
  for (let bin: u32 = 0; bin < PERMUTATIONS; bin++) {
    let value = load<u32>(MINS + (bin << 2));
    // An empty bin borrows the minimum of the first non-empty bin on its chain.
    for (let attempt: u32 = 1; value == EMPTY; attempt++) {
      const from =
        attempt <= CHAIN_ATTEMPTS ? <u32>load<u8>(CHAINS + bin * CHAIN_ATTEMPTS + attempt - 1) : densifyFrom(bin, attempt);
      value = load<u32>(MINS + (from << 2));
    }
    store<u8>(SIGNATURE + bin, <u8>value);
  }
  return 1;
}
