import { describe, expect, it } from 'vitest';
import {
  estimateJaccard,
  exactJaccard,
  lshParameters,
  signatureOf,
  NearDuplicateIndex,
  shingles,
} from '../../src/dedupe/minhash.js';
import { seededRandom } from '../../src/metrics/stats.js';
import { createDedupeNearStage } from '../../src/stages/dedupe-near.js';
import type { Envelope } from '../../src/core/envelope.js';

const VOCABULARY =
  'order refund shipping account password invoice delivery package battery screen update install error network printer label warranty support billing address payment card subscription plan upgrade cancel return exchange size color store pickup tracking carrier customs'.split(
    ' ',
  );

function text(random: () => number, length: number): string {
  return Array.from({ length }, () => VOCABULARY[Math.floor(random() * VOCABULARY.length)]).join(' ');
}

/** Changes `n` words at random positions. */
function mutate(source: string, n: number, random: () => number): string {
  const list = source.split(' ');
  for (let i = 0; i < n; i++) list[Math.floor(random() * list.length)] = `changed${i}`;
  return list.join(' ');
}

describe('MinHash', () => {
  it('estimates Jaccard close to the exact value on sampled pairs', () => {
    const random = seededRandom(11);
    const errors: number[] = [];
    for (let i = 0; i < 300; i++) {
      // Short texts (most of the 96 bins empty, so densification matters) to long ones.
      const a = text(random, 10 + Math.floor(random() * 300));
      const b = mutate(a, Math.floor(random() * (2 + a.split(' ').length / 8)), random);
      const sa = shingles(a, 3);
      const sb = shingles(b, 3);
      errors.push(Math.abs(estimateJaccard(signatureOf(a, 3), signatureOf(b, 3)) - exactJaccard(sa, sb)));
    }
    errors.sort((x, y) => x - y);
    const mean = errors.reduce((sum, e) => sum + e, 0) / errors.length;
    expect(mean).toBeLessThan(0.05);
    expect(errors[Math.floor(0.95 * errors.length)]).toBeLessThan(0.12);
  });

  it('gives identical sets similarity 1 and disjoint sets ~0', () => {
    const a = signatureOf('the quick brown fox jumps over the lazy dog', 3);
    expect(estimateJaccard(a, a)).toBe(1);
    const b = signatureOf('completely different words are here in this one', 3);
    expect(estimateJaccard(a, b)).toBeLessThan(0.1);
  });

  it('finds an earlier near-duplicate through the LSH index, not a different text', () => {
    const random = seededRandom(5);
    const index = new NearDuplicateIndex(0.8);
    const base = text(random, 80);
    index.add(signatureOf(base, 3));
    index.add(signatureOf(text(random, 80), 3));
    expect(index.query(signatureOf(mutate(base, 1, random), 3))).toMatchObject({
      ordinal: 0,
    });
    expect(index.query(signatureOf(text(random, 80), 3))).toBeUndefined();
  });
});

describe('LSH parameters', () => {
  it('derives the band count from the threshold and the wanted candidate probability', () => {
    expect(lshParameters(0.8)).toMatchObject({ bands: 8, rows: 3 });
    expect(lshParameters(0.6)).toMatchObject({ bands: 22, rows: 3 });
    expect(lshParameters(0.6, 0.95)).toMatchObject({ bands: 13, rows: 3 });
    for (const t of [0.6, 0.7, 0.8, 0.9, 0.95, 1]) {
      const { bands, rows, candidateProbability } = lshParameters(t);
      expect(bands * rows).toBeLessThanOrEqual(96);
      expect(candidateProbability).toBeGreaterThanOrEqual(0.995);
      // One band fewer would miss the target: the count is the smallest that reaches it.
      if (bands > 1) expect(1 - (1 - t ** rows) ** (bands - 1)).toBeLessThan(0.995);
    }
    // Below ~0.55 all 96 values are used and the probability is stated, not met.
    expect(lshParameters(0.3)).toMatchObject({ bands: 32, rows: 3 });
    expect(lshParameters(0.3).candidateProbability).toBeLessThan(0.995);
  });

  it('keeps finding planted near-duplicates after the band table has grown many times', () => {
    const random = seededRandom(21);
    const index = new NearDuplicateIndex(0.8);
    const bases: string[] = [];
    for (let i = 0; i < 3000; i++) {
      bases.push(text(random, 40 + Math.floor(random() * 40)));
      index.add(signatureOf(bases[i]!, 3));
    }
    expect(index.tableBytes).toBeGreaterThan(4 * 8 * 3000); // grown from 16 KB
    let found = 0;
    for (let i = 0; i < 3000; i += 10) {
      const match = index.query(signatureOf(bases[i]!, 3));
      if (match?.ordinal === i) found++;
    }
    expect(found).toBe(300);
  });

  it('indexes and finds the same examples whether its table starts small and grows or starts at the expected size', () => {
    // Signatures of 4 values per byte share band rows often, so buckets fill to MAX_BUCKET.
    const random = seededRandom(5);
    const signatures = Array.from({ length: 2500 }, () =>
      Uint8Array.from({ length: 96 }, () => Math.floor(random() * 4)),
    );
    const grown = new NearDuplicateIndex(0.6);
    const presized = new NearDuplicateIndex(0.6, undefined, undefined, signatures.length);
    expect(presized.tableBytes).toBeGreaterThan(new NearDuplicateIndex(0.6).tableBytes);
    const matches = (index: NearDuplicateIndex, signature: Uint8Array): number[] => {
      const found: number[] = [];
      index.forEachMatch(signature, ({ ordinal }) => found.push(ordinal));
      return found.sort((a, b) => a - b);
    };
    for (const signature of signatures) {
      expect(matches(presized, signature)).toEqual(matches(grown, signature));
      grown.add(signature);
      presized.add(signature);
    }
    expect(presized.size).toBe(grown.size);
  });
});

describe('dedupe-near stage', () => {
  const envelope = (line: number, user: string, assistant: string): Envelope => ({
    line,
    raw: '',
    scenario: 'unlabeled',
    example: {
      messages: [
        { role: 'system', content: 'You are a support assistant.' },
        { role: 'user', content: user },
        { role: 'assistant', content: assistant },
      ],
    },
  });

  it('keeps the first occurrence and points a near-duplicate at its line', () => {
    const random = seededRandom(9);
    const answer = text(random, 60);
    const batch = [
      envelope(3, 'How do I reset my password on the website?', answer),
      envelope(7, 'How do I change my billing address?', text(random, 60)),
      envelope(9, 'How do I reset my password on the website?', mutate(answer, 1, random)),
    ];
    const stage = createDedupeNearStage({ threshold: 0.8 });
    void stage.run(batch);
    expect(batch[0]!.rejection).toBeUndefined();
    expect(batch[1]!.rejection).toBeUndefined();
    expect(batch[2]!.rejection).toMatchObject({ reason: 'near_duplicate', detail: { similarTo: 3 } });
    expect(batch[2]!.rejection!.message).toMatch(/^~0\.\d\d similar to line 3 /);
    expect(stage.summary!()).toMatchObject({ kept: 2, dropped: 1, permutations: 96, bands: 13, rows: 3 });
  });
});
