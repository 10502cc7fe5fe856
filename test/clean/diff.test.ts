import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lcsSteps } from '../../src/clean/diff.js';
import type { DiffPart } from '../../src/core/manifest.js';

type Step = [DiffPart['op'], string];

/**
 * The steps as the cell table computed them before the bit rows: the same steps are a contract
 * (cleaning samples are in manifest.json, compared byte for byte across builds).
 */
function referenceSteps(a: readonly string[], b: readonly string[]): Step[] {
  const width = b.length + 1;
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lengths[i * width + j] =
        a[i] === b[j]
          ? lengths[(i + 1) * width + j + 1]! + 1
          : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
  const steps: Step[] = [];
  const push = (op: DiffPart['op'], char: string) => steps.push([op, char]);
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      push('same', a[i++]!);
      j++;
    } else if (
      j === b.length ||
      (i < a.length && lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!)
    ) {
      push('removed', a[i++]!);
    } else {
      push('added', b[j++]!);
    }
  }
  return steps;
}

/** Texts over a few characters (many equal ones, so many tied paths), astral ones included. */
const text = (maxLength: number) =>
  fc
    .array(fc.constantFrom('a', 'b', ' ', '\n', '&', 'é', '中', '😀', '\u00a0'), {
      minLength: maxLength >> 2,
      maxLength,
      size: 'max',
    })
    .map((chars) => chars.join(''));

describe('lcsSteps', () => {
  it('takes the steps the cell table took, on short and on long texts (rows of many words)', () => {
    for (const maxLength of [12, 90, 400]) {
      fc.assert(
        fc.property(text(maxLength), text(maxLength), (before, after) => {
          const a = Array.from(before);
          const b = Array.from(after);
          expect(lcsSteps(a, b)).toEqual(referenceSteps(a, b));
        }),
        { numRuns: maxLength === 400 ? 150 : 1500 },
      );
    }
  });
});
