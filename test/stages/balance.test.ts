import { describe, expect, it } from 'vitest';
import { distributionFigures, parseBalance, planBalance } from '../../src/stages/balance.js';

describe('balance', () => {
  it('parses none, cap:N and ratio:R and rejects the rest with a usage error', () => {
    expect(parseBalance('none')).toEqual({ kind: 'none' });
    expect(parseBalance('cap:500')).toEqual({ kind: 'cap', n: 500 });
    expect(parseBalance('ratio:2.5')).toEqual({ kind: 'ratio', r: 2.5 });
    for (const bad of ['cap:0', 'cap:1.5', 'ratio:0.5', 'ratio:x', 'max:3', '']) {
      expect(() => parseBalance(bad)).toThrow(/--balance/);
    }
  });

  it('keeps small scenarios unless asked to drop them; ratio uses the smallest kept scenario', () => {
    expect(planBalance([100, 30, 3], { mode: { kind: 'ratio', r: 2 }, minPerScenario: 5 })).toEqual({
      keep: [6, 6, 3],
      small: [false, false, true],
    });
    expect(
      planBalance([100, 30, 3], { mode: { kind: 'ratio', r: 2 }, minPerScenario: 5, dropSmall: true }),
    ).toEqual({ keep: [60, 30, 0], small: [false, false, true] });
  });

  it('measures imbalance and normalized entropy', () => {
    expect(distributionFigures(['a', 'b'], [50, 50])).toEqual({
      distribution: { a: 50, b: 50 },
      imbalanceRatio: 1,
      normalizedEntropy: 1,
    });
    const skewed = distributionFigures(['a', 'b', 'c'], [90, 9, 1]);
    expect(skewed.imbalanceRatio).toBe(90);
    // H = -(0.9 ln 0.9 + 0.09 ln 0.09 + 0.01 ln 0.01) / ln 3
    expect(skewed.normalizedEntropy).toBeCloseTo(0.3255, 3);
    expect(distributionFigures(['a', 'b'], [7, 0])).toMatchObject({
      imbalanceRatio: 1,
      normalizedEntropy: 1,
    });
  });
});
