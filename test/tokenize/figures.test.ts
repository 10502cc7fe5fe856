import { describe, expect, it } from 'vitest';
import {
  distribution,
  histogram,
  histogramEdges,
  nearestRank,
  tokenFigures,
} from '../../src/tokenize/figures.js';

describe('token figures', () => {
  it('takes nearest-rank percentiles: always one of the values', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect([50, 90, 95, 99, 100].map((p) => nearestRank(sorted, p))).toEqual([5, 9, 10, 10, 10]);
    expect(nearestRank([7], 50)).toBe(7);
    expect(nearestRank([], 50)).toBe(0);
  });

  it('describes a distribution with its n, sum and mean', () => {
    expect(distribution([30, 10, 20, 40])).toEqual({
      p50: 20,
      p90: 40,
      p95: 40,
      p99: 40,
      max: 40,
      mean: 25,
      sum: 100,
      n: 4,
    });
    expect(distribution([])).toEqual({ p50: 0, p90: 0, p95: 0, p99: 0, max: 0, mean: 0, sum: 0, n: 0 });
  });

  it('bins lengths by doubling edges up to the limit, the limit itself in the last bin', () => {
    expect(histogramEdges(4096)).toEqual([0, 32, 64, 128, 256, 512, 1024, 2048, 4096]);
    expect(histogramEdges(3000)).toEqual([0, 32, 64, 128, 256, 512, 1024, 2048, 3000]);
    expect(histogram([0, 31, 32, 100, 4096, 5000], [0, 32, 64, 128, 4096])).toEqual({
      edges: [0, 32, 64, 128, 4096],
      counts: [2, 1, 1, 2],
    });
  });

  it('builds the manifest tokens section; billed tokens are train totals x epochs', () => {
    const figures = tokenFigures(
      {
        train: [
          { total: 100, assistant: 40 },
          { total: 50, assistant: 10 },
        ],
        validation: [{ total: 70, assistant: 30 }],
      },
      { tokenizer: 'phi-3', maxTokens: 128, epochs: 3 },
    );
    expect(figures).toEqual({
      tokenizer: 'phi-3',
      maxTokens: 128,
      epochs: 3,
      perSplit: {
        train: {
          total: { p50: 50, p90: 100, p95: 100, p99: 100, max: 100, mean: 75, sum: 150, n: 2 },
          assistant: { p50: 10, p90: 40, p95: 40, p99: 40, max: 40, mean: 25, sum: 50, n: 2 },
          histogram: { edges: [0, 32, 64, 128], counts: [0, 1, 1] },
        },
        validation: {
          total: { p50: 70, p90: 70, p95: 70, p99: 70, max: 70, mean: 70, sum: 70, n: 1 },
          assistant: { p50: 30, p90: 30, p95: 30, p99: 30, max: 30, mean: 30, sum: 30, n: 1 },
          histogram: { edges: [0, 32, 64, 128], counts: [0, 0, 1] },
        },
      },
      billedTokens: 450,
    });
  });
});
