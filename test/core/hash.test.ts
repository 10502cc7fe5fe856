import { createHash } from 'node:crypto';
import type * as NodeCrypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { seededUnit } from '../../src/core/hash.js';
import { contentKeyOf } from '../../src/stages/dedupe-exact.js';

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

  it('property: equals the piece-by-piece hash on random keys, lone surrogates at their edges included', () => {
    let state = 7;
    const random = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    // Surrogate halves, NUL, ASCII, CJK and emoji halves: what could pair across a key's edge.
    const units = [0xd800, 0xdbff, 0xdc00, 0xdfff, 0x0000, 0x0061, 0x4e2d, 0xd83d, 0xde42, 0x00e9];
    for (let run = 0; run < 2000; run++) {
      const keys = Array.from({ length: random(4) }, () =>
        String.fromCharCode(...Array.from({ length: random(5) }, () => units[random(units.length)]!)),
      );
      const seed = random(3) === 0 ? String.fromCharCode(units[random(units.length)]!) : random(1000);
      const hash = createHash('sha256').update(String(seed));
      for (const key of keys) hash.update('\u0000').update(key);
      expect(seededUnit(seed, ...keys)).toBe(hash.digest().readUIntBE(0, 6) / 2 ** 48);
    }
  });
});

describe('contentKeyOf', () => {
  it('is the first 128 bits of the sha256 of the written form, given as text or as its bytes', () => {
    for (const text of ['{"messages":[]}', '数学 🙂 مرحبا', 'a\ud800b', '']) {
      const expected = createHash('sha256').update(text).digest('hex').slice(0, 32);
      expect(contentKeyOf(text)).toBe(expected);
      expect(contentKeyOf(Buffer.from(text, 'utf8'))).toBe(expected);
    }
  });
});

describe('without crypto.hash (Node 20 before 20.12)', () => {
  it('gives the same values through a Hash object', async () => {
    vi.resetModules();
    vi.doMock('node:crypto', async (original) => ({
      ...(await original<typeof NodeCrypto>()),
      hash: undefined,
    }));
    const old = await import('../../src/core/hash.js');
    vi.doUnmock('node:crypto');
    expect(old.seededUnit(42, 'support', '0f3c')).toBe(0.7598601502390387);
    expect(old.seededUnit('7', '数学 🙂', '\ud800x')).toBe(seededUnit('7', '数学 🙂', '\ud800x'));
    expect(old.sha256Hex('数学')).toBe(createHash('sha256').update('数学').digest('hex'));
  });
});
