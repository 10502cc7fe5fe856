// The typed-array shingler: its shortcut (classes read from lowercased text) holds for every code
// point, and its reused buffers never leak one text into the next.
import { describe, expect, it } from 'vitest';
import { nearSignatureOf, shingleHashes, shingleRuns, signatureOf } from '../../src/dedupe/minhash.js';
import { UNSPACED } from '../../src/dedupe/shingle-units.js';

describe('shingle units', () => {
  it('no character outside the unspaced scripts lowercases into one of them (all code points)', () => {
    const moved: string[] = [];
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      const character = String.fromCodePoint(codePoint);
      if (!UNSPACED.test(character) && UNSPACED.test(character.toLowerCase()))
        moved.push(codePoint.toString(16));
    }
    expect(moved).toEqual([]);
  });

  it('gives each text its own signature after a much longer one (buffers reused, then given back)', () => {
    const short = 'the printer shows an error after the last update of the driver';
    const before = nearSignatureOf(short, 3);
    // Over a million units: the shared buffers grow for it and are given back afterwards.
    const huge = Array.from({ length: 1_050_000 }, (_, i) => (i % 1000).toString(36)).join(' ');
    expect(nearSignatureOf(huge, 3)).toEqual(signatureOf(huge, 3));
    expect(shingleHashes(huge, 3).length).toBe(1_050_000 - 2);
    expect(nearSignatureOf(short, 3)).toEqual(before);
    expect(shingleHashes(short, 3).length).toBe(10);
  });

  it('returns signatures that later calls do not overwrite', () => {
    const first = nearSignatureOf('one two three four five six seven eight', 3)!;
    const copy = Uint8Array.from(first);
    nearSignatureOf('nine ten eleven twelve thirteen fourteen fifteen sixteen', 3);
    expect(first).toEqual(copy);
  });

  it('cuts words, unspaced characters, astral characters and lone surrogates as before', () => {
    expect(shingleRuns('Straße İSTANBUL 𠀀𠀁好 e\u0301 a\ud800b 😀 ΣΟΦΟΣ')).toEqual([
      { characters: false, units: ['straße', 'i\u0307stanbul'] },
      { characters: true, units: ['𠀀', '𠀁', '好'] },
      { characters: false, units: ['e\u0301', 'a', 'b', 'σοφος'] },
    ]);
  });
});
