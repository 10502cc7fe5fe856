// Cleaning samples of one rule: the first few it changed, then a deterministic spread over the
// whole file (the changes with the smallest hash of line and message, whatever the input order).
// Memory: at most `first + spread` samples, each a window of a few hundred characters.
import type { CleaningSample } from '../core/manifest.js';

interface Ranked {
  rank: number;
  sample: CleaningSample;
}

/** murmur3's 32-bit finalizer: a well-mixed rank from a line and a message index. */
function spreadRank(line: number, message: number): number {
  let h = Math.imul(line, 0x9e3779b1) ^ message;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class SampleCollector {
  private readonly first: CleaningSample[] = [];
  private readonly spread: Ranked[] = [];

  constructor(
    private readonly firstCount: number,
    private readonly spreadCount: number,
  ) {}

  /** `make` builds the sample (window and diff) only when it is kept. */
  offer(line: number, message: number, make: () => CleaningSample): void {
    if (this.first.length < this.firstCount) {
      this.first.push(make());
      return;
    }
    if (this.spreadCount === 0) return;
    const rank = spreadRank(line, message);
    if (this.spread.length < this.spreadCount) {
      this.spread.push({ rank, sample: make() });
      return;
    }
    let worst = 0;
    for (let i = 1; i < this.spread.length; i++)
      if (this.spread[i]!.rank > this.spread[worst]!.rank) worst = i;
    if (rank < this.spread[worst]!.rank) this.spread[worst] = { rank, sample: make() };
  }

  /** The kept samples in line order. */
  samples(): CleaningSample[] {
    return [...this.first, ...this.spread.map((ranked) => ranked.sample)].sort(
      (a, b) => a.line - b.line || a.message - b.message,
    );
  }
}
