import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seededUnit } from '../../src/core/hash.js';

describe('seededUnit', () => {
  // Split membership and balancing rest on these values: the same seed and keys must give the same
  // number in every release. Pinned from the first implementation (sha256 of the seed, then NUL +
  // key per key, its first 48 bits).
  it('gives the values it always gave, for text in any script and broken text', () => {
    expect(seededUnit(42, 'support', '0f3c')).toBe(0.7598601502390387);
    expect(seededUnit('7', '数学 🙂', '\ud800x')).toBe(0.21329048318928656);
    expect(seededUnit(0)).toBe(0.37470885529162956);
  });

  it('hashes the seed and each key apart, as one update each', () => {
    const keys = ['ملخص', 'a\u0000b', '', '\udc00'];
    const hash = createHash('sha256').update('3');
    for (const key of keys) hash.update('\u0000').update(key);
    expect(seededUnit(3, ...keys)).toBe(hash.digest().readUIntBE(0, 6) / 2 ** 48);
    expect(seededUnit(3, 'ab', 'c')).not.toBe(seededUnit(3, 'a', 'bc'));
  });
});
