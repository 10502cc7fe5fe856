// Each built-in scorer on what users write: several references, Chinese, emoji, empty answers.
import { describe, expect, it } from 'vitest';
import { PhikitError } from '../../src/core/errors.js';
import {
  builtInScorer,
  containsScore,
  moduleScorer,
  parseScorerSpec,
  type ScoredExample,
} from '../../src/metrics/scorers.js';

const example = (reference: string, references?: string[]): ScoredExample => ({
  id: 'x',
  line: 1,
  scenario: 's',
  reference,
  ...(references ? { references } : {}),
});
const score = async (spec: string, prediction: string, ex: ScoredExample) =>
  await builtInScorer(parseScorerSpec(spec)).score(prediction, ex);

describe('contains', () => {
  it('finds a normalised reference as whole words, max over references', async () => {
    expect(await score('contains', 'I think it is PARIS, France.', example('paris'))).toEqual({ score: 100 });
    expect(await score('contains', 'Comparisons are odious', example('Paris'))).toEqual({ score: 0 });
    expect(await score('contains', 'It is Lyon.', example('Paris', ['Lyon', 'Nice']))).toEqual({
      score: 100,
    });
    expect(await score('contains', '', example('Paris'))).toEqual({ score: 0 });
  });

  it('matches inside Chinese text and around emoji', () => {
    expect(containsScore('中国的首都是北京。', '北京')).toBe(1);
    expect(containsScore('I ❤️ pizza 🍕!', 'pizza 🍕')).toBe(1);
    expect(containsScore('上海', '北京')).toBe(0);
    expect(containsScore('anything', '')).toBe(0);
  });
});

describe('regex', () => {
  it('scores predictions that match the pattern', async () => {
    expect(await score('regex:^\\d+$', '42', example('42'))).toEqual({ score: 100 });
    expect(await score('regex:^\\d+$', 'about 42', example('42'))).toEqual({ score: 0 });
    expect(await score('regex:🍕|披萨', '我要披萨', example('x'))).toEqual({ score: 100 });
  });

  it('refuses a pattern that does not compile, as a usage error', () => {
    expect(() => builtInScorer(parseScorerSpec('regex:(unclosed'))).toThrow(PhikitError);
  });
});

describe('label', () => {
  it('takes the first allowed label in the prediction (whole word, any case)', async () => {
    const spec = 'label:positive|negative|neutral';
    expect(await score(spec, 'Negative. Not positive at all', example('negative'))).toEqual({
      score: 100,
      detail: { predicted: 'negative', gold: 'negative' },
    });
    expect(await score(spec, 'nonpositive vibes', example('positive'))).toEqual({
      score: 0,
      detail: { predicted: null, gold: 'positive' },
    });
    expect(await score(spec, '', example('Neutral'))).toEqual({
      score: 0,
      detail: { predicted: null, gold: 'neutral' },
    });
  });

  it('works with labels in Chinese', async () => {
    expect(await score('label:正面|负面', '这条评论是负面的', example('负面'))).toEqual({
      score: 100,
      detail: { predicted: '负面', gold: '负面' },
    });
  });
});

describe('json', () => {
  it('accepts bare JSON and a ```json fence, refuses prose', async () => {
    expect(await score('json', '{"a": [1, "😀"]}', example(''))).toEqual({ score: 100 });
    expect(await score('json', '```json\n{"城市": "北京"}\n```', example(''))).toEqual({ score: 100 });
    expect(await score('json', 'Here: {"a": 1}', example(''))).toEqual({ score: 0 });
    expect(await score('json', '', example(''))).toEqual({ score: 0 });
  });
});

describe('rouge-l', () => {
  it('is the max over references, 0-100', async () => {
    const outcome = await score(
      'rouge-l',
      'the cat sat on the mat',
      example('a dog', ['the cat is on the mat']),
    );
    expect(outcome.score).toBeCloseTo(75, 10);
  });
});

describe('module scorer', () => {
  it('scales a [0, 1] score and keeps the detail', async () => {
    const scorer = moduleScorer('./len.mjs', (prediction, reference) => ({
      score: prediction.length === reference.length ? 1 : 0.5,
      detail: { lengths: [prediction.length, reference.length] },
    }));
    expect(await scorer.score('abc', example('xyz'))).toEqual({ score: 100, detail: { lengths: [3, 3] } });
  });

  it('stops with the example line when a score is outside [0, 1]', async () => {
    const scorer = moduleScorer('./bad.mjs', () => 3);
    await expect(scorer.score('a', example('b'))).rejects.toThrow(/returned 3 for the example on line 1/);
  });
});

describe('parseScorerSpec', () => {
  it('reads names, arguments and module paths', () => {
    expect(parseScorerSpec('label:a|b')).toEqual({ name: 'label:a|b', kind: 'label', arg: 'a|b' });
    expect(parseScorerSpec('regex:a:b')).toEqual({ name: 'regex:a:b', kind: 'regex', arg: 'a:b' });
    expect(parseScorerSpec('./my-scorer.mjs')).toEqual({
      name: './my-scorer.mjs',
      kind: 'module',
      arg: './my-scorer.mjs',
    });
    expect(() => parseScorerSpec('bleu')).toThrow(/unknown scorer "bleu"/);
    expect(() => parseScorerSpec('label')).toThrow(/needs an argument/);
  });
});
