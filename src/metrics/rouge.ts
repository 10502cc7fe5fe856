// ROUGE-L: the F-measure (β = 1) of the longest common subsequence of two token lists, over
// SQuAD-normalised tokens. Han, Kana and Thai characters are tokens of their own (these scripts
// put no spaces between words). Memory: two rows of the shorter list.
import { normalizeAnswer, pythonSplit } from './squad.js';

const UNSPACED_CHARACTER = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}])/u;

/** SQuAD-normalised whitespace tokens, with each unspaced-script character a token. */
export function rougeTokens(text: string): string[] {
  return pythonSplit(normalizeAnswer(text)).flatMap((token) =>
    UNSPACED_CHARACTER.test(token) ? token.split(UNSPACED_CHARACTER).filter((part) => part !== '') : [token],
  );
}

/** Length of the longest common subsequence (dynamic programming, two rows). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  let previous = new Uint32Array(short.length + 1);
  let current = new Uint32Array(short.length + 1);
  for (const token of long) {
    for (let j = 1; j <= short.length; j++) {
      current[j] = token === short[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    [previous, current] = [current, previous];
  }
  return previous[short.length]!;
}

/** ROUGE-L F-measure in [0, 1]; two empty texts match (1), one empty text scores 0. */
export function rougeL(prediction: string, reference: string): number {
  const predicted = rougeTokens(prediction);
  const expected = rougeTokens(reference);
  if (predicted.length === 0 || expected.length === 0) return predicted.length === expected.length ? 1 : 0;
  const common = lcsLength(predicted, expected);
  if (common === 0) return 0;
  const precision = common / predicted.length;
  const recall = common / expected.length;
  return (2 * precision * recall) / (precision + recall);
}
