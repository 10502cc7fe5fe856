import { describe, expect, it } from 'vitest';
import { splitCounts } from '../../src/stages/split.js';

const validation = (sizes: number[], options: Parameters<typeof splitCounts>[1]) =>
  splitCounts(sizes, options).validation;

describe('split planning', () => {
  it('gives every scenario with >= 2 examples at least one validation example, never all', () => {
    expect(validation([100, 10, 2, 1, 0], { valRatio: 0.1 })).toEqual([10, 1, 1, 0, 0]);
    expect(validation([3], { valRatio: 0.9 })).toEqual([2]);
  });

  it('spreads --val-size over scenarios in proportion to their size', () => {
    expect(validation([60, 30, 10], { valRatio: 0.1, valSize: 10 })).toEqual([6, 3, 1]);
    expect(validation([50, 50], { valRatio: 0.1, valSize: 3 })).toEqual([2, 1]);
  });

  it('gives no validation example at all for a zero share', () => {
    expect(splitCounts([100, 10, 2], { valRatio: 0 })).toEqual({ validation: [0, 0, 0], test: [0, 0, 0] });
    expect(validation([100, 10, 2], { valRatio: 0.1, valSize: 0 })).toEqual([0, 0, 0]);
  });

  it('sizes test after validation, from what is left, and always leaves train one example', () => {
    expect(splitCounts([100, 10, 3, 2, 1], { valRatio: 0.1, testRatio: 0.2 })).toEqual({
      validation: [10, 1, 1, 1, 0],
      test: [20, 2, 1, 0, 0],
    });
    expect(splitCounts([60, 30, 10], { valRatio: 0.1, testSize: 10 })).toEqual({
      validation: [6, 3, 1],
      test: [6, 3, 1],
    });
    expect(splitCounts([60, 30, 10], { valRatio: 0.1, testRatio: 0 }).test).toEqual([0, 0, 0]);
    expect(splitCounts([60, 30, 10], { valRatio: 0.1, testSize: 0 }).test).toEqual([0, 0, 0]);
  });
});
