// Token statistics for manifest.json: distributions per split (nearest-rank percentiles), a histogram
// of conversation lengths, and the tokens a fine-tuning job bills. Memory: sorts copies of the counts.
import type { TokenCounts } from '../core/envelope.js';
import type { Distribution, TokenFigures, TokenSplitFigures } from '../core/manifest.js';

/**
 * Nearest-rank percentile: the smallest value with at least p% of the values at or below it,
 * i.e. `sorted[ceil(p/100 * n) - 1]`. Always one of the values; 0 for an empty list.
 */
export function nearestRank(sorted: ArrayLike<number>, percent: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((percent / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function distribution(values: ArrayLike<number>): Distribution {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  const n = sorted.length;
  return {
    p50: nearestRank(sorted, 50),
    p90: nearestRank(sorted, 90),
    p95: nearestRank(sorted, 95),
    p99: nearestRank(sorted, 99),
    max: n === 0 ? 0 : sorted[n - 1]!,
    mean: n === 0 ? 0 : sum / n,
    sum,
    n,
  };
}

/**
 * Bin edges 0, 32, 64, 128, ... doubling up to `maxTokens` (the last edge, even if not a power of
 * two). Bins are [edge[i], edge[i+1]); the last bin also holds `maxTokens` itself and anything longer.
 */
export function histogramEdges(maxTokens: number): number[] {
  const edges = [0];
  for (let edge = 32; edge < maxTokens; edge *= 2) edges.push(edge);
  edges.push(Math.max(maxTokens, 1));
  return edges;
}

export function histogram(
  values: ArrayLike<number>,
  edges: readonly number[],
): { edges: number[]; counts: number[] } {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    let bin = 0;
    while (bin < counts.length - 1 && value >= edges[bin + 1]!) bin++;
    counts[bin]!++;
  }
  return { edges: [...edges], counts };
}

export function splitFigures(counts: readonly TokenCounts[], maxTokens: number): TokenSplitFigures {
  const totals = counts.map((count) => count.total);
  return {
    total: distribution(totals),
    assistant: distribution(counts.map((count) => count.assistant)),
    histogram: histogram(totals, histogramEdges(maxTokens)),
  };
}

export interface TokenFiguresOptions {
  tokenizer: string;
  maxTokens: number;
  epochs: number;
}

/** The `tokens` section of manifest.json. Billed tokens: total tokens of the train split x epochs. */
export function tokenFigures(
  perSplit: { train: readonly TokenCounts[]; validation: readonly TokenCounts[] },
  options: TokenFiguresOptions,
): TokenFigures {
  const train = splitFigures(perSplit.train, options.maxTokens);
  return {
    tokenizer: options.tokenizer,
    maxTokens: options.maxTokens,
    epochs: options.epochs,
    perSplit: { train, validation: splitFigures(perSplit.validation, options.maxTokens) },
    billedTokens: train.total.sum * options.epochs,
  };
}
