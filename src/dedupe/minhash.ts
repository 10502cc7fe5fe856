// MinHash signatures over shingles (words; characters in scripts written without spaces), and LSH
// indexes that find earlier examples whose estimated Jaccard similarity reaches a threshold.
// Typed arrays only.
//
// Signature: 96 values by one-permutation MinHash with optimal densification (`minhash`); each
// value is kept as the low byte of its minimum (b-bit MinHash, corrected for the 1/256 chance
// agreement), so one example costs 96 bytes.
//
// LSH: bands of 3 rows, so a bucket key is 3 signature bytes (24 bits: two unrelated examples
// share one by chance once in 16.7M, so buckets stay specific at millions of examples; 2 rows
// would put ~15 strangers in every bucket at 1M). The band count comes from the threshold t and
// the wanted candidate probability p (`lshParameters`): b = ceil(ln(1 - p) / ln(1 - t^3)), at
// most 32 (all 96 values). Near-duplicates and the holdout use p = 0.995 (8 bands at t = 0.8,
// 22 at t = 0.6); leakage clusters use p = 0.95 (13 bands at t = 0.6; 0.996 at 0.7), since a
// cluster is also joined through its other members. The band table stores only an example's
// ordinal and checks a slot by comparing bytes with the stored signature. Every example enters
// every bucket (up to 32 per bucket, so a flood of near-identical texts stays linear), which
// makes "are x and y candidates" symmetric: results do not depend on input order. Candidates
// are confirmed by the similarity estimated from all 96 values.
//
// Memory per kept example: 96 bytes of signature + b table slots of 4 bytes at load <= 0.75
// (8 x ~7 bytes at t = 0.8); measured in bench/README.md (`npm run bench:near-dup`).
import type { ChatExample } from '../core/example.js';
import { wasmNearSignature } from './near-signature-wasm.js';
import { scanUnits } from './shingle-units.js';

export const PERMUTATIONS = 96;
/** Probability that a pair at exactly the threshold becomes a candidate (default). */
export const CANDIDATE_PROBABILITY = 0.995;
/** Entries per bucket at most: later examples still find the first 32. */
export const MAX_BUCKET = 32;
const ROWS = 3;
const MAX_BANDS = Math.floor(PERMUTATIONS / ROWS);

export interface LshParameters {
  bands: number;
  rows: number;
  /** 1 - (1 - t^rows)^bands at the threshold t. */
  candidateProbability: number;
}

export function lshParameters(threshold: number, probability = CANDIDATE_PROBABILITY): LshParameters {
  const single = threshold ** ROWS;
  const needed = single >= 1 ? 1 : Math.ceil(Math.log(1 - probability) / Math.log(1 - single));
  const bands = Math.min(MAX_BANDS, needed);
  return { bands, rows: ROWS, candidateProbability: 1 - (1 - single) ** bands };
}

function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Characters per shingle in unspaced runs. A 1-character edit of a 40-character text changes 3
 * of 38 trigrams (Jaccard 0.85, above 0.8); 4-grams would give 0.80, 5-grams 0.76.
 */
export const CHARACTER_SHINGLE = 3;

/** A stretch of text shingled by one rule: words, or characters of an unspaced script (punctuation between them skipped). */
export interface ShingleRun {
  characters: boolean;
  units: string[];
}

/** Lowercased words (letters, marks and digits in any script), unspaced-script characters one by one. */
export function shingleRuns(text: string): ShingleRun[] {
  const lower = text.toLowerCase();
  const { runs, runEnds, runIsCharacters, starts, ends } = scanUnits(lower);
  const result: ShingleRun[] = [];
  for (let r = 0, from = 0; r < runs; from = runEnds[r++]!) {
    const runUnits: string[] = [];
    for (let u = from; u < runEnds[r]!; u++) runUnits.push(lower.slice(starts[u], ends[u]));
    result.push({ characters: runIsCharacters[r] === 1, units: runUnits });
  }
  return result;
}

/** Units per shingle in a run: `size` words, or CHARACTER_SHINGLE characters. */
function widthOf(run: ShingleRun, size: number): number {
  return Math.min(run.characters ? CHARACTER_SHINGLE : size, run.units.length);
}

/**
 * The set of shingles: `size`-word ones in word runs, CHARACTER_SHINGLE-character ones in
 * unspaced runs; a run shorter than its shingle is one shingle.
 */
export function shingles(text: string, size: number): Set<string> {
  const result = new Set<string>();
  for (const run of shingleRuns(text)) {
    const width = widthOf(run, size);
    const glue = run.characters ? '' : ' ';
    for (let i = 0; i + width <= run.units.length; i++) result.add(run.units.slice(i, i + width).join(glue));
  }
  return result;
}

/** The text near-duplicates are judged on: user and assistant turns (system prompts are shared by design). */
export function conversationText(example: ChatExample): string {
  return conversationParts(example).join('\n');
}

/** `conversationText` as its parts (joined by "\n"): what `nearSignatureOf` reads without joining them. */
export function conversationParts(example: ChatExample): string[] {
  // A tool-calling turn's null content counts as "", as join writes it.
  return example.messages
    .filter((message) => message.role !== 'system')
    .map((message) => message.content ?? '');
}

const CHARACTER_SEED = 0x6a09e667;
/** Shingle hashes of the last text, reused from text to text (see `hashShingles`). */
let shingleBuffer = new Uint32Array(1024);

/**
 * Hashes the shingles of `shingles()` into `shingleBuffer` from the per-unit hashes, without
 * making shingle strings; returns their count. Repeats stay: MinHash ignores them.
 */
function hashShingles(lower: string | readonly string[], size: number): number {
  const { hashes, runs, runEnds, runIsCharacters } = scanUnits(lower);
  let count = 0;
  for (let r = 0, from = 0; r < runs; from = runEnds[r++]!) {
    const length = runEnds[r]! - from;
    count += length - Math.min(runIsCharacters[r] === 1 ? CHARACTER_SHINGLE : size, length) + 1;
  }
  if (shingleBuffer.length < count || shingleBuffer.length > 1 << 20)
    shingleBuffer = new Uint32Array(Math.max(1024, count));
  let at = 0;
  for (let r = 0, from = 0; r < runs; from = runEnds[r++]!) {
    const characters = runIsCharacters[r] === 1;
    const end = runEnds[r]!;
    const width = Math.min(characters ? CHARACTER_SHINGLE : size, end - from);
    // Word shingles keep their old hashes; character ones get a seed of their own.
    const seed = characters ? width + CHARACTER_SEED : width;
    for (let i = from; i + width <= end; i++) {
      let h = seed;
      for (let k = 0; k < width; k++) h = fmix32(h ^ hashes[i + k]!);
      shingleBuffer[at++] = h;
    }
  }
  return count;
}

/** 32-bit hashes of the shingles of `shingles()`, in text order. */
export function shingleHashes(text: string, size: number): Uint32Array {
  // Hashed first: hashShingles may replace shingleBuffer with a larger one.
  const count = hashShingles(text.toLowerCase(), size);
  return shingleBuffer.slice(0, count);
}

/**
 * Fewer distinct shingles than this and an 8-bit signature cannot tell similar from equal: each
 * value fills many bins, so one chance byte match (1 in 256) reads as "~1.00 similar". Measured
 * on 300,000 distinct texts at 0.6: 361 flagged with 3 shingles, 3 with 4, none with 5.
 */
export const MIN_SHINGLES = 5;

function distinctAtLeast(hashes: Uint32Array, count: number, wanted: number): boolean {
  const seen = new Uint32Array(wanted);
  let distinct = 0;
  for (let i = 0; i < count && distinct < wanted; i++) {
    const h = hashes[i]!;
    let k = 0;
    while (k < distinct && seen[k] !== h) k++;
    if (k === distinct) seen[distinct++] = h;
  }
  return distinct >= wanted;
}

const EMPTY = 0xffffffff;

/** Each shingle hash competes for the minimum of the one bin it picks. */
function fillMins(mins: Uint32Array, hashes: Uint32Array, count: number): void {
  mins.fill(EMPTY);
  for (let i = 0; i < count; i++) {
    const h = hashes[i]!;
    const bin = Math.floor((fmix32(h ^ 0x5bd1e995) * PERMUTATIONS) / 0x100000000);
    const value = fmix32(h ^ 0x27d4eb2f);
    if (value < mins[bin]!) mins[bin] = value;
  }
}

/** The bin an empty bin borrows from at a given attempt: a fixed chain, independent of the text. */
function densifyFrom(bin: number, attempt: number): number {
  return fmix32(Math.imul(bin + 1, 0x9e3779b1) + Math.imul(attempt, 0x85ebca6b)) % PERMUTATIONS;
}

// The first attempts of every bin's chain, computed once, when first needed (the WebAssembly
// kernel has its own; 12,288 hashes in a cold start took ~5 ms): short texts leave most bins empty.
const CHAIN_ATTEMPTS = 128;
let densifyChain: Uint8Array | undefined;

function densifyChainTable(): Uint8Array {
  const chain = new Uint8Array(PERMUTATIONS * CHAIN_ATTEMPTS);
  for (let bin = 0; bin < PERMUTATIONS; bin++)
    for (let attempt = 1; attempt <= CHAIN_ATTEMPTS; attempt++)
      chain[bin * CHAIN_ATTEMPTS + attempt - 1] = densifyFrom(bin, attempt);
  return chain;
}

/** The minimum an empty bin borrows: that of the first non-empty bin on its chain. */
function borrowed(mins: Uint32Array, bin: number): number {
  const table = (densifyChain ??= densifyChainTable());
  const chain = bin * CHAIN_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    const from = attempt <= CHAIN_ATTEMPTS ? table[chain + attempt - 1]! : densifyFrom(bin, attempt);
    if (mins[from] !== EMPTY) return mins[from]!;
  }
}

/**
 * One-permutation MinHash with optimal densification (Shrivastava, ICML 2017): each shingle
 * hash picks one of the 96 bins and competes for its minimum, so a shingle costs two hashes
 * instead of 96; an empty bin borrows the minimum of the bin a fixed (text-independent) hash
 * chain leads to, which keeps P(equal bin) = Jaccard. Full 32-bit minimum per bin.
 */
export function minhash(hashes: Uint32Array): Uint32Array {
  const mins = new Uint32Array(PERMUTATIONS);
  fillMins(mins, hashes, hashes.length);
  if (hashes.length === 0) return mins;
  const dense = mins.slice();
  for (let bin = 0; bin < PERMUTATIONS; bin++) if (mins[bin] === EMPTY) dense[bin] = borrowed(mins, bin);
  return dense;
}

export function lowBytes(mins: Uint32Array): Uint8Array {
  const out = new Uint8Array(PERMUTATIONS);
  for (let i = 0; i < PERMUTATIONS; i++) out[i] = mins[i]! & 0xff;
  return out;
}

/** The 96-byte signature of a text. */
export function signatureOf(text: string, shingleSize: number): Uint8Array {
  return lowBytes(minhash(shingleHashes(text, shingleSize)));
}

const sharedMins = new Uint32Array(PERMUTATIONS);

/**
 * The signature near-duplicate search uses, or undefined when the text has fewer than
 * MIN_SHINGLES distinct shingles: such a text is never a MinHash candidate (exact dedupe
 * still catches copies). Same values as `signatureOf`. Parts are read as one text joined by
 * "\n", without joining them. Computed by the WebAssembly kernel when it is built.
 */
export function nearSignatureOf(
  text: string | readonly string[],
  shingleSize: number,
): Uint8Array | undefined {
  const lower = typeof text === 'string' ? [text.toLowerCase()] : text.map((part) => part.toLowerCase());
  const signature = wasmNearSignature(lower, shingleSize);
  return signature !== null ? signature : nearSignatureJs(lower, shingleSize);
}

/** `nearSignatureOf` in JavaScript, from reused buffers, of text already lowercased. */
export function nearSignatureJs(lower: readonly string[], shingleSize: number): Uint8Array | undefined {
  const count = hashShingles(lower, shingleSize);
  if (!distinctAtLeast(shingleBuffer, count, MIN_SHINGLES)) return undefined;
  fillMins(sharedMins, shingleBuffer, count);
  const signature = new Uint8Array(PERMUTATIONS);
  for (let bin = 0; bin < PERMUTATIONS; bin++) {
    const min = sharedMins[bin]!;
    signature[bin] = (min !== EMPTY ? min : borrowed(sharedMins, bin)) & 0xff;
  }
  return signature;
}

export function exactJaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let common = 0;
  for (const item of a) if (b.has(item)) common++;
  return common / (a.size + b.size - common);
}

const CHANCE = 1 / 256;

function correct(equal: number): number {
  return Math.max(0, (equal / PERMUTATIONS - CHANCE) / (1 - CHANCE));
}

/** Similarity from two 8-bit signatures. */
export function estimateJaccard(a: Uint8Array, b: Uint8Array): number {
  let equal = 0;
  for (let i = 0; i < PERMUTATIONS; i++) if (a[i] === b[i]) equal++;
  return correct(equal);
}

const CHUNK = 4096;

/** Signatures by ordinal, in fixed chunks (no doubling, so memory follows the count). */
export class SignatureStore {
  private chunks: Uint8Array[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.chunks.length * CHUNK * PERMUTATIONS;
  }

  add(signature: Uint8Array): number {
    const ordinal = this.count++;
    if (ordinal % CHUNK === 0) this.chunks.push(new Uint8Array(CHUNK * PERMUTATIONS));
    this.chunks[this.chunks.length - 1]!.set(signature, (ordinal % CHUNK) * PERMUTATIONS);
    return ordinal;
  }

  /** The signature at `ordinal`, as a view of the store (not a copy). */
  view(ordinal: number): Uint8Array {
    const start = (ordinal % CHUNK) * PERMUTATIONS;
    return this.chunks[Math.floor(ordinal / CHUNK)]!.subarray(start, start + PERMUTATIONS);
  }

  /** Byte `i` of the signature at `ordinal`. */
  value(ordinal: number, i: number): number {
    return this.chunks[Math.floor(ordinal / CHUNK)]![(ordinal % CHUNK) * PERMUTATIONS + i]!;
  }

  similarity(signature: Uint8Array, ordinal: number): number {
    const chunk = this.chunks[Math.floor(ordinal / CHUNK)]!;
    const start = (ordinal % CHUNK) * PERMUTATIONS;
    let equal = 0;
    for (let i = 0; i < PERMUTATIONS; i++) if (chunk[start + i] === signature[i]) equal++;
    return correct(equal);
  }
}

export interface NearMatch {
  /** Ordinal of the earlier example in the store. */
  ordinal: number;
  similarity: number;
}

/** Largest table an estimate may start with (2^23 slots: 40 MiB with their tags), whatever it says. */
const MAX_PRESIZED_SLOTS = 1 << 23;

/** One LSH band table over a signature store: finds stored examples at or above a threshold. */
export class NearDuplicateIndex {
  readonly lsh: LshParameters;
  /** Owner ordinal + 1; 0 = empty. Set again in the constructor, see the encoder's word cache (sp-bpe.ts). */
  private slots = new Uint32Array(0);
  /**
   * Per slot, the top 8 bits of its entry's band hash. Entries of equal band values have equal
   * tags, so a probe reads the signature store (a cache miss far away) only when its tag agrees:
   * 1 in 256 of the other bands' entries met along a probe run.
   */
  private tags = new Uint8Array(0);
  private used = 0;
  private indexed = 0;
  /** Candidate pairs looked at, for the manifest. */
  candidates = 0;

  /**
   * `expected`: about how many examples will be indexed; the table starts large enough for them,
   * so it need not grow (each growth replays every example indexed so far). What is indexed and
   * found does not depend on it: in a table of any size, a band's entries lie in one probe run
   * from its hash.
   */
  constructor(
    readonly threshold: number,
    readonly store = new SignatureStore(),
    lsh = lshParameters(threshold),
    expected = 0,
  ) {
    this.lsh = lsh;
    let size = 1 << 12;
    while (size < MAX_PRESIZED_SLOTS && expected * lsh.bands * 4 > size * 3) size *= 2;
    this.slots = new Uint32Array(size);
    this.tags = new Uint8Array(size);
  }

  /** Examples indexed. */
  get size(): number {
    return this.indexed;
  }

  /** The band table's bytes (the store is counted by its owner). */
  get tableBytes(): number {
    return this.slots.byteLength + this.tags.byteLength;
  }

  /** Store and table, when the index owns its store. */
  get bytes(): number {
    return this.store.bytes + this.tableBytes;
  }

  /** Calls `found` for each distinct stored example at or above the threshold. */
  forEachMatch(signature: Uint8Array, found: (match: NearMatch) => void): void {
    // Most examples share no band with any other: the set is made for the first that does.
    let seen: Set<number> | undefined;
    const mask = this.slots.length - 1;
    for (let band = 0; band < this.lsh.bands; band++) {
      const hash = this.bandHash(signature, band);
      const tag = hash >>> 24;
      for (let slot = hash & mask; this.slots[slot] !== 0; slot = (slot + 1) & mask) {
        if (this.tags[slot] !== tag) continue;
        const other = this.slots[slot]! - 1;
        if (seen?.has(other) || !this.sameBand(signature, band, other)) continue;
        (seen ??= new Set()).add(other);
        this.candidates++;
        const similarity = this.store.similarity(signature, other);
        if (similarity >= this.threshold) found({ ordinal: other, similarity });
      }
    }
  }

  /** The most similar stored example at or above the threshold, if any (ties: the earliest). */
  query(signature: Uint8Array): NearMatch | undefined {
    const matches: NearMatch[] = [];
    this.forEachMatch(signature, (match) => matches.push(match));
    return closest(matches, this.threshold);
  }

  /** Stores a signature and indexes it; returns its ordinal. */
  add(signature: Uint8Array): number {
    const ordinal = this.store.add(signature);
    this.index(signature, ordinal);
    return ordinal;
  }

  /** Indexes a signature that is already in the store at `ordinal`. */
  index(signature: Uint8Array, ordinal: number): void {
    this.indexed++;
    this.insert(signature, ordinal);
  }

  private insert(signature: Uint8Array, ordinal: number): void {
    // Room for all bands first, so the table never grows halfway through an example.
    while ((this.used + this.lsh.bands) * 4 > this.slots.length * 3) this.grow();
    const mask = this.slots.length - 1;
    for (let band = 0; band < this.lsh.bands; band++) {
      const hash = this.bandHash(signature, band);
      const tag = hash >>> 24;
      let members = 0;
      let slot = hash & mask;
      for (; this.slots[slot] !== 0; slot = (slot + 1) & mask) {
        if (this.tags[slot] === tag && this.sameBand(signature, band, this.slots[slot]! - 1)) members++;
      }
      if (members >= MAX_BUCKET) continue;
      this.slots[slot] = ordinal + 1;
      this.tags[slot] = tag;
      this.used++;
    }
  }

  private bandHash(signature: Uint8Array, band: number): number {
    let h = fmix32(Math.imul(band + 1, 0x9e3779b1));
    const start = band * this.lsh.rows;
    for (let row = 0; row < this.lsh.rows; row++) h = fmix32(h ^ ((signature[start + row]! << 8) | row));
    return h;
  }

  private sameBand(signature: Uint8Array, band: number, ordinal: number): boolean {
    const start = band * this.lsh.rows;
    for (let row = 0; row < this.lsh.rows; row++)
      if (this.store.value(ordinal, start + row) !== signature[start + row]) return false;
    return true;
  }

  /**
   * Doubles the table by replaying its examples in ordinal order: they were inserted in that
   * order, so the replay meets the same full buckets and rebuilds the same entries.
   */
  private grow(): void {
    // Typed arrays only: a JS array of millions of ordinals would be a transient of 8x the size.
    const old = this.slots;
    const ordinals = new Uint32Array(this.used);
    let n = 0;
    for (let slot = 0; slot < old.length; slot++) if (old[slot] !== 0) ordinals[n++] = old[slot]! - 1;
    ordinals.sort();
    this.slots = new Uint32Array(old.length * 2);
    this.tags = new Uint8Array(old.length * 2);
    this.used = 0;
    for (let i = 0; i < n; i++) {
      const ordinal = ordinals[i]!;
      if (i > 0 && ordinal === ordinals[i - 1]) continue;
      this.insert(this.store.view(ordinal), ordinal);
    }
  }
}

/** The most similar match at or above `threshold` (ties: the earliest). */
export function closest(matches: readonly NearMatch[], threshold: number): NearMatch | undefined {
  let best: NearMatch | undefined;
  for (const match of matches) {
    if (match.similarity < threshold) continue;
    if (
      !best ||
      match.similarity > best.similarity ||
      (match.similarity === best.similarity && match.ordinal < best.ordinal)
    )
      best = match;
  }
  return best;
}

/** Union-find over ordinals (path halving; the smaller ordinal becomes the root). */
export class Clusters {
  private parent = new Uint32Array(1024);
  private count = 0;

  get bytes(): number {
    return this.parent.byteLength;
  }

  /** Adds a singleton for the next ordinal. */
  add(): number {
    if (this.count === this.parent.length) {
      const grown = new Uint32Array(this.parent.length * 2);
      grown.set(this.parent);
      this.parent = grown;
    }
    this.parent[this.count] = this.count;
    return this.count++;
  }

  find(ordinal: number): number {
    let x = ordinal;
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]!]!;
      x = this.parent[x]!;
    }
    return x;
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra < rb) this.parent[rb] = ra;
    else if (rb < ra) this.parent[ra] = rb;
  }
}
