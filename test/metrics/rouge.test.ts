// ROUGE-L against vectors computed by hand (LCS length, then F = 2PR / (P + R)).
import { describe, expect, it } from 'vitest';
import { lcsLength, rougeL, rougeTokens } from '../../src/metrics/rouge.js';

describe('rougeL', () => {
  it.each([
    // [cat sat on mat] vs [cat is on mat] (articles dropped): LCS 3 of 4 and 4.
    ['The cat sat on the mat.', 'the cat is on the mat', 0.75],
    // Lin (2004): [police killed gunman] vs [gunman killed police]: LCS 1 of 3 and 3.
    ['police killed the gunman', 'the gunman killed police', 1 / 3],
    // Han characters are tokens: 中国的首都 is common, 5 of 8 and 8.
    ['北京是中国的首都', '中国的首都是北京', 5 / 8],
    // [i love 🍕 pizza] vs [love pizza 🍕]: LCS 2, P 2/4, R 2/3, F 4/7.
    ['I love 🍕 pizza', 'love pizza 🍕', 4 / 7],
    ['Paris', 'paris', 1],
    ['', 'Paris', 0],
    ['Paris', '', 0],
    ['', '', 1],
  ])('%j vs %j = %d', (prediction, reference, expected) => {
    expect(rougeL(prediction, reference)).toBeCloseTo(expected, 12);
  });

  it('splits unspaced scripts into characters and keeps spaced words whole', () => {
    expect(rougeTokens('Tokyo 東京タワー, the tower!')).toEqual([
      'tokyo',
      '東',
      '京',
      'タ',
      'ワ',
      'ー',
      'tower',
    ]);
    expect(lcsLength(['a', 'b', 'c', 'd'], ['b', 'd'])).toBe(2);
  });
});
