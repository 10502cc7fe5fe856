// The WebAssembly token count (sp-bpe-wasm.ts) against the JavaScript one it replaces, which
// sp-bpe.test.ts checks against the reference tokenizer: totals and tokens inside ranges, on
// generated text of every kind, through the word cache's emptying and the kernel's renewal.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { phi3Vocabulary } from '../../src/tokenize/phi3.js';
import { SpBpeEncoder } from '../../src/tokenize/sp-bpe.js';

let encoder: SpBpeEncoder;
beforeAll(async () => {
  encoder = new SpBpeEncoder(await phi3Vocabulary('phi-3'));
});

/** Sorted, disjoint ranges from cut points in the text. */
function rangesFrom(text: string, cuts: number[]): Array<[number, number]> {
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i + 1 < points.length; i += 2) ranges.push([points[i]!, points[i + 1]!]);
  return ranges;
}

function expectSameCounts(text: string, ranges: Array<[number, number]> = []): void {
  const pieces = encoder.splitter.split(text);
  const fromWasm = encoder.countRanges(text, pieces, ranges);
  expect(fromWasm).toEqual(encoder.countRangesJs(text, pieces, ranges));
  expect(fromWasm.total).toBe(encoder.encode(text).length);
}

const pieces = fc.constantFrom(
  ' ',
  '   ',
  '\u2581',
  '\n',
  'the',
  ' the',
  'Hello',
  '日本語',
  '中文',
  'مرحبا',
  'こんにちは',
  'é',
  '🙂',
  '\u{1F600}',
  '\u{20000}',
  '<|end|>',
  '<|user|>',
  '<|assistant|>',
  '<s>',
  '\ud800',
  '\udc00',
  '```',
  '<p>',
);
const unicode = fc.string({ unit: 'binary', maxLength: 60 });
const mixed = fc.array(fc.oneof(pieces, unicode), { maxLength: 30 }).map((parts) => parts.join(''));
const cuts = fc.array(fc.nat(), { maxLength: 8 });

describe('the WebAssembly token count', () => {
  it('is built, and the encoder counts with it', () => {
    expect(encoder.countingKernel, 'run `npm run build` first').toBe('webassembly');
  });

  it('property: counts mixed text (words, scripts, added tokens, surrogates) and its ranges as JavaScript does', () => {
    fc.assert(
      fc.property(mixed, cuts, (text, points) => expectSameCounts(text, rangesFrom(text, points))),
      { numRuns: 2000, seed: 5 },
    );
  });

  it('property: counts long runs without spaces (heap merging, uncached chunks) as JavaScript does', () => {
    const long = fc
      .array(fc.oneof(pieces, unicode), { minLength: 20, maxLength: 120 })
      .map((parts) => parts.join('').replace(/[ \u2581]/g, 'x'));
    fc.assert(
      fc.property(long, cuts, (text, points) => expectSameCounts(text, rangesFrom(text, points))),
      { numRuns: 300, seed: 9 },
    );
  });

  it('merges ties leftmost first, in short and long chunks: token starts in runs of one repeated character', () => {
    for (const character of ['a', '=', '-', '0', '日', 'é'])
      for (const length of [5, 47, 48, 49, 60, 255, 256, 257, 301, 513])
        for (const from of [1, 2, 3, 7, Math.floor(length / 2)]) {
          const text = ` ${character.repeat(length)}`;
          expectSameCounts(text, [[from, text.length]]);
        }
  });

  it('stays exact when its word cache empties (slots half used, then a pool full)', async () => {
    const fresh = new SpBpeEncoder(await phi3Vocabulary('phi-3'));
    const sample = 'The quick brown fox, 42 times: naïve café 日本語 🙂';
    const expected = fresh.countRangesJs(sample, fresh.splitter.split(sample), [[4, 20]]);
    // 140,000 distinct words: the cache doubles from 2^13 slots, emptied each time, then empties
    // at half of its 2^18.
    const words = Array.from({ length: 140_000 }, (_, i) => `w${i.toString(36)}`).join(' ');
    expect(fresh.countRanges(words, fresh.splitter.split(words), []).total).toBe(fresh.encode(words).length);
    expect(fresh.countRanges(sample, fresh.splitter.split(sample), [[4, 20]])).toEqual(expected);
    // 12,000 distinct 200-character words: more than the key pool's 2^21 code units.
    const longWords = Array.from({ length: 12_000 }, (_, i) => `${i.toString(36)}${'é'.repeat(195)}`).join(
      ' ',
    );
    expect(fresh.countRanges(longWords, fresh.splitter.split(longWords), []).total).toBe(
      fresh.countRangesJs(longWords, fresh.splitter.split(longWords), []).total,
    );
    expect(fresh.countRanges(sample, fresh.splitter.split(sample), [[4, 20]])).toEqual(expected);
  });

  it('tells apart two words whose hashes collide: the hot table and the word cache compare every code unit', () => {
    const [first, second] = collidingWords();
    expect(encoder.encode(` ${first}`).length).not.toBe(encoder.encode(` ${second}`).length);
    // The first word takes the slots, the second meets them: inside a range and outside one.
    const text = `x ${first} ${second} ${first} ${second}`;
    expectSameCounts(text);
    expectSameCounts(text, [[text.indexOf(second), text.length]]);
  });

  it('counts a chunk too long to keep the memory for, then goes on exactly with a fresh kernel', () => {
    // One chunk of 400,000 characters (no spaces): its merge scratch is more than a kernel keeps (sp-bpe-wasm.ts).
    const huge = `intro ${'日本語中文'.repeat(80_000)} outro`;
    const ranges: Array<[number, number]> = [
      [3, 5_000],
      [300_000, 300_100],
    ];
    expectSameCounts(huge, ranges);
    expectSameCounts('after it: <|user|>\nhello<|end|>', [[18, 23]]);
  });
});

/** A constant of the kernel's source, read from it so the collisions below are the kernel's own. */
function kernelConstant(name: string): number {
  const source = readFileSync(new URL('../../assembly/sp-bpe-count.ts', import.meta.url), 'utf8');
  const match = new RegExp(`const ${name}: u32 = (0x[0-9a-f]+);`).exec(source);
  if (!match) throw new Error(`no ${name} in assembly/sp-bpe-count.ts`);
  return Number(match[1]);
}

/**
 * Two lowercase words of one length whose chunks (a space, then the word) have the kernel's
 * FNV-1a hash in common and whose token counts differ: a birthday search over a fixed sequence.
 */
function collidingWords(): [string, string] {
  const [seed, prime] = [kernelConstant('HASH_SEED'), kernelConstant('FNV_PRIME')];
  const seen = new Map<number, string>();
  let state = 1;
  const letter = (): string => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return String.fromCharCode(97 + ((state >>> 16) % 26));
  };
  for (;;) {
    const word = Array.from({ length: 7 }, letter).join('');
    let hash = seed;
    for (const unit of ` ${word}`) hash = Math.imul(hash ^ unit.charCodeAt(0), prime) >>> 0;
    const other = seen.get(hash);
    if (
      other !== undefined &&
      other !== word &&
      encoder.encode(` ${other}`).length !== encoder.encode(` ${word}`).length
    )
      return [other, word];
    seen.set(hash, word);
  }
}
