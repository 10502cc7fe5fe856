// A hash table from 64-bit signatures to 1-based line numbers, on typed arrays.
// Memory bound: 12 bytes per slot at load <= 0.5, i.e. <= 24 bytes per stored signature
// (1M examples in ~24-48 MB), against ~100 bytes per entry for a Map of hex strings.

export class SignatureTable {
  private high: Uint32Array;
  private low: Uint32Array;
  private lines: Uint32Array;
  private count = 0;

  constructor(initialCapacity = 1 << 16) {
    this.high = new Uint32Array(initialCapacity);
    this.low = new Uint32Array(initialCapacity);
    this.lines = new Uint32Array(initialCapacity);
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.high.byteLength + this.low.byteLength + this.lines.byteLength;
  }

  /** Stores the signature with its line unless present; returns the line stored first, or undefined. */
  addIfAbsent(high: number, low: number, line: number): number | undefined {
    if ((this.count + 1) * 2 > this.lines.length) this.grow();
    const mask = this.lines.length - 1;
    let slot = (low ^ Math.imul(high, 0x9e3779b1)) & mask;
    for (;;) {
      const stored = this.lines[slot]!;
      if (stored === 0) {
        this.high[slot] = high;
        this.low[slot] = low;
        this.lines[slot] = line;
        this.count++;
        return undefined;
      }
      if (this.high[slot] === high && this.low[slot] === low) return stored;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const { high, low, lines } = this;
    const capacity = lines.length * 2;
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.lines = new Uint32Array(capacity);
    this.count = 0;
    for (let slot = 0; slot < lines.length; slot++) {
      if (lines[slot] !== 0) this.addIfAbsent(high[slot]!, low[slot]!, lines[slot]!);
    }
  }
}
