// Exact match and token F1 exactly as the official SQuAD v1.1 evaluate script computes them.
// Python's regex \b and str.split() are Unicode-aware and differ from JS's \b and \s, so the
// word and whitespace classes are written out.

/** Python's str.isspace(): Unicode White_Space plus the ASCII separators \x1c-\x1f, without U+FEFF. */
const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;
/** Python's string.punctuation (ASCII only). */
const PY_PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
/** `\b(a|an|the)\b` with Python's Unicode word characters (letters, numbers, underscore). */
const PY_ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

/** Python's str.split() with no argument: no empty strings. */
export function pythonSplit(text: string): string[] {
  return text.split(PY_WHITESPACE).filter((token) => token !== '');
}

/** lower, drop punctuation, drop articles, squeeze whitespace (the script's normalize_answer). */
export function normalizeAnswer(text: string): string {
  const lower = text.toLowerCase();
  const noPunctuation = lower.replace(PY_PUNCTUATION, '');
  const noArticles = noPunctuation.replace(PY_ARTICLES, ' ');
  return pythonSplit(noArticles).join(' ');
}

export function exactMatchScore(prediction: string, reference: string): number {
  return normalizeAnswer(prediction) === normalizeAnswer(reference) ? 1 : 0;
}

export function f1Score(prediction: string, reference: string): number {
  const predicted = pythonSplit(normalizeAnswer(prediction));
  const expected = pythonSplit(normalizeAnswer(reference));
  const counts = new Map<string, number>();
  for (const token of expected) counts.set(token, (counts.get(token) ?? 0) + 1);
  let same = 0;
  for (const token of predicted) {
    const left = counts.get(token) ?? 0;
    if (left > 0) {
      same++;
      counts.set(token, left - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / predicted.length;
  const recall = same / expected.length;
  return (2 * precision * recall) / (precision + recall);
}

/** The script's metric_max_over_ground_truths. */
export function maxOverReferences(
  metric: (prediction: string, reference: string) => number,
  prediction: string,
  references: readonly string[],
): number {
  let best = 0;
  for (const reference of references) best = Math.max(best, metric(prediction, reference));
  return best;
}

/**
 * Accuracy for label-style tasks: normalized exact match of the prediction's first non-empty
 * line, so "Positive\nBecause..." counts as the label "positive".
 */
export function firstLineAccuracy(prediction: string, reference: string): number {
  const firstLine = prediction.split('\n').find((line) => line.trim() !== '') ?? '';
  return exactMatchScore(firstLine, reference);
}

export interface PredictionScores {
  /** 0-100 */
  em: number;
  f1: number;
  accuracy: number;
}

export function scorePrediction(prediction: string, reference: string | readonly string[]): PredictionScores {
  const references = typeof reference === 'string' ? [reference] : reference;
  return {
    em: 100 * maxOverReferences(exactMatchScore, prediction, references),
    f1: 100 * maxOverReferences(f1Score, prediction, references),
    accuracy: 100 * maxOverReferences(firstLineAccuracy, prediction, references),
  };
}
