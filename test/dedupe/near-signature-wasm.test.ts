// The WebAssembly near-duplicate signature (near-signature-wasm.ts) against the JavaScript one,
// byte for byte, on generated multilingual text: words, unspaced scripts, astral characters, lone
// surrogates, characters whose lowercase is longer, empty parts, every shingle size.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nearSignatureJs, nearSignatureOf } from '../../src/dedupe/minhash.js';
import { wasmNearSignature } from '../../src/dedupe/near-signature-wasm.js';

const lowered = (parts: string[]) => parts.map((part) => part.toLowerCase());
const javascript = (parts: string[], size: number) => nearSignatureJs(lowered(parts), size);
/** The kernel itself, so a fallback to JavaScript cannot pass for it. */
const kernel = (parts: string[], size: number) => wasmNearSignature(lowered(parts), size);

const pieces = fc.constantFrom(
  ' ',
  '\n',
  'The',
  'printer',
  'İSTANBUL',
  'Straße',
  '日本語',
  '中文',
  'ひらがな',
  'カタカナー',
  '한국어',
  'ภาษาไทย',
  'مرحبا بالعالم',
  'ΣΟΦΟΣ',
  'e\u0301',
  '😀',
  '\u{20000}\u{20001}',
  '\u{1D400}',
  '\ud800',
  '\udc00',
  '42',
  '—',
  '<b>',
);
const unicode = fc.string({ unit: 'binary', maxLength: 40 });
const part = fc.array(fc.oneof(pieces, unicode), { maxLength: 20 }).map((items) => items.join(''));

describe('the WebAssembly near-duplicate signature', () => {
  it('is built', () => {
    expect(
      wasmNearSignature(['one two three four five six seven'], 3),
      'run `npm run build` first',
    ).not.toBeNull();
  });

  it('property: gives the JavaScript signature, byte for byte, for parts of mixed text and every shingle size', () => {
    fc.assert(
      fc.property(fc.array(part, { maxLength: 5 }), fc.integer({ min: 1, max: 5 }), (parts, size) => {
        const expected = javascript(parts, size);
        expect(kernel(parts, size)).toEqual(expected);
        expect(nearSignatureOf(parts, size)).toEqual(expected);
      }),
      { numRuns: 3000, seed: 3 },
    );
  });

  it('signs a text too long to keep the memory for, then goes on exactly with a fresh kernel', () => {
    // ~9M code units: more than the 16 MB a kernel keeps (near-signature-wasm.ts).
    const huge = Array.from({ length: 1_800_000 }, (_, i) => `W${i % 1000}`).join(' ');
    expect(huge.length).toBeGreaterThan(8_500_000);
    expect(kernel([huge], 3)).toEqual(javascript([huge], 3));
    const after = ['Après: the printer shows an error', '打印机显示错误'];
    expect(kernel(after, 3)).toEqual(javascript(after, 3));
  });

  it('gives no signature to texts with fewer than 5 distinct shingles, and to no parts at all', () => {
    expect(kernel([], 3)).toBeUndefined();
    expect(kernel(['', ''], 3)).toBeUndefined();
    expect(kernel(['hello hello hello hello hello hello hello'], 1)).toBeUndefined();
    expect(kernel(['好好好好好好'], 3)).toBeUndefined();
    expect(kernel(['a b c d e'], 1)).toEqual(javascript(['a b c d e'], 1));
  });
});
