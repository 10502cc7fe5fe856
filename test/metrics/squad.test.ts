import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  exactMatchScore,
  f1Score,
  firstLineAccuracy,
  normalizeAnswer,
  pythonSplit,
  scorePrediction,
} from '../../src/metrics/squad.js';
import { hasShared, reference, sharedSkipMessage } from '../helpers/shared.js';

describe('SQuAD v1.1 metrics', () => {
  it('matches the issue vectors', () => {
    expect(scorePrediction('New York', 'new york new york').em).toBe(0);
    expect(scorePrediction('New York', 'new york new york').f1).toBeCloseTo(66.67, 2);
    expect(scorePrediction('denver broncos', 'The Denver Broncos.').em).toBe(100);
    expect(scorePrediction('the Broncos of Denver', 'Denver Broncos').f1).toBeCloseTo(80, 10);
  });

  it('drops articles only as whole words, with Unicode word characters', () => {
    expect(normalizeAnswer('The theory of a thing')).toBe('theory of thing');
    expect(normalizeAnswer('éa an àthe')).toBe('éa àthe');
    expect(normalizeAnswer('a_b the')).toBe('ab');
    expect(normalizeAnswer('1a a1 a')).toBe('1a a1');
  });

  it('splits on Python whitespace, not JS \\s', () => {
    expect(pythonSplit('a\u001fb\u0085c\u00a0d')).toEqual(['a', 'b', 'c', 'd']);
    expect(pythonSplit('a\ufeffb')).toEqual(['a\ufeffb']);
    expect(pythonSplit('')).toEqual([]);
  });

  it('handles empty strings, punctuation-only answers and unicode', () => {
    expect(exactMatchScore('', '')).toBe(1);
    expect(f1Score('', '')).toBe(0);
    expect(exactMatchScore('...', '!?')).toBe(1);
    expect(f1Score('...', '!?')).toBe(0);
    expect(exactMatchScore('Café « Zürich »', 'café « zürich »')).toBe(1);
    expect(normalizeAnswer('“Quoted”')).toBe('“quoted”');
  });

  it('takes the first non-empty line for accuracy', () => {
    expect(firstLineAccuracy('\nPositive\nbecause it is nice', 'positive')).toBe(1);
    expect(firstLineAccuracy('It is positive', 'positive')).toBe(0);
  });

  describe.skipIf(!hasShared)('against the official script', () => {
    if (!hasShared) console.warn(sharedSkipMessage);
    it('gives the same EM and F1 on all 300 reference vectors', () => {
      const vectors = JSON.parse(readFileSync(reference('squad-v1.1-vectors.json'), 'utf8')) as Array<{
        prediction: string;
        references: string[];
        em: number;
        f1: number;
      }>;
      expect(vectors).toHaveLength(300);
      const mismatches = vectors.filter((vector) => {
        const scores = scorePrediction(vector.prediction, vector.references);
        return Math.abs(scores.em - 100 * vector.em) > 1e-9 || Math.abs(scores.f1 - 100 * vector.f1) > 1e-9;
      });
      expect(mismatches).toEqual([]);
    });
  });
});
