import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus, textLines } from '../../bench/tokenize-corpus.js';
import { phi3Vocabulary } from '../../src/tokenize/phi3.js';
import { SpBpeEncoder } from '../../src/tokenize/sp-bpe.js';
import { hasShared, sharedSkipMessage } from '../helpers/shared.js';
import { datasetStrings, llamaCppVectors, referenceTokenizer } from './real-data.js';
import type { Tokenizer } from '@huggingface/tokenizers';

/** Size of the generated multilingual text compared in the suite; raise it for a full run (see bench/README.md). */
const DIFFERENTIAL_MB = Number(process.env.PHIKIT_TOKENIZE_DIFF_MB ?? '1');

let encoder: SpBpeEncoder;
beforeAll(async () => {
  encoder = new SpBpeEncoder(await phi3Vocabulary('phi-3'));
});

describe('SpBpeEncoder without reference files', () => {
  it('encodes a sentence, counts what it encodes, and repeats itself from the word cache', () => {
    const text = 'Hello world!  Hello\tworld\n<|user|>\nhi<|end|>\n';
    const ids = encoder.encode(text);
    // Ids as @huggingface/tokenizers gives them with Microsoft's tokenizer.json.
    expect(ids).toEqual([15043, 3186, 29991, 29871, 15043, 12, 11526, 13, 32010, 7251, 32007]);
    expect(encoder.count(text)).toBe(ids.length);
    expect(encoder.encode(text)).toEqual(ids);
  });

  it('stays exact after its word cache fills up and is emptied', async () => {
    const fresh = new SpBpeEncoder(await phi3Vocabulary('phi-3'));
    const sample = 'The quick brown fox, 42 times: naïve café 日本語 🙂';
    const expected = fresh.encode(sample);
    const words = Array.from({ length: 150_000 }, (_, i) => `w${i.toString(36)}`).join(' ');
    expect(fresh.count(words)).toBeGreaterThan(150_000);
    expect(fresh.cacheMisses).toBeGreaterThan(131_072);
    expect(fresh.encode(sample)).toEqual(expected);
    expect(fresh.encode(words.slice(0, 2000))).toEqual(encoder.encode(words.slice(0, 2000)));
  });

  it('stays exact when long words fill its key pool before its slots', async () => {
    const fresh = new SpBpeEncoder(await phi3Vocabulary('phi-3'));
    // 9,000 distinct 250-letter words: 2.25M code units of keys, over the pool's 2M, in 9,000 slots.
    const letters = 'abcdefghijklmnopqrstuvwxyzéü日本';
    let state = 12345;
    const letter = (): string => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return letters[(state >>> 16) % letters.length]!;
    };
    const word = (): string => Array.from({ length: 250 }, letter).join('');
    const words = Array.from({ length: 9_000 }, word);
    const firstIds = words.slice(0, 3).map((w) => encoder.encodePlain(` ${w}`));
    for (const w of words) fresh.count(` ${w}`);
    expect(fresh.cacheMisses).toBeGreaterThanOrEqual(9_000);
    // The first words were cached, the cache emptied, and they are encoded again, exactly.
    expect(words.slice(0, 3).map((w) => fresh.encodePlain(` ${w}`))).toEqual(firstIds);
    expect(fresh.encode(`${words[8_999]} ${words[0]}`)).toEqual(
      encoder.encode(`${words[8_999]} ${words[0]}`),
    );
  });

  it('falls back to bytes for characters outside the vocabulary, lone surrogates as U+FFFD', () => {
    // U+1F600 is not a piece: 4 byte tokens <0xF0><0x9F><0x98><0x80> after a lone "▁".
    expect(encoder.encode('\u{1F600}')).toEqual([29871, 243, 162, 155, 131]);
    expect(encoder.encode('\ud800')).toEqual([29871, 242, 194, 192]);
  });

  it('strips whitespace after rstrip tokens as Rust does: U+0085 yes, U+FEFF no', () => {
    // @huggingface/tokenizers (JS trimStart) does the opposite on these two characters only:
    // it gives [32007, 29871, 197, 136, 29916] and [32007, 921].
    expect(encoder.encode('<|end|>\u0085x')).toEqual([32007, 921]);
    expect(encoder.encode('<|end|>\ufeffx')).toEqual([32007, 29871, 30143, 29916]);
  });
});

describe.skipIf(!hasShared)(
  `SpBpeEncoder vs the reference (${hasShared ? 'reference found' : sharedSkipMessage})`,
  () => {
    let reference: Tokenizer;
    const referenceIds = (text: string): number[] =>
      reference.encode(text, { add_special_tokens: false }).ids;
    beforeAll(() => {
      reference = referenceTokenizer('phi3-mini');
    });

    it('passes the 46 llama.cpp vectors, both releases', async () => {
      const vectors = llamaCppVectors();
      expect(vectors).toHaveLength(46);
      const legacy = new SpBpeEncoder(await phi3Vocabulary('phi-3-legacy'));
      const failures = vectors.filter(({ text, ids }) => {
        const got = encoder.encode(text);
        return (
          JSON.stringify(got) !== JSON.stringify(ids) ||
          JSON.stringify(legacy.encode(text)) !== JSON.stringify(ids)
        );
      });
      expect(failures).toEqual([]);
    });

    it('gives the reference ids on every string of the real datasets', () => {
      const strings = datasetStrings();
      expect(strings.length).toBeGreaterThan(20_000);
      encoder.clearCache();
      const differences = strings.filter(
        (text) => JSON.stringify(encoder.encode(text)) !== JSON.stringify(referenceIds(text)),
      );
      expect(differences).toEqual([]);
    });

    it(`gives the reference ids on ${DIFFERENTIAL_MB} MB of recombined multilingual text`, () => {
      const documents = generateCorpus(textLines(datasetStrings()), DIFFERENTIAL_MB * 1e6, 20240601);
      encoder.clearCache();
      let tokens = 0;
      const differences: string[] = [];
      for (const document of documents) {
        const ids = encoder.encode(document);
        tokens += ids.length;
        if (JSON.stringify(ids) !== JSON.stringify(referenceIds(document))) differences.push(document);
      }
      expect(differences).toEqual([]);
      expect(tokens).toBeGreaterThan(DIFFERENTIAL_MB * 100_000);
    });

    // Everything but the two characters on which the reference's JS trim differs from Rust's (see above).
    const unicode = fc
      .string({ unit: 'binary', maxLength: 80 })
      .map((text) => text.replace(/[\u0085\ufeff]/g, '\u00a0'));
    const pieces = fc.constantFrom(
      ' ',
      '  ',
      '\u2581',
      '\n',
      '\t',
      'the',
      ' the',
      'ing',
      'Hello',
      '日本',
      '语',
      '中文',
      'é',
      '\u00e9t\u00e9',
      '🙂',
      '\u{1F600}',
      '<|end|>',
      '<|user|>',
      '<|assistant|>',
      '<s>',
      '</s>',
      '<unk>',
      '<|endoftext|>',
      '<|',
      '|>',
      '<0x0A>',
      '123',
      '.',
      '\u3000',
      '\u00a0',
      '\ud800',
      '\udc00',
      'ÿ',
      'Ω',
      '—',
      '```',
      '{"a":',
      '\\n',
    );
    const mixed = fc.array(fc.oneof(pieces, unicode), { maxLength: 24 }).map((parts) => parts.join(''));

    it('property: random Unicode strings encode as the reference does', () => {
      fc.assert(
        fc.property(unicode, (text) => {
          expect(encoder.encode(text)).toEqual(referenceIds(text));
        }),
        { numRuns: 1500, seed: 7 },
      );
    });

    it('property: strings mixing words, spaces, special tokens, scripts and surrogates encode as the reference does', () => {
      fc.assert(
        fc.property(mixed, (text) => {
          expect(encoder.encode(text)).toEqual(referenceIds(text));
          expect(encoder.count(text)).toBe(encoder.encode(text).length);
        }),
        { numRuns: 1500, seed: 11 },
      );
    });

    it('property: long runs without spaces (heap merging, uncached chunks) encode as the reference does', () => {
      const long = fc
        .array(fc.oneof(pieces, unicode), { minLength: 20, maxLength: 80 })
        .map((parts) => parts.join('').replace(/[ \u2581]/g, 'x'));
      fc.assert(
        fc.property(long, (text) => {
          expect(encoder.encode(text)).toEqual(referenceIds(text));
        }),
        { numRuns: 300, seed: 13 },
      );
    });
  },
);
