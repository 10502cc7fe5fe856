// Cleaning samples of one rule: the first few it changed, then a deterministic spread over the
// whole file (the changes with the smallest hash of line and message, whatever the input order).
// Memory: at most `first + spread` samples, each a window of a few hundred characters.
// Collectors merge: a collector fed one batch holds every sample the whole-file collector could
// keep from that batch, so absorbing the batches' collectors in input order gives the same samples.
import type { CleaningSample } from '../core/manifest.js';

/** A sample before its character diff is drawn: only the few kept to the end get one (clean.ts). */
export type UndiffedSample = Omit<CleaningSample, 'diff'>;

export interface RankedSample {
  rank: number;
  sample: UndiffedSample;
}

/** murmur3's 32-bit finalizer: a well-mixed rank from a line and a message index. */
function spreadRank(line: number, message: number): number {
  let h = Math.imul(line, 0x9e3779b1) ^ message;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export interface SampleCollectorState {
  first: UndiffedSample[];
  spread: RankedSample[];
}

/** Whether (rank, line, message) comes before `other` in the spread's order: rank, then line, then message. */
function before(rank: number, line: number, message: number, other: RankedSample): boolean {
  if (rank !== other.rank) return rank < other.rank;
  if (line !== other.sample.line) return line < other.sample.line;
  return message < other.sample.message;
}

export class SampleCollector {
  private readonly first: UndiffedSample[] = [];
  private readonly spread: RankedSample[] = [];

  constructor(
    private readonly firstCount: number,
    private readonly spreadCount: number,
  ) {}

  /** `make` builds the sample (window and diff) only when it is kept. */
  offer(line: number, message: number, make: () => UndiffedSample): void {
    if (this.first.length < this.firstCount) {
      this.first.push(make());
      return;
    }
    this.offerRanked(spreadRank(line, message), line, message, () => ({ rank: 0, sample: make() }));
  }

  /** What a batch's collector hands back to be absorbed. */
  state(): SampleCollectorState {
    return { first: this.first, spread: this.spread };
  }

  /** Offers another collector's samples, as if its changes had been offered here. */
  absorb(state: SampleCollectorState): void {
    for (const sample of state.first) this.offer(sample.line, sample.message, () => sample);
    for (const ranked of state.spread)
      this.offerRanked(ranked.rank, ranked.sample.line, ranked.sample.message, () => ranked);
  }

  /** Keeps the `spreadCount` smallest by rank, then line and message (a total order: no ties). */
  private offerRanked(rank: number, line: number, message: number, make: () => RankedSample): void {
    if (this.spreadCount === 0) return;
    const kept = (): RankedSample => ({ ...make(), rank });
    if (this.spread.length < this.spreadCount) {
      this.spread.push(kept());
      return;
    }
    // The last in order is the one to replace: no array per comparison, this runs per changed message.
    let at = 0;
    for (let i = 1; i < this.spread.length; i++) {
      const worst = this.spread[at]!;
      if (before(worst.rank, worst.sample.line, worst.sample.message, this.spread[i]!)) at = i;
    }
    if (before(rank, line, message, this.spread[at]!)) this.spread[at] = kept();
  }

  /** The kept samples in line order. */
  samples(): UndiffedSample[] {
    return [...this.first, ...this.spread.map((ranked) => ranked.sample)].sort(
      (a, b) => a.line - b.line || a.message - b.message,
    );
  }
}
