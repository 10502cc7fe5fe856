// Log-probabilities from llama.cpp logits, and the corpus figures built from them (pure functions).
// All arithmetic is in float64; llama.cpp's logits arrive as float32.

/** One scored position: the token that is there, its log-probability, and the most likely alternatives. */
export interface TokenLogprob {
  token: number;
  /** The token's text, special tokens shown as their strings. */
  text: string;
  logprob: number;
  /** The `top` most likely tokens at this position, most likely first (empty when none were asked for). */
  top: Array<{ token: number; text: string; logprob: number }>;
}

/**
 * log p(token) from a filtered logits map that holds the token and the top logit, plus llama.cpp's
 * `totalLogitWeight` (sum over the vocabulary of exp(logit - maxLogit)).
 * The max is taken over the map itself: the map must hold the top token (the greedy choice with
 * `includeSelected`, or `includeTop` >= 1; `includeMax` is not reliable in node-llama-cpp 3.22.1).
 */
export function logprobFromFilteredLogits(
  logits: ReadonlyMap<number, number>,
  token: number,
  totalLogitWeight: number,
): number {
  const logit = logits.get(token);
  if (logit === undefined) throw new Error(`token ${token} is missing from the filtered logits`);
  const logprob = logit - maxOf(logits.values()) - Math.log(totalLogitWeight);
  // A positive log-probability means the map did not hold the top logit: the numbers would be wrong.
  if (logprob > 1e-4) throw new Error(`filtered logits lack the top token (log p = ${logprob})`);
  return logprob;
}

/** log-softmax of every logit in the map (the full-vocabulary path: sampling, independent checks). */
export function logSoftmax(logits: ReadonlyMap<number, number>): Map<number, number> {
  const max = maxOf(logits.values());
  let total = 0;
  for (const logit of logits.values()) total += Math.exp(logit - max);
  const logTotal = Math.log(total);
  const result = new Map<number, number>();
  for (const [token, logit] of logits) result.set(token, logit - max - logTotal);
  return result;
}

/** Token-weighted perplexity exp(-Σ log p / Σ tokens); NaN when there are no tokens. */
export function perplexity(sumLogprob: number, tokens: number): number {
  return tokens > 0 ? Math.exp(-sumLogprob / tokens) : Number.NaN;
}

/** Bits per UTF-8 byte of the scored text, -Σ log p / (ln 2 · bytes); NaN when there are no bytes. */
export function bitsPerByte(sumLogprob: number, bytes: number): number {
  return bytes > 0 ? -sumLogprob / (Math.LN2 * bytes) : Number.NaN;
}

function maxOf(values: Iterable<number>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > max) max = value;
  return max;
}
