import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCount, formatFixed } from '../../src/core/describe.js';

// The formats must write exactly what en-US Intl.NumberFormat writes (the outputs are compared
// byte for byte across builds), without loading it.
const intlCount = new Intl.NumberFormat('en-US');
const intlFixed = (digits: number) =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Doubles of every kind a report meets, and the awkward ones: halves, exponents, -0, huge, tiny. */
const numbers = fc.oneof(
  fc.double({ noNaN: false }),
  fc.integer({ min: -1e9, max: 1e9 }).map((n) => n / 1000),
  fc.integer({ min: -1e7, max: 1e7 }).map((n) => n / 8),
  fc.integer({ min: 0, max: 1e6 }).map((n) => n + 0.005),
  fc.integer({ min: -1e4, max: 1e4 }).map((n) => n * 0.1 + 0.05),
  fc.constantFrom(
    0,
    -0,
    0.5,
    -0.5,
    9.995,
    99.995,
    999.9995,
    1e21,
    1e-7,
    999999.9999,
    Infinity,
    -Infinity,
    NaN,
  ),
  fc.maxSafeInteger(),
);

describe('number formats', () => {
  it('formatCount writes what Intl writes', () => {
    fc.assert(
      fc.property(numbers, (value) => {
        expect(formatCount(value)).toBe(intlCount.format(value));
      }),
      { numRuns: 20_000 },
    );
  });

  it('formatFixed writes what Intl writes, for every number of decimals used', () => {
    const formats = [0, 1, 2, 3, 4].map(intlFixed);
    fc.assert(
      fc.property(numbers, fc.integer({ min: 0, max: 4 }), (value, digits) => {
        expect(formatFixed(value, digits)).toBe(formats[digits]!.format(value));
      }),
      { numRuns: 20_000 },
    );
  });

  it('rounds the decimal a person reads, half away from zero, with carries', () => {
    expect(formatFixed(1.005, 2)).toBe('1.01'); // toFixed writes 1.00
    expect(formatFixed(-0.125, 2)).toBe('-0.13');
    expect(formatFixed(999999.995, 2)).toBe('1,000,000.00');
    expect(formatFixed(-0.001, 2)).toBe('-0.00');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-1234.5678)).toBe('-1,234.568');
  });
});
