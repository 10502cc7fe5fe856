// Seeded resampling statistics: bootstrap confidence intervals (plain and paired), McNemar's
// exact test and Holm's adjustment of p-values. Pure functions; the seed makes every interval reproducible.

/** mulberry32: a small, fast, seedable PRNG (no global Math.random). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const BOOTSTRAP_ITERATIONS = 1000;

export interface Interval {
  /** The statistic on the data itself. */
  value: number;
  /** 95% percentile bootstrap interval. */
  low: number;
  high: number;
  n: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))));
  return sorted[index]!;
}

/**
 * Percentile bootstrap of any statistic over n items: `statistic(indexes)` is evaluated on the
 * data (all indexes) and on `iterations` resamples with replacement.
 */
export function bootstrap(
  n: number,
  statistic: (indexes: ArrayLike<number>) => number,
  options: { seed: number; iterations?: number },
): Interval {
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const value = n === 0 ? Number.NaN : statistic(all);
  if (n === 0) return { value, low: Number.NaN, high: Number.NaN, n };
  const random = seededRandom(options.seed);
  const iterations = options.iterations ?? BOOTSTRAP_ITERATIONS;
  const estimates = new Float64Array(iterations);
  const sample = new Uint32Array(n);
  for (let b = 0; b < iterations; b++) {
    for (let i = 0; i < n; i++) sample[i] = Math.floor(random() * n);
    estimates[b] = statistic(sample);
  }
  estimates.sort();
  return { value, low: percentile(estimates, 0.025), high: percentile(estimates, 0.975), n };
}

export function meanOf(values: ArrayLike<number>, indexes: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < indexes.length; i++) sum += values[indexes[i]!]!;
  return sum / indexes.length;
}

export function bootstrapMean(
  values: ArrayLike<number>,
  options: { seed: number; iterations?: number },
): Interval {
  return bootstrap(values.length, (indexes) => meanOf(values, indexes), options);
}

export interface PairedComparison extends Interval {
  /** Two-sided bootstrap p-value for "no difference": twice the smaller tail mass at 0 (or at `nullValue`). */
  pValue: number;
}

/**
 * Mean of b - a over paired items, with its bootstrap interval and p-value. `nullValue` (default 0)
 * is the difference the p-value tests against; the interval does not depend on it.
 */
export function pairedBootstrap(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: { seed: number; iterations?: number; nullValue?: number },
): PairedComparison {
  const nullValue = options.nullValue ?? 0;
  const differences = Float64Array.from({ length: a.length }, (_, i) => b[i]! - a[i]!);
  const iterations = options.iterations ?? BOOTSTRAP_ITERATIONS;
  const random = seededRandom(options.seed);
  const n = differences.length;
  const interval = bootstrapMean(differences, options);
  if (n === 0) return { ...interval, pValue: Number.NaN };
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (let it = 0; it < iterations; it++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += differences[Math.floor(random() * n)]!;
    const mean = sum / n;
    if (mean <= nullValue) atOrBelow++;
    if (mean >= nullValue) atOrAbove++;
  }
  const pValue = Math.min(1, (2 * Math.min(atOrBelow, atOrAbove)) / iterations);
  return { ...interval, pValue };
}

function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}

/**
 * McNemar's exact test on the discordant pairs: `b` items only A got right, `c` only B got right.
 * Two-sided binomial p-value under p = 0.5.
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/**
 * Holm's step-down adjustment: adjusted p-values that keep the family-wise error rate over all the
 * tests at the nominal level (as R's `p.adjust(p, "holm")`). NaN marks an untested item: it stays
 * NaN and is not counted in the family.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const tested = pValues
    .map((p, index) => ({ p, index }))
    .filter(({ p }) => !Number.isNaN(p))
    .sort((x, y) => x.p - y.p);
  const adjusted = pValues.map(() => Number.NaN);
  let runningMax = 0;
  tested.forEach(({ p, index }, rank) => {
    runningMax = Math.max(runningMax, Math.min(1, (tested.length - rank) * p));
    adjusted[index] = runningMax;
  });
  return adjusted;
}
