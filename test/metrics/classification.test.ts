// Classification figures on a planted set, computed by hand.
import { describe, expect, it } from 'vitest';
import { classificationSummary } from '../../src/metrics/classification.js';

describe('classificationSummary', () => {
  it('counts every cell of the confusion matrix and the per-label figures', () => {
    const summary = classificationSummary(
      [
        { gold: 'yes', predicted: 'yes' },
        { gold: 'yes', predicted: 'no' },
        { gold: 'no', predicted: 'no' },
        { gold: 'no', predicted: null },
      ],
      ['yes', 'no'],
      42,
    );
    expect(summary.confusion).toEqual({
      yes: { yes: 1, no: 1, '(none)': 0 },
      no: { yes: 0, no: 1, '(none)': 1 },
    });
    // yes: P 1, R 1/2, F1 2/3; no: P 1/2, R 1/2, F1 1/2.
    expect(summary.perLabel.yes).toEqual({ precision: 1, recall: 0.5, f1: 2 / 3, support: 2, predicted: 1 });
    expect(summary.perLabel.no).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2, predicted: 2 });
    expect(summary.macroF1.value).toBeCloseTo((100 * (2 / 3 + 0.5)) / 2, 12);
    expect(summary.accuracy).toMatchObject({ value: 50, n: 4 });
  });

  it('has no figures for no answers', () => {
    const summary = classificationSummary([], ['a', 'b'], 1);
    expect(summary.macroF1.value).toBeNaN();
    expect(summary.confusion).toEqual({ a: { a: 0, b: 0 }, b: { a: 0, b: 0 } });
  });
});
