import { describe, expect, it } from 'vitest';
import { validationCounts } from '../../src/stages/split.js';

describe('split planning', () => {
  it('gives every scenario with >= 2 examples at least one validation example, never all', () => {
    expect(validationCounts([100, 10, 2, 1, 0], { valRatio: 0.1 })).toEqual([10, 1, 1, 0, 0]);
    expect(validationCounts([3], { valRatio: 0.9 })).toEqual([2]);
  });

  it('spreads --val-size over scenarios in proportion to their size', () => {
    expect(validationCounts([60, 30, 10], { valRatio: 0.1, valSize: 10 })).toEqual([6, 3, 1]);
    expect(validationCounts([50, 50], { valRatio: 0.1, valSize: 3 })).toEqual([2, 1]);
  });
});
