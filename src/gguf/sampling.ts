// Choosing the next token from log-probabilities: greedy at temperature 0, otherwise temperature + top-p
// sampling driven by a seeded hash, so a request with a seed gives the same text every time.
import { seededUnit } from '../core/hash.js';

export interface SamplingOptions {
  /** 0 (the default) is greedy. */
  temperature: number;
  /** Nucleus size in (0, 1]; 1 keeps every token. */
  topP: number;
  seed: number;
}

/** Picks a token. `logprobs` must be normalized log-probabilities; `step` makes each position's draw distinct. */
export function chooseToken(
  logprobs: ReadonlyMap<number, number>,
  options: SamplingOptions,
  step: number,
): number {
  const ranked = [...logprobs].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const first = ranked[0];
  if (first === undefined) throw new Error('no tokens to choose from');
  if (options.temperature <= 0) return first[0];
  const scaled = ranked.map(
    ([token, logprob]) => [token, Math.exp((logprob - first[1]) / options.temperature)] as const,
  );
  const total = scaled.reduce((sum, [, weight]) => sum + weight, 0);
  // Keep the smallest prefix whose probability reaches topP.
  const kept: Array<readonly [number, number]> = [];
  let mass = 0;
  for (const entry of scaled) {
    kept.push(entry);
    mass += entry[1] / total;
    if (mass >= options.topP) break;
  }
  const keptTotal = kept.reduce((sum, [, weight]) => sum + weight, 0);
  let draw = seededUnit(options.seed, 'gguf-sample', String(step)) * keptTotal;
  for (const [token, weight] of kept) {
    draw -= weight;
    if (draw < 0) return token;
  }
  return kept[kept.length - 1]![0];
}
