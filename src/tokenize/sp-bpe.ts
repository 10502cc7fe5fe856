// phikit's fast encoder for SentencePiece-style BPE with byte fallback (Llama-2 / Phi-3), exact
// against Hugging Face tokenizers. Text is cut into chunks no merge can cross, each chunk's ids are
// cached, so most of the work is a hash-table lookup. Memory: the vocabulary tables plus a word cache
// of at most CACHE_SLOTS / 2 chunks of <= MAX_CACHED_CHUNK characters, their text and ids in two
// typed-array pools of at most MAX_POOL entries each (it starts small and doubles; emptied when full
// at its largest).
//
// Why chunking is exact: BPE only merges adjacent symbols into a piece of the vocabulary. If no piece
// can span a position, no merge ever crosses it, the merges on either side never compete (HF applies
// the lowest (rank, position) merge first, and a side's candidates do not change when the other side
// merges), so encoding the two sides separately gives the same ids. Two kinds of positions qualify,
// and the constructor checks the vocabulary for both:
//  1. before a "▁" that follows a character other than "▁": no piece holds "x▁" for x != "▁";
//  2. around a character that is not a piece: it becomes byte tokens, which are in no merge.
import type { AddedTokenSpec } from './tokenizer-json.js';
import { AddedTokenSplitter, type TextPiece } from './added-tokens.js';
import {
  buildSpBpeTables,
  HIGH_SURROGATE,
  mergeSlot,
  META_SPACE,
  NOT_A_PIECE,
  SPACE,
  type SpBpeSource,
  type SpBpeTables,
} from './sp-bpe-tables.js';
import { WasmTokenCounter } from './sp-bpe-wasm.js';

const NO_MERGE = 0x7fffffff;
const MAX_CACHED_CHUNK = 256;
/** Word-cache slots (a power of two); the cache is emptied when half of them are used. */
const CACHE_SLOTS = 1 << 18;
/** The word cache starts this small and doubles up to CACHE_SLOTS, so a small file pays for a small cache. */
const FIRST_CACHE_SLOTS = 1 << 13;
const FNV_PRIME = 0x01000193;
const HASH_SEED = 0x811c9dc5 | 0;
const HASH_SEED_VIRTUAL = 0x2f2b1b3d;
/** Entries of each cache pool at most: 4 MB of key code units, 8 MB of ids. */
const MAX_POOL = 1 << 21;
/** Chunks up to this many symbols merge by rescanning; longer ones use a heap. */
const SHORT_CHUNK = 48;

export interface SpBpeVocabulary extends SpBpeSource {
  addedTokens: readonly AddedTokenSpec[];
  /** Its tables, when read ready-made (prebuilt): `pieces` and `merges` are then not read. */
  tables?: SpBpeTables;
}

/**
 * Receives each chunk's ids, `ids[from, from + count)`, read before the next chunk (the array is
 * the encoder's own), with the chunk's offsets in the text; `virtualSpace`: it starts with the
 * prepended "▁".
 */
interface ChunkSink {
  chunk(
    ids: Int32Array,
    from: number,
    count: number,
    start: number,
    end: number,
    virtualSpace: boolean,
  ): void;
}

class IdCollector implements ChunkSink {
  ids: number[] = [];
  chunk(ids: Int32Array, from: number, count: number): void {
    for (let i = from; i < from + count; i++) this.ids.push(ids[i]!);
  }
}

class Counter implements ChunkSink {
  count = 0;
  chunk(_ids: Int32Array, _from: number, count: number): void {
    this.count += count;
  }
}

export class SpBpeEncoder {
  readonly vocabSize: number;
  readonly splitter: AddedTokenSplitter;
  private readonly pieceLength: Int32Array;
  /** Id of the one-code-unit piece for each UTF-16 code unit; NOT_A_PIECE; HIGH_SURROGATE. */
  private readonly charId: Int32Array;
  /** Ids of pieces that are one astral code point. */
  private readonly astralId = new Map<number, number>();
  private readonly byteId: Int32Array;
  private readonly metaSpaceId: number;
  /** See SpBpeTables.merges. */
  private readonly mergeMask: number;
  private readonly merges: Int32Array;
  // The word cache: open addressing on a hash computed while scanning, so a hit allocates nothing.
  // A slot is 4 adjacent ints [hash, length * 2 + virtualSpace (-1: empty), where its key's code
  // units start in keyPool, where its ids start in idPool (their count, then the ids)]. Typed
  // arrays only: a key is compared unit by unit, and the garbage collector has nothing to trace.
  // The buffers that grow start as placeholders and are set again in the constructor: V8 takes a
  // field written only once for a constant, and throws away the code it optimised on that (the
  // whole scan loop) the first time the field grows.
  private cacheSlots = new Int32Array(0);
  private cacheMask = 0;
  private cacheSize = 0;
  private keyPool = new Uint16Array(0);
  private keyPoolUsed = 0;
  private idPool = new Int32Array(0);
  private idPoolUsed = 0;
  /** An added token's id or a character's byte tokens, handed to a sink. */
  private readonly scratch = new Int32Array(4);
  private symbols = new Int32Array(0);
  private ranks = new Int32Array(0);
  /** Lookups in this JavaScript word cache (encode, count, countRangesJs; the kernel has its own). */
  cacheHits = 0;
  cacheMisses = 0;
  private readonly tables: SpBpeTables;
  /** The WebAssembly counter: undefined until first asked for, null when it is not built. */
  private wasm: WasmTokenCounter | null | undefined;

  constructor(vocabulary: SpBpeVocabulary) {
    const tables = vocabulary.tables ?? buildSpBpeTables(vocabulary);
    this.tables = tables;
    this.vocabSize = tables.pieceLength.length;
    this.splitter = new AddedTokenSplitter(vocabulary.addedTokens);
    this.pieceLength = tables.pieceLength;
    this.charId = tables.charId;
    for (let i = 0; i < tables.astralIds.length; i += 2)
      this.astralId.set(tables.astralIds[i]!, tables.astralIds[i + 1]!);
    this.byteId = tables.byteId;
    this.metaSpaceId = tables.metaSpaceId;
    this.merges = tables.merges;
    this.mergeMask = tables.merges.length / 4 - 1;
    this.cacheSlots = new Int32Array(FIRST_CACHE_SLOTS * 4).fill(-1);
    this.cacheMask = FIRST_CACHE_SLOTS - 1;
    this.keyPool = new Uint16Array(FIRST_CACHE_SLOTS * 4);
    this.idPool = new Int32Array(FIRST_CACHE_SLOTS * 4);
    this.symbols = new Int32Array(1024);
    this.ranks = new Int32Array(1024);
  }

  /** Ids of `text` (added tokens recognised, no BOS/EOS added). */
  encode(text: string): number[] {
    const collector = new IdCollector();
    for (const piece of this.splitter.split(text)) this.encodePiece(text, piece, collector);
    return collector.ids;
  }

  /** Number of tokens of `text`; same as `encode(text).length`, without building the array. */
  count(text: string): number {
    const counter = new Counter();
    for (const piece of this.splitter.split(text)) this.encodePiece(text, piece, counter);
    return counter.count;
  }

  /**
   * Total tokens of `text` and, for each [start, end) range, the tokens that start inside it.
   * `pieces` come from `this.splitter.split`. Ranges must be sorted and disjoint. Counted by the
   * WebAssembly kernel when it is built (sp-bpe-wasm.ts).
   */
  countRanges(
    text: string,
    pieces: readonly TextPiece[],
    ranges: ReadonlyArray<readonly [number, number]>,
  ): { total: number; inRanges: number } {
    const wasm = this.wasmCounter();
    return wasm !== null ? wasm.countRanges(text, pieces, ranges) : this.countRangesJs(text, pieces, ranges);
  }

  /** What `countRanges` counts with: the WebAssembly kernel, or JavaScript when it is not built. */
  get countingKernel(): 'webassembly' | 'javascript' {
    return this.wasmCounter() !== null ? 'webassembly' : 'javascript';
  }

  private wasmCounter(): WasmTokenCounter | null {
    this.wasm ??= WasmTokenCounter.create(this.tables) ?? null;
    return this.wasm;
  }

  /** `countRanges` in JavaScript. */
  countRangesJs(
    text: string,
    pieces: readonly TextPiece[],
    ranges: ReadonlyArray<readonly [number, number]>,
  ): { total: number; inRanges: number } {
    const sink = new RangeCounter(ranges, this.pieceLength);
    for (const piece of pieces) this.encodePiece(text, piece, sink);
    return { total: sink.total, inRanges: sink.inRanges };
  }

  /** Ids of plain text with no added-token handling (for tests and benchmarks). */
  encodePlain(text: string): number[] {
    const collector = new IdCollector();
    if (text.length > 0) this.scan(text, 0, text.length, collector);
    return collector.ids;
  }

  clearCache(): void {
    this.cacheSlots.fill(-1);
    this.cacheSize = 0;
    this.keyPoolUsed = 0;
    this.idPoolUsed = 0;
  }

  /** Doubles the word cache's slots, keeping its entries (the pools stay as they are). */
  private growCache(): void {
    const slots = this.cacheSlots;
    const size = (this.cacheMask + 1) * 2;
    this.cacheSlots = new Int32Array(size * 4).fill(-1);
    this.cacheMask = size - 1;
    for (let old = 0; old < slots.length; old += 4) {
      if (slots[old + 1] === -1) continue;
      const slot = this.freeSlot(slots[old]!);
      this.cacheSlots.set(slots.subarray(old, old + 4), slot * 4);
    }
  }

  /**
   * Makes room for an entry of `keyUnits` code units and `idUnits` pool ints: doubles the slots or
   * a pool, or empties the cache when what is full is at its largest.
   */
  private makeRoom(keyUnits: number, idUnits: number): void {
    if (this.cacheSize >= (this.cacheMask + 1) / 2) {
      if (this.cacheMask + 1 < CACHE_SLOTS) this.growCache();
      else this.clearCache();
    }
    if (this.keyPoolUsed + keyUnits > this.keyPool.length) {
      if (this.keyPool.length < MAX_POOL) this.keyPool = doubled(this.keyPool);
      else this.clearCache();
    }
    if (this.idPoolUsed + idUnits > this.idPool.length) {
      if (this.idPool.length < MAX_POOL) this.idPool = doubled(this.idPool);
      else this.clearCache();
    }
  }

  /** The first empty slot of the word cache from the hash's home slot. */
  private freeSlot(hash: number): number {
    let slot = hash & this.cacheMask;
    while (this.cacheSlots[slot * 4 + 1] !== -1) slot = (slot + 1) & this.cacheMask;
    return slot;
  }

  private encodePiece(text: string, piece: TextPiece, sink: ChunkSink): void {
    if (piece.id < 0) {
      this.scan(text, piece.start, piece.end, sink);
      return;
    }
    this.scratch[0] = piece.id;
    sink.chunk(this.scratch, 0, 1, piece.start, piece.end, false);
  }

  /** Normalises text[start, end) ("▁" prepended, spaces to "▁") and emits its chunks. */
  private scan(text: string, start: number, end: number, sink: ChunkSink): void {
    const charId = this.charId;
    let chunkStart = start;
    let virtualSpace = true;
    let previousIsSpace = true;
    // FNV-1a over the chunk's code units, the cache key's hash.
    let hash = HASH_SEED_VIRTUAL;
    for (let i = start; i < end; i++) {
      const code = text.charCodeAt(i);
      if (code === SPACE || code === META_SPACE) {
        if (!previousIsSpace) {
          this.emitChunk(text, chunkStart, i, virtualSpace, hash, sink);
          virtualSpace = false;
          chunkStart = i;
          hash = HASH_SEED;
        }
        hash = Math.imul(hash ^ code, FNV_PRIME);
        previousIsSpace = true;
        continue;
      }
      previousIsSpace = false;
      let id = charId[code]!;
      if (id >= 0) {
        hash = Math.imul(hash ^ code, FNV_PRIME);
        // The rest of the word: characters that are pieces, in a tight loop.
        let next: number;
        while (
          i + 1 < end &&
          (next = text.charCodeAt(i + 1)) !== SPACE &&
          next !== META_SPACE &&
          charId[next]! >= 0
        ) {
          hash = Math.imul(hash ^ next, FNV_PRIME);
          i++;
        }
        continue;
      }
      let width = 1;
      let codePoint = code;
      if (id === HIGH_SURROGATE) {
        const low = i + 1 < end ? text.charCodeAt(i + 1) : 0;
        if (low >= 0xdc00 && low <= 0xdfff) {
          codePoint = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          width = 2;
          id = this.astralId.get(codePoint) ?? NOT_A_PIECE;
          if (id >= 0) {
            hash = Math.imul(Math.imul(hash ^ code, FNV_PRIME) ^ low, FNV_PRIME);
            i++;
            continue;
          }
        } else {
          codePoint = 0xfffd; // a lone surrogate encodes as U+FFFD, as TextEncoder does
        }
      } else if (code >= 0xdc00 && code <= 0xdfff) {
        codePoint = 0xfffd;
      }
      // Not a piece: its byte tokens form a chunk of their own (chunking rule 2).
      if (i > chunkStart || virtualSpace) this.emitChunk(text, chunkStart, i, virtualSpace, hash, sink);
      sink.chunk(this.scratch, 0, this.bytesOf(codePoint), i, i + width, false);
      virtualSpace = false;
      i += width - 1;
      chunkStart = i + 1;
      hash = HASH_SEED;
    }
    if (end > chunkStart || virtualSpace) this.emitChunk(text, chunkStart, end, virtualSpace, hash, sink);
  }

  /** Writes the byte tokens of the code point's UTF-8 into `scratch`; returns how many. */
  private bytesOf(codePoint: number): number {
    const b = this.byteId;
    const out = this.scratch;
    if (codePoint < 0x80) {
      out[0] = b[codePoint]!;
      return 1;
    }
    if (codePoint < 0x800) {
      out[0] = b[0xc0 | (codePoint >> 6)]!;
      out[1] = b[0x80 | (codePoint & 0x3f)]!;
      return 2;
    }
    if (codePoint < 0x10000) {
      out[0] = b[0xe0 | (codePoint >> 12)]!;
      out[1] = b[0x80 | ((codePoint >> 6) & 0x3f)]!;
      out[2] = b[0x80 | (codePoint & 0x3f)]!;
      return 3;
    }
    out[0] = b[0xf0 | (codePoint >> 18)]!;
    out[1] = b[0x80 | ((codePoint >> 12) & 0x3f)]!;
    out[2] = b[0x80 | ((codePoint >> 6) & 0x3f)]!;
    out[3] = b[0x80 | (codePoint & 0x3f)]!;
    return 4;
  }

  private emitChunk(
    text: string,
    start: number,
    end: number,
    virtualSpace: boolean,
    hash: number,
    sink: ChunkSink,
  ): void {
    const length = end - start;
    if (length >= MAX_CACHED_CHUNK) {
      const n = this.encodeChunk(text, start, end, virtualSpace);
      sink.chunk(this.symbols, 0, n, start, end, virtualSpace);
      return;
    }
    let at = this.findCached(text, start, length, virtualSpace, hash);
    if (at === -1) {
      this.cacheMisses++;
      at = this.addToCache(text, start, length, virtualSpace, hash);
    } else {
      this.cacheHits++;
    }
    const idsAt = this.cacheSlots[at + 3]!;
    sink.chunk(this.idPool, idsAt + 1, this.idPool[idsAt]!, start, end, virtualSpace);
  }

  /** Where the chunk's slot starts in `cacheSlots`, or -1 when it is not cached. */
  private findCached(
    text: string,
    start: number,
    length: number,
    virtualSpace: boolean,
    hash: number,
  ): number {
    const slots = this.cacheSlots;
    const keys = this.keyPool;
    const mask = this.cacheMask;
    const shape = length * 2 + (virtualSpace ? 1 : 0);
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slot * 4;
      const slotShape = slots[at + 1]!;
      if (slotShape === -1) return -1;
      if (slots[at] !== hash || slotShape !== shape) continue;
      const keyAt = slots[at + 2]!;
      let k = 0;
      while (k < length && keys[keyAt + k] === text.charCodeAt(start + k)) k++;
      if (k === length) return at;
    }
  }

  /** Encodes the chunk (shorter than MAX_CACHED_CHUNK) into a new cache entry; returns where its slot starts. */
  private addToCache(
    text: string,
    start: number,
    length: number,
    virtualSpace: boolean,
    hash: number,
  ): number {
    const n = this.encodeChunk(text, start, start + length, virtualSpace);
    this.makeRoom(length, n + 1);
    const at = this.freeSlot(hash) * 4;
    const slots = this.cacheSlots;
    slots[at] = hash;
    slots[at + 1] = length * 2 + (virtualSpace ? 1 : 0);
    slots[at + 2] = this.keyPoolUsed;
    slots[at + 3] = this.idPoolUsed;
    const keys = this.keyPool;
    for (let k = 0; k < length; k++) keys[this.keyPoolUsed + k] = text.charCodeAt(start + k);
    this.keyPoolUsed += length;
    this.idPool[this.idPoolUsed] = n;
    this.idPool.set(this.symbols.subarray(0, n), this.idPoolUsed + 1);
    this.idPoolUsed += n + 1;
    this.cacheSize++;
    return at;
  }

  /** Initial symbols of one chunk (every character is a piece), then BPE. Leaves the chunk's ids in `this.symbols[0, n)` and returns n. */
  private encodeChunk(text: string, start: number, end: number, virtualSpace: boolean): number {
    const capacity = end - start + 1;
    if (this.symbols.length < capacity) {
      this.symbols = new Int32Array(capacity * 2);
      this.ranks = new Int32Array(capacity * 2);
    }
    const symbols = this.symbols;
    let n = 0;
    if (virtualSpace) symbols[n++] = this.metaSpaceId;
    for (let i = start; i < end; i++) {
      const code = text.charCodeAt(i);
      const id = this.charId[code]!;
      if (id >= 0) {
        symbols[n++] = id;
      } else {
        const codePoint = text.codePointAt(i)!;
        symbols[n++] = this.astralId.get(codePoint)!;
        i++;
      }
    }
    return n <= SHORT_CHUNK ? this.mergeShort(symbols, n) : this.mergeLong(symbols, n);
  }

  /** Offset of the merge (left, right) in `merges`, or -1. */
  private findMerge(left: number, right: number): number {
    const merges = this.merges;
    let slot = mergeSlot(left, right, this.mergeMask);
    for (;;) {
      const at = slot * 4;
      const candidate = merges[at]!;
      if (candidate === -1) return -1;
      if (candidate === left && merges[at + 1] === right) return at;
      slot = (slot + 1) & this.mergeMask;
    }
  }

  private rankOf(left: number, right: number): number {
    const at = this.findMerge(left, right);
    return at === -1 ? NO_MERGE : this.merges[at + 2]!;
  }

  /** Lowest rank first, leftmost on ties; O(n^2) but fast for the short chunks words make. */
  private mergeShort(symbols: Int32Array, n: number): number {
    const ranks = this.ranks;
    for (let i = 0; i < n - 1; i++) ranks[i] = this.rankOf(symbols[i]!, symbols[i + 1]!);
    while (n > 1) {
      let best = NO_MERGE;
      let at = -1;
      for (let i = 0; i < n - 1; i++) {
        if (ranks[i]! < best) {
          best = ranks[i]!;
          at = i;
        }
      }
      if (at === -1) break;
      symbols[at] = this.merges[this.findMerge(symbols[at]!, symbols[at + 1]!) + 3]!;
      symbols.copyWithin(at + 1, at + 2, n);
      ranks.copyWithin(at, at + 1, n - 1);
      n--;
      if (at > 0) ranks[at - 1] = this.rankOf(symbols[at - 1]!, symbols[at]!);
      if (at < n - 1) ranks[at] = this.rankOf(symbols[at]!, symbols[at + 1]!);
    }
    return n;
  }

  /** The same order with a binary heap over (rank, position) and a linked list: O(n log n). */
  private mergeLong(symbols: Int32Array, n: number): number {
    const next = new Int32Array(n);
    const previous = new Int32Array(n);
    const value = symbols.slice(0, n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      previous[i] = i - 1;
    }
    const heap = new MergeHeap(n);
    const push = (left: number): void => {
      const right = next[left]!;
      if (right === -1) return;
      const at = this.findMerge(value[left]!, value[right]!);
      if (at !== -1) heap.push(this.merges[at + 2]! * 2 ** 32 + left, left, value[left]!, value[right]!);
    };
    for (let i = 0; i < n - 1; i++) push(i);
    while (heap.size > 0) {
      const { left, leftValue, rightValue } = heap.pop();
      const right = next[left]!;
      // Stale entry: a neighbour merged since it was pushed (a piece never merges back into itself).
      if (value[left] !== leftValue || right === -1 || value[right] !== rightValue) continue;
      value[left] = this.merges[this.findMerge(leftValue, rightValue) + 3]!;
      value[right] = -1;
      const after = next[right]!;
      next[left] = after;
      if (after !== -1) previous[after] = left;
      if (previous[left]! !== -1) push(previous[left]!);
      push(left);
    }
    let count = 0;
    for (let i = 0; i !== -1; i = next[i]!) symbols[count++] = value[i]!;
    return count;
  }
}

/** A binary min-heap of merge candidates keyed by rank * 2^32 + position. */
class MergeHeap {
  size = 0;
  private keys: Float64Array;
  private lefts: Int32Array;
  private leftValues: Int32Array;
  private rightValues: Int32Array;

  constructor(capacity: number) {
    this.keys = new Float64Array(capacity * 2);
    this.lefts = new Int32Array(capacity * 2);
    this.leftValues = new Int32Array(capacity * 2);
    this.rightValues = new Int32Array(capacity * 2);
  }

  push(key: number, left: number, leftValue: number, rightValue: number): void {
    if (this.size === this.keys.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent]! <= key) break;
      this.move(parent, i);
      i = parent;
    }
    this.keys[i] = key;
    this.lefts[i] = left;
    this.leftValues[i] = leftValue;
    this.rightValues[i] = rightValue;
  }

  pop(): { left: number; leftValue: number; rightValue: number } {
    const top = { left: this.lefts[0]!, leftValue: this.leftValues[0]!, rightValue: this.rightValues[0]! };
    const last = --this.size;
    const key = this.keys[last]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && this.keys[child + 1]! < this.keys[child]!) child++;
      if (this.keys[child]! >= key) break;
      this.move(child, i);
      i = child;
    }
    this.move(last, i);
    return top;
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from]!;
    this.lefts[to] = this.lefts[from]!;
    this.leftValues[to] = this.leftValues[from]!;
    this.rightValues[to] = this.rightValues[from]!;
  }

  private grow(): void {
    const grow = <T extends Float64Array | Int32Array>(array: T): T => {
      const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
      bigger.set(array);
      return bigger;
    };
    this.keys = grow(this.keys);
    this.lefts = grow(this.lefts);
    this.leftValues = grow(this.leftValues);
    this.rightValues = grow(this.rightValues);
  }
}

/** Counts all tokens, and the ones starting inside sorted [start, end) ranges. */
class RangeCounter implements ChunkSink {
  total = 0;
  inRanges = 0;
  private rangeIndex = 0;

  constructor(
    private readonly ranges: ReadonlyArray<readonly [number, number]>,
    private readonly pieceLength: Int32Array,
  ) {}

  chunk(
    ids: Int32Array,
    from: number,
    count: number,
    start: number,
    end: number,
    virtualSpace: boolean,
  ): void {
    this.total += count;
    const ranges = this.ranges;
    while (this.rangeIndex < ranges.length && ranges[this.rangeIndex]![1] <= start) this.rangeIndex++;
    const range = ranges[this.rangeIndex];
    // Tokens start in [start, lastStart]; a lone prepended "▁" has an empty chunk and starts at `start`.
    const lastStart = Math.max(start, end - 1);
    if (range === undefined || range[0] > lastStart) return;
    if (range[0] <= start && lastStart < range[1]) {
      this.inRanges += count;
      return;
    }
    // The chunk straddles a range edge: walk its tokens' start offsets.
    let offset = start - (virtualSpace ? 1 : 0);
    let index = this.rangeIndex;
    for (let i = from; i < from + count; i++) {
      const tokenStart = Math.max(offset, start);
      while (index < ranges.length && ranges[index]![1] <= tokenStart) index++;
      const current = ranges[index];
      if (current !== undefined && current[0] <= tokenStart) this.inRanges++;
      offset += this.pieceLength[ids[i]!] ?? 0;
    }
  }
}

/** A copy of `array` twice as long. */
function doubled<T extends Uint16Array | Int32Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}
