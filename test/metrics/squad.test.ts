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

  it('takes the max over several references for EM, F1 and accuracy', () => {
    // Only the second reference matches exactly; the others score lower or nothing.
    expect(scorePrediction('Denver Broncos won', ['Broncos', 'denver broncos won!', 'Carolina'])).toEqual({
      em: 100,
      f1: 100,
      accuracy: 100,
    });
    // F1 against "Broncos" 0.5, against "The Denver Broncos" 0.8 (the article goes): the max is 80.
    expect(scorePrediction('Denver Broncos won', ['Broncos', 'The Denver Broncos'])).toEqual({
      em: 0,
      f1: 80,
      accuracy: 0,
    });
    // Accuracy reads the first line; each metric takes its own best reference.
    expect(scorePrediction('Positive\nbecause 三天', ['negative', 'positive', '三天'])).toEqual({
      em: 0,
      f1: 50,
      accuracy: 100,
    });
    expect(scorePrediction('🚚 3 days', ['三天', '3 days'])).toEqual({ em: 0, f1: 80, accuracy: 0 });
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

    it('takes metric_max_over_ground_truths on the vectors with several ground truths', () => {
      const vectors = JSON.parse(readFileSync(reference('squad-v1.1-vectors.json'), 'utf8')) as Array<{
        prediction: string;
        references: string[];
        em: number;
        f1: number;
      }>;
      const several = vectors.filter((vector) => vector.references.length > 1);
      expect(several.length).toBeGreaterThan(50);
      for (const vector of several) {
        const scores = scorePrediction(vector.prediction, vector.references);
        expect([scores.em, scores.f1]).toEqual([100 * vector.em, expect.closeTo(100 * vector.f1, 9)]);
      }
      // On some, only a later ground truth gives the official score: the first alone scores lower.
      const laterWins = several.filter(
        (vector) => scorePrediction(vector.prediction, vector.references[0]!).f1 < 100 * vector.f1 - 1e-9,
      );
      expect(laterWins.length).toBeGreaterThan(0);
    });
  });
});
