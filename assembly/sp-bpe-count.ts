// AssemblyScript, compiled to dist/tokenize/sp-bpe-count.wasm at build time
// (scripts/build-wasm.mjs): src/tokenize/sp-bpe.ts `countRanges` (scan into chunks, word cache,
// BPE merges, tokens counted inside ranges), step for step, in WebAssembly. Wasm runs compiled
// from its first call, where JavaScript runs interpreted until V8 has seen enough of it.
//
// Memory, laid out by `setup`: the vocabulary's tables (copied in by the caller), the word cache
// (slots, key pool, id pool; zero is empty, so untouched pages cost nothing), then the call's
// input (text, pieces, ranges), which the caller makes room for, and the merge scratch, sized
// by the longest chunk met (~70 bytes per code unit of it).

const NO_MERGE: i32 = 0x7fffffff;
const MAX_CACHED_CHUNK: i32 = 256;
const CACHE_SLOTS: i32 = 1 << 18;
// The word cache starts with this many slots and doubles (emptied) each time it is half full: a
// slot is found by hash, so a short input touches every page of the table it is given, and a
// first touch costs ~16 us on hosts that fault pages in slowly (bench/README.md).
const FIRST_CACHE_SLOTS: i32 = 1 << 13;
const HOT_SLOTS: i32 = 1 << 12;
const HOT_UNITS: i32 = 12;
const MAX_POOL: i32 = 1 << 21;
const SHORT_CHUNK: i32 = 48;
const FNV_PRIME: u32 = 0x01000193;
const HASH_SEED: u32 = 0x811c9dc5;
const HASH_SEED_VIRTUAL: u32 = 0x2f2b1b3d;
const SPACE: i32 = 0x20;
const META_SPACE: i32 = 0x2581;
const HIGH_SURROGATE: i32 = -2;

// Tables.
let metaSpaceId: i32 = 0;
let mergeMask: u32 = 0;
let astralCount: i32 = 0;
let pieceLengths: usize = 0;
let charIds: usize = 0;
let byteIds: usize = 0;
let merges: usize = 0;
let astral: usize = 0;
// Word cache: a slot is 4 i32 [hash, shape | count << 16, key at, ids at]; the shape is
// length * 2 + 2, + 1 without a virtual space, and 0 in an empty slot. With the count in the
// slot, a chunk wholly inside or outside the ranges (nearly all) never reads its ids.
let slots: usize = 0;
// In front of it, a direct-mapped table of 32-byte slots small enough to stay in the core's own
// cache: [hash, shape | count << 16, the chunk's code units], for chunks of up to HOT_UNITS units.
// Text reuses a few thousand words for most of its length, and a hit there reads one cache line
// where the word cache reads two far apart (its slot and its key). A miss goes on to the word
// cache and takes the slot over. A chunk's count depends on its units and shape alone, so a slot
// stays right after the word cache is cleared.
let hot: usize = 0;
let keyPool: usize = 0;
let idPool: usize = 0;
let cacheSize: i32 = 0;
let cacheMask: u32 = <u32>(FIRST_CACHE_SLOTS - 1);
let keyPoolUsed: i32 = 0;
let idPoolUsed: i32 = 0;
let inputAt: usize = 0;
// The call's input and scratch.
let text: usize = 0;
let piecesAt: usize = 0;
let scratchAt: usize = 0;
let scratchCapacity: i32 = 0;
let ranges: usize = 0;
let rangeCount: i32 = 0;
let symbols: usize = 0;
let ranks: usize = 0;
let nexts: usize = 0;
let previouses: usize = 0;
let values: usize = 0;
let heapKeys: usize = 0;
let heapLefts: usize = 0;
let heapLeftValues: usize = 0;
let heapRightValues: usize = 0;
let heapSize: i32 = 0;
const scratch: usize = memory.data(16, 4);
// The count.
let total: i32 = 0;
let inRanges: i32 = 0;
let rangeIndex: i32 = 0;

@inline
function i32At(base: usize, index: i32): i32 {
  return load<i32>(base + (<usize>index << 2));
}

@inline
function setI32(base: usize, index: i32, value: i32): void {
  store<i32>(base + (<usize>index << 2), value);
}

@inline
function unitAt(index: i32): i32 {
  return <i32>load<u16>(text + (<usize>index << 1));
}

@inline
function unitIn(base: usize, index: i32): i32 {
  return <i32>load<u16>(base + (<usize>index << 1));
}

@inline
function align(address: usize): usize {
  return (address + 15) & ~15;
}

function ensure(end: usize): void {
  const have = <usize>memory.size() << 16;
  if (end > have) memory.grow(<i32>((end - have + 0xffff) >>> 16));
}

/**
 * Lays out the tables for a vocabulary of `vocabulary` pieces, `mergeInts` merge-table ints and
 * `astralPairs` astral pieces; the caller then copies each table to its address.
 */
export function setup(vocabulary: i32, mergeInts: i32, astralPairs: i32, meta: i32): void {
  metaSpaceId = meta;
  mergeMask = <u32>(mergeInts / 4 - 1);
  astralCount = astralPairs;
  pieceLengths = align(__heap_base);
  charIds = align(pieceLengths + (<usize>vocabulary << 2));
  byteIds = align(charIds + (<usize>0x10000 << 2));
  merges = align(byteIds + (256 << 2));
  astral = align(merges + (<usize>mergeInts << 2));
  hot = align(astral + (<usize>astralPairs << 3));
  slots = align(hot + (<usize>HOT_SLOTS << 5));
  keyPool = align(slots + (<usize>CACHE_SLOTS << 4));
  idPool = align(keyPool + (<usize>MAX_POOL << 1));
  inputAt = align(idPool + (<usize>MAX_POOL << 2));
  ensure(inputAt);
}

export function pieceLengthsAddress(): usize {
  return pieceLengths;
}
export function charIdsAddress(): usize {
  return charIds;
}
export function byteIdsAddress(): usize {
  return byteIds;
}
export function mergesAddress(): usize {
  return merges;
}
/** Astral pieces as (code point, id) pairs sorted by code point. */
export function astralAddress(): usize {
  return astral;
}

/** Where the caller writes a call's text (UTF-16), then its pieces (start, end, id) and ranges (start, end). */
export function inputAddress(): usize {
  return inputAt;
}

/**
 * Lays out a call's input and grows the memory to it; the caller then writes the text at
 * `inputAddress()`, the pieces at `piecesAddress()`, the ranges at `rangesAddress()`. The merge
 * scratch after them is sized by the longest chunk met (`ensureScratch`), not by the text.
 */
export function reserve(length: i32, pieces: i32, rangePairs: i32): void {
  text = inputAt;
  piecesAt = align(text + (<usize>length << 1));
  ranges = align(piecesAt + <usize>pieces * 12);
  scratchAt = align(ranges + (<usize>rangePairs << 3));
  scratchCapacity = 0;
  ensureScratch(MAX_CACHED_CHUNK + 2);
}

/** Room in the merge scratch for a chunk of `n - 2` code units (the virtual space and one spare). */
function ensureScratch(n: i32): void {
  if (n <= scratchCapacity) return;
  scratchCapacity = max(n, scratchCapacity * 2);
  const capacity = <usize>scratchCapacity;
  symbols = scratchAt;
  ranks = align(symbols + (capacity << 2));
  nexts = align(ranks + (capacity << 2));
  previouses = align(nexts + (capacity << 2));
  values = align(previouses + (capacity << 2));
  // The heap holds at most 3n entries (n - 1 at first, two per merge), and one past its end.
  heapKeys = align(values + (capacity << 2));
  heapLefts = align(heapKeys + (capacity << 5));
  heapLeftValues = align(heapLefts + (capacity << 4));
  heapRightValues = align(heapLeftValues + (capacity << 4));
  ensure(align(heapRightValues + (capacity << 4)));
}

export function piecesAddress(): usize {
  return piecesAt;
}

export function rangesAddress(): usize {
  return ranges;
}

/** Empties the word cache (when half its slots or a pool are used), doubling it up to CACHE_SLOTS. */
function clearCache(): void {
  memory.fill(slots, 0, (<usize>cacheMask + 1) << 4);
  if (cacheMask + 1 < <u32>CACHE_SLOTS) cacheMask = (cacheMask << 1) | 1;
  cacheSize = 0;
  keyPoolUsed = 0;
  idPoolUsed = 0;
}

/** Tokens that start inside the ranges, counted as each chunk's ids arrive (sp-bpe.ts RangeCounter). */
function emit(ids: usize, from: i32, count: i32, start: i32, end: i32, virtualSpace: bool): void {
  if (countWhole(count, start, end)) return;
  total += count;
  // The chunk straddles a range edge: walk its tokens' start offsets.
  let offset = start - (virtualSpace ? 1 : 0);
  let index = rangeIndex;
  for (let i = from; i < from + count; i++) {
    const tokenStart = max(offset, start);
    while (index < rangeCount && i32At(ranges, index * 2 + 1) <= tokenStart) index++;
    if (index < rangeCount && i32At(ranges, index * 2) <= tokenStart) inRanges++;
    offset += i32At(pieceLengths, i32At(ids, i));
  }
}

/** Counts the chunk's `count` tokens when it lies wholly inside or outside the ranges; false when it straddles an edge. */
function countWhole(count: i32, start: i32, end: i32): bool {
  while (rangeIndex < rangeCount && i32At(ranges, rangeIndex * 2 + 1) <= start) rangeIndex++;
  if (rangeIndex < rangeCount) {
    const lastStart = max(start, end - 1);
    const rangeStart = i32At(ranges, rangeIndex * 2);
    if (rangeStart <= lastStart) {
      if (rangeStart > start || lastStart >= i32At(ranges, rangeIndex * 2 + 1)) return false;
      inRanges += count;
    }
  }
  total += count;
  return true;
}

function astralId(codePoint: i32): i32 {
  let low = 0;
  let high = astralCount - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = i32At(astral, middle * 2);
    if (at == codePoint) return i32At(astral, middle * 2 + 1);
    if (at < codePoint) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** Writes the byte tokens of the code point's UTF-8 into `scratch`; returns how many. */
function bytesOf(codePoint: i32): i32 {
  if (codePoint < 0x80) {
    setI32(scratch, 0, i32At(byteIds, codePoint));
    return 1;
  }
  if (codePoint < 0x800) {
    setI32(scratch, 0, i32At(byteIds, 0xc0 | (codePoint >> 6)));
    setI32(scratch, 1, i32At(byteIds, 0x80 | (codePoint & 0x3f)));
    return 2;
  }
  if (codePoint < 0x10000) {
    setI32(scratch, 0, i32At(byteIds, 0xe0 | (codePoint >> 12)));
    setI32(scratch, 1, i32At(byteIds, 0x80 | ((codePoint >> 6) & 0x3f)));
    setI32(scratch, 2, i32At(byteIds, 0x80 | (codePoint & 0x3f)));
    return 3;
  }
  setI32(scratch, 0, i32At(byteIds, 0xf0 | (codePoint >> 18)));
  setI32(scratch, 1, i32At(byteIds, 0x80 | ((codePoint >> 12) & 0x3f)));
  setI32(scratch, 2, i32At(byteIds, 0x80 | ((codePoint >> 6) & 0x3f)));
  setI32(scratch, 3, i32At(byteIds, 0x80 | (codePoint & 0x3f)));
  return 4;
}

/** Offset in ints of the merge (left, right) in `merges`, or -1. */
function findMerge(left: i32, right: i32): i32 {
  let slot = (<u32>left * 0x9e3779b1) ^ (<u32>right * 0x85ebca6b);
  let at = <i32>((slot & mergeMask) << 2);
  let candidate = i32At(merges, at);
  while (candidate != -1) {
    if (candidate == left && i32At(merges, at + 1) == right) return at;
    slot = (slot + 1) & mergeMask;
    at = <i32>(slot << 2);
    candidate = i32At(merges, at);
  }
  return -1;
}

function rankOf(left: i32, right: i32): i32 {
  const at = findMerge(left, right);
  return at == -1 ? NO_MERGE : i32At(merges, at + 2);
}

/** Lowest rank first, leftmost on ties; O(n^2) but fast for the short chunks words make. */
function mergeShort(n: i32): i32 {
  for (let i = 0; i < n - 1; i++) setI32(ranks, i, rankOf(i32At(symbols, i), i32At(symbols, i + 1)));
  while (n > 1) {
    let best = NO_MERGE;
    let at = -1;
    for (let i = 0; i < n - 1; i++) {
      const rank = i32At(ranks, i);
      if (rank < best) {
        best = rank;
        at = i;
      }
    }
    if (at == -1) break;
    setI32(symbols, at, i32At(merges, findMerge(i32At(symbols, at), i32At(symbols, at + 1)) + 3));
    memory.copy(symbols + (<usize>(at + 1) << 2), symbols + (<usize>(at + 2) << 2), <usize>(n - at - 2) << 2);
    memory.copy(ranks + (<usize>at << 2), ranks + (<usize>(at + 1) << 2), <usize>(n - at - 2) << 2);
    n--;
    if (at > 0) setI32(ranks, at - 1, rankOf(i32At(symbols, at - 1), i32At(symbols, at)));
    if (at < n - 1) setI32(ranks, at, rankOf(i32At(symbols, at), i32At(symbols, at + 1)));
  }
  return n;
}

function heapMove(from: i32, to: i32): void {
  store<u64>(heapKeys + (<usize>to << 3), load<u64>(heapKeys + (<usize>from << 3)));
  setI32(heapLefts, to, i32At(heapLefts, from));
  setI32(heapLeftValues, to, i32At(heapLeftValues, from));
  setI32(heapRightValues, to, i32At(heapRightValues, from));
}

function heapPush(key: u64, left: i32, leftValue: i32, rightValue: i32): void {
  let i = heapSize++;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (load<u64>(heapKeys + (<usize>parent << 3)) <= key) break;
    heapMove(parent, i);
    i = parent;
  }
  store<u64>(heapKeys + (<usize>i << 3), key);
  setI32(heapLefts, i, left);
  setI32(heapLeftValues, i, leftValue);
  setI32(heapRightValues, i, rightValue);
}

/** Removes the top; it is copied to slot `heapSize` (past the end) for the caller to read. */
function heapPop(): void {
  const last = --heapSize;
  const key = load<u64>(heapKeys + (<usize>last << 3));
  // The top goes past the end, where the caller reads it; the last entry sinks from the root.
  heapMove(0, last + 1);
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= last) break;
    if (child + 1 < last && load<u64>(heapKeys + (<usize>(child + 1) << 3)) < load<u64>(heapKeys + (<usize>child << 3)))
      child++;
    if (load<u64>(heapKeys + (<usize>child << 3)) >= key) break;
    heapMove(child, i);
    i = child;
  }
  heapMove(last, i);
}

function pushCandidate(left: i32): void {
  const right = i32At(nexts, left);
  if (right == -1) return;
  const at = findMerge(i32At(values, left), i32At(values, right));
  if (at != -1)
    heapPush((<u64>i32At(merges, at + 2) << 32) | <u64>left, left, i32At(values, left), i32At(values, right));
}

/** The same order with a binary heap over (rank, position) and a linked list: O(n log n). */
function mergeLong(n: i32): i32 {
  for (let i = 0; i < n; i++) {
    setI32(values, i, i32At(symbols, i));
    setI32(nexts, i, i + 1 < n ? i + 1 : -1);
    setI32(previouses, i, i - 1);
  }
  heapSize = 0;
  for (let i = 0; i < n - 1; i++) pushCandidate(i);
  while (heapSize > 0) {
    heapPop();
    const top = heapSize + 1;
    const left = i32At(heapLefts, top);
    const leftValue = i32At(heapLeftValues, top);
    const rightValue = i32At(heapRightValues, top);
    const right = i32At(nexts, left);
    // Stale entry: a neighbour merged since it was pushed (a piece never merges back into itself).
    if (i32At(values, left) != leftValue || right == -1 || i32At(values, right) != rightValue) continue;
    setI32(values, left, i32At(merges, findMerge(leftValue, rightValue) + 3));
    setI32(values, right, -1);
    const after = i32At(nexts, right);
    setI32(nexts, left, after);
    if (after != -1) setI32(previouses, after, left);
    if (i32At(previouses, left) != -1) pushCandidate(i32At(previouses, left));
    pushCandidate(left);
  }
  let count = 0;
  for (let i = 0; i != -1; i = i32At(nexts, i)) setI32(symbols, count++, i32At(values, i));
  return count;
}

/** A chunk's initial symbols (every character is a piece), then BPE; leaves its ids in `symbols`. */
function encodeChunk(start: i32, end: i32, virtualSpace: bool): i32 {
  ensureScratch(end - start + 2);
  let n = 0;
  if (virtualSpace) setI32(symbols, n++, metaSpaceId);
  for (let i = start; i < end; i++) {
    const code = unitAt(i);
    const id = i32At(charIds, code);
    if (id >= 0) setI32(symbols, n++, id);
    else {
      const codePoint = 0x10000 + ((code - 0xd800) << 10) + (unitAt(i + 1) - 0xdc00);
      setI32(symbols, n++, astralId(codePoint));
      i++;
    }
  }
  return n <= SHORT_CHUNK ? mergeShort(n) : mergeLong(n);
}

/** Where the chunk's slot starts (in ints), or -1 when it is not cached. */
function findCached(start: i32, length: i32, shape: i32, hash: u32): i32 {
  const mask = cacheMask;
  for (let slot = hash & mask; i32At(slots, <i32>(slot << 2) + 1) != 0; slot = (slot + 1) & mask) {
    const at = <i32>(slot << 2);
    if (<u32>i32At(slots, at) != hash || (i32At(slots, at + 1) & 0xffff) != shape) continue;
    const keyAt = i32At(slots, at + 2);
    let k = 0;
    while (k < length && <i32>load<u16>(keyPool + (<usize>(keyAt + k) << 1)) == unitAt(start + k)) k++;
    if (k == length) return at;
  }
  return -1;
}

function addToCache(start: i32, length: i32, shape: i32, hash: u32): i32 {
  const n = encodeChunk(start, start + length, (shape & 1) == 0);
  if (cacheSize >= <i32>((cacheMask + 1) >>> 1) || keyPoolUsed + length > MAX_POOL || idPoolUsed + n > MAX_POOL) clearCache();
  const mask = cacheMask;
  let slot = hash & mask;
  while (i32At(slots, <i32>(slot << 2) + 1) != 0) slot = (slot + 1) & mask;
  const at = <i32>(slot << 2);
  setI32(slots, at, <i32>hash);
  setI32(slots, at + 1, shape | (n << 16));
  setI32(slots, at + 2, keyPoolUsed);
  setI32(slots, at + 3, idPoolUsed);
  memory.copy(keyPool + (<usize>keyPoolUsed << 1), text + (<usize>start << 1), <usize>length << 1);
  keyPoolUsed += length;
  memory.copy(idPool + (<usize>idPoolUsed << 2), symbols, <usize>n << 2);
  idPoolUsed += n;
  cacheSize++;
  return at;
}

function emitChunk(start: i32, end: i32, virtualSpace: bool, hash: u32): void {
  const length = end - start;
  if (length >= MAX_CACHED_CHUNK) {
    const n = encodeChunk(start, end, virtualSpace);
    emit(symbols, 0, n, start, end, virtualSpace);
    return;
  }
  // The shape's low bit is 0 for a virtual space, so that 0 is never a used slot's shape.
  const shape = length * 2 + (virtualSpace ? 0 : 1) + 2;
  const hotAt = hot + (<usize>(hash & <u32>(HOT_SLOTS - 1)) << 5);
  const fitsHot = length <= HOT_UNITS;
  if (fitsHot && isHot(hotAt, start, length, shape, hash)) {
    if (countWhole(<i32>(load<u32>(hotAt + 4) >>> 16), start, end)) return;
  }
  let at = findCached(start, length, shape, hash);
  if (at == -1) at = addToCache(start, length, shape, hash);
  const packed = i32At(slots, at + 1);
  if (fitsHot) {
    store<u32>(hotAt, hash);
    store<i32>(hotAt + 4, packed);
    memory.copy(hotAt + 8, text + (<usize>start << 1), <usize>length << 1);
  }
  emit(idPool, i32At(slots, at + 3), <i32>(<u32>packed >>> 16), start, end, virtualSpace);
}

/** Whether the hot slot at `hotAt` holds this chunk. */
@inline
function isHot(hotAt: usize, start: i32, length: i32, shape: i32, hash: u32): bool {
  if (load<u32>(hotAt) != hash || (load<i32>(hotAt + 4) & 0xffff) != shape) return false;
  for (let k = 0; k < length; k++) if (<i32>load<u16>(hotAt + 8 + (<usize>k << 1)) != unitAt(start + k)) return false;
  return true;
}

/** Normalises text[start, end) ("▁" prepended, spaces to "▁") and emits its chunks. */
function scan(start: i32, end: i32): void {
  // Locals, not globals, in the loop over every code unit.
  const base = text;
  const ids = charIds;
  let chunkStart = start;
  let virtualSpace = true;
  let previousIsSpace = true;
  let hash = HASH_SEED_VIRTUAL;
  for (let i = start; i < end; i++) {
    const code = unitIn(base, i);
    if (code == SPACE || code == META_SPACE) {
      if (!previousIsSpace) {
        emitChunk(chunkStart, i, virtualSpace, hash);
        virtualSpace = false;
        chunkStart = i;
        hash = HASH_SEED;
      }
      hash = (hash ^ <u32>code) * FNV_PRIME;
      previousIsSpace = true;
      continue;
    }
    previousIsSpace = false;
    let id = i32At(ids, code);
    if (id >= 0) {
      hash = (hash ^ <u32>code) * FNV_PRIME;
      // The rest of the word: characters that are pieces, in a tight loop.
      while (i + 1 < end) {
        const next = unitIn(base, i + 1);
        if (next == SPACE || next == META_SPACE || i32At(ids, next) < 0) break;
        hash = (hash ^ <u32>next) * FNV_PRIME;
        i++;
      }
      continue;
    }
    let width = 1;
    let codePoint = code;
    if (id == HIGH_SURROGATE) {
      const low = i + 1 < end ? unitIn(base, i + 1) : 0;
      if (low >= 0xdc00 && low <= 0xdfff) {
        codePoint = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        width = 2;
        id = astralId(codePoint);
        if (id >= 0) {
          hash = (((hash ^ <u32>code) * FNV_PRIME) ^ <u32>low) * FNV_PRIME;
          i++;
          continue;
        }
      } else {
        codePoint = 0xfffd; // a lone surrogate encodes as U+FFFD, as TextEncoder does
      }
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      codePoint = 0xfffd;
    }
    // Not a piece: its byte tokens form a chunk of their own.
    if (i > chunkStart || virtualSpace) emitChunk(chunkStart, i, virtualSpace, hash);
    emit(scratch, 0, bytesOf(codePoint), i, i + width, false);
    virtualSpace = false;
    i += width - 1;
    chunkStart = i + 1;
    hash = HASH_SEED;
  }
  if (end > chunkStart || virtualSpace) emitChunk(chunkStart, end, virtualSpace, hash);
}

/**
 * Counts the tokens of the text `reserve` laid out, split into `pieces` (start, end, id: an added
 * token's id, or -1 for text to encode), and those starting inside the `rangePairs` sorted,
 * disjoint ranges. Returns the total; `inRangesCount()` the tokens inside the ranges.
 */
export function countRanges(pieces: i32, rangePairs: i32): i32 {
  rangeCount = rangePairs;
  total = 0;
  inRanges = 0;
  rangeIndex = 0;
  for (let p = 0; p < pieces; p++) {
    const start = i32At(piecesAt, p * 3);
    const end = i32At(piecesAt, p * 3 + 1);
    const id = i32At(piecesAt, p * 3 + 2);
    if (id < 0) scan(start, end);
    else {
      setI32(scratch, 0, id);
      emit(scratch, 0, 1, start, end, false);
    }
  }
  return total;
}

export function inRangesCount(): i32 {
  return inRanges;
}
