// MinHash signatures over word shingles, and an LSH index that finds earlier examples whose
// estimated Jaccard similarity reaches a threshold. Typed arrays only.
//
// Parameters: 96 hash functions (h1 + i*h2, each finalized with murmur3's fmix32). LSH uses
// the first BANDS x ROWS of them: 10 bands of 4 rows, so a pair of similarity s becomes a
// candidate with probability 1 - (1 - s^4)^10 (0.995 at s = 0.8, 0.64 at s = 0.5); candidates
// are then confirmed by the similarity estimated from all 96 values. Each stored value is
// the low byte of its minimum (b-bit MinHash, corrected for the 1/256 chance agreement).
//
// Memory bound per kept example: 96 bytes of signature + 4 bytes for its line + 10 band
// entries in a hash table at load <= 0.5 (10 x 2 x 8 bytes) = ~260 bytes, measured by `bytes`.

export const PERMUTATIONS = 96;
export const BANDS = 10;
export const ROWS = 4;

function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units. */
function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Lowercased words (letters and digits in any script). */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
}

/** The set of `size`-word shingles (the whole text as one shingle when it is shorter). */
export function shingles(text: string, size: number): Set<string> {
  const list = words(text);
  const result = new Set<string>();
  if (list.length <= size) {
    if (list.length > 0) result.add(list.join(' '));
    return result;
  }
  for (let i = 0; i + size <= list.length; i++) result.add(list.slice(i, i + size).join(' '));
  return result;
}

/** Full 32-bit minimum per hash function. */
export function minhash(set: ReadonlySet<string>): Uint32Array {
  const mins = new Uint32Array(PERMUTATIONS).fill(0xffffffff);
  for (const shingle of set) {
    const h1 = fnv1a(shingle, 0);
    const h2 = fmix32(h1 ^ 0x9e3779b9) | 1;
    for (let i = 0; i < PERMUTATIONS; i++) {
      const value = fmix32((h1 + Math.imul(i, h2)) >>> 0);
      if (value < mins[i]!) mins[i] = value;
    }
  }
  return mins;
}

export function exactJaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let common = 0;
  for (const item of a) if (b.has(item)) common++;
  return common / (a.size + b.size - common);
}

/** Similarity from two b-bit (8-bit) signatures. */
export function estimateJaccard(a: Uint8Array, b: Uint8Array): number {
  let equal = 0;
  for (let i = 0; i < PERMUTATIONS; i++) if (a[i] === b[i]) equal++;
  const chance = 1 / 256;
  return Math.max(0, (equal / PERMUTATIONS - chance) / (1 - chance));
}

export function lowBytes(mins: Uint32Array): Uint8Array {
  const out = new Uint8Array(PERMUTATIONS);
  for (let i = 0; i < PERMUTATIONS; i++) out[i] = mins[i]! & 0xff;
  return out;
}

export interface NearMatch {
  /** Ordinal of the earlier example (as given to `add`). */
  ordinal: number;
  similarity: number;
}

/** LSH index of kept examples: add them in order, ask for the most similar earlier one. */
export class NearDuplicateIndex {
  private signatures = new Uint8Array(PERMUTATIONS * 1024);
  private count = 0;
  private keys = new Uint32Array(1 << 12);
  private owners = new Uint32Array(1 << 12);
  private used = 0;
  /** Candidate pairs looked at, for the manifest. */
  candidates = 0;

  constructor(readonly threshold: number) {}

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.count * PERMUTATIONS + this.keys.byteLength + this.owners.byteLength;
  }

  private bandKeys(mins: Uint32Array): Uint32Array {
    const keys = new Uint32Array(BANDS);
    for (let band = 0; band < BANDS; band++) {
      let h = fmix32(band + 0x5bd1e995);
      for (let row = 0; row < ROWS; row++) h = fmix32(h ^ mins[band * ROWS + row]!);
      // 0 marks an empty slot.
      keys[band] = h === 0 ? 1 : h;
    }
    return keys;
  }

  /** The most similar earlier example at or above the threshold, if any. */
  query(mins: Uint32Array): NearMatch | undefined {
    const signature = lowBytes(mins);
    const seen = new Set<number>();
    let best: NearMatch | undefined;
    for (const key of this.bandKeys(mins)) {
      const owner = this.lookup(key);
      if (owner === undefined || seen.has(owner)) continue;
      seen.add(owner);
      this.candidates++;
      const similarity = estimateJaccard(
        signature,
        this.signatures.subarray(owner * PERMUTATIONS, (owner + 1) * PERMUTATIONS),
      );
      if (similarity >= this.threshold && (!best || similarity > best.similarity))
        best = { ordinal: owner, similarity };
    }
    return best;
  }

  /** Stores a kept example; returns its ordinal. */
  add(mins: Uint32Array): number {
    const ordinal = this.count++;
    if (this.count * PERMUTATIONS > this.signatures.length) {
      const grown = new Uint8Array(this.signatures.length * 2);
      grown.set(this.signatures);
      this.signatures = grown;
    }
    this.signatures.set(lowBytes(mins), ordinal * PERMUTATIONS);
    for (const key of this.bandKeys(mins)) this.insert(key, ordinal);
    return ordinal;
  }

  private lookup(key: number): number | undefined {
    const mask = this.keys.length - 1;
    for (let slot = key & mask; ; slot = (slot + 1) & mask) {
      const stored = this.keys[slot]!;
      if (stored === 0) return undefined;
      if (stored === key) return this.owners[slot]!;
    }
  }

  /** The first example in a bucket owns it: later ones are found through it. */
  private insert(key: number, ordinal: number): void {
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    for (let slot = key & mask; ; slot = (slot + 1) & mask) {
      const stored = this.keys[slot]!;
      if (stored === key) return;
      if (stored === 0) {
        this.keys[slot] = key;
        this.owners[slot] = ordinal;
        this.used++;
        return;
      }
    }
  }

  private grow(): void {
    const { keys, owners } = this;
    this.keys = new Uint32Array(keys.length * 2);
    this.owners = new Uint32Array(keys.length * 2);
    this.used = 0;
    for (let slot = 0; slot < keys.length; slot++)
      if (keys[slot] !== 0) this.insert(keys[slot]!, owners[slot]!);
  }
}
