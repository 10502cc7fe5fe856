// Holm's step-down adjustment, checked against R's p.adjust(p, method = "holm").
import { describe, expect, it } from 'vitest';
import { holmAdjust } from '../../src/metrics/stats.js';

describe('holmAdjust', () => {
  it('matches R p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm")', () => {
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((expected, i) => expect(adjusted[i]).toBeCloseTo(expected, 12));
  });

  it('keeps the order monotone and caps at 1', () => {
    // R: p.adjust(c(0.2, 0.01, 0.5), "holm") = 0.4 0.03 0.5
    const adjusted = holmAdjust([0.2, 0.01, 0.5]);
    [0.4, 0.03, 0.5].forEach((expected, i) => expect(adjusted[i]).toBeCloseTo(expected, 12));
    expect(holmAdjust([0.6, 0.7])).toEqual([1, 1]);
  });

  it('leaves NaN (untested) out of the family', () => {
    const adjusted = holmAdjust([0.01, Number.NaN, 0.02]);
    expect(adjusted[0]).toBeCloseTo(0.02, 12);
    expect(adjusted[1]).toBeNaN();
    expect(adjusted[2]).toBeCloseTo(0.02, 12);
    expect(holmAdjust([])).toEqual([]);
  });
});
