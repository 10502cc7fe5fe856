import { describe, expect, it } from 'vitest';
import { bootstrapMean, mcnemarExact, pairedBootstrap, seededRandom } from '../../src/metrics/stats.js';

describe('statistics', () => {
  it('is reproducible for a seed and differs across seeds', () => {
    const a = seededRandom(1);
    const b = seededRandom(1);
    const c = seededRandom(2);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
    for (const value of first) expect(value >= 0 && value < 1).toBe(true);
  });

  it('puts the bootstrap interval of a mean around it, and collapses it for constant data', () => {
    const values = Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? 100 : 0));
    const interval = bootstrapMean(values, { seed: 3 });
    expect(interval.value).toBe(25);
    expect(interval.low).toBeLessThan(25);
    expect(interval.high).toBeGreaterThan(25);
    expect(interval.low).toBeGreaterThan(15);
    expect(interval.high).toBeLessThan(35);
    expect(bootstrapMean([7, 7, 7], { seed: 1 })).toEqual({ value: 7, low: 7, high: 7, n: 3 });
    expect(bootstrapMean([], { seed: 1 }).n).toBe(0);
  });

  it('finds a clear paired difference and none between identical systems', () => {
    const a = Array.from({ length: 100 }, (_, i) => (i < 40 ? 100 : 0));
    const b = Array.from({ length: 100 }, (_, i) => (i < 70 ? 100 : 0));
    const better = pairedBootstrap(a, b, { seed: 5 });
    expect(better.value).toBe(30);
    expect(better.low).toBeGreaterThan(0);
    expect(better.pValue).toBeLessThan(0.01);
    expect(pairedBootstrap(a, a, { seed: 5 }).pValue).toBe(1);
  });

  it('matches exact binomial McNemar p-values', () => {
    // b=1, c=9: 2 * P(X <= 1), X ~ Bin(10, 0.5) = 2 * 11/1024
    expect(mcnemarExact(1, 9)).toBeCloseTo(22 / 1024, 12);
    expect(mcnemarExact(5, 5)).toBe(1);
    expect(mcnemarExact(0, 0)).toBe(1);
    expect(mcnemarExact(0, 20)).toBeCloseTo(2 / 2 ** 20, 15);
  });
});
