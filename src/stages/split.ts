// Split sizes: how many validation examples each scenario gets. Which examples (and whole
// near-duplicate clusters) fill them is planned in pipeline/plan.ts.

export interface SplitOptions {
  /** Share of each scenario for validation (default 0.1). Ignored when valSize is set. */
  valRatio: number;
  /** Total validation examples, spread over scenarios in proportion to their size. */
  valSize?: number;
}

/** How many validation examples each scenario gets. Every scenario with >= 2 gets >= 1; none gets all. */
export function validationCounts(sizes: readonly number[], options: SplitOptions): number[] {
  const clamp = (n: number, k: number): number => (n < 2 ? 0 : Math.min(n - 1, Math.max(1, k)));
  if (options.valSize === undefined) return sizes.map((n) => clamp(n, Math.round(n * options.valRatio)));
  // Largest remainder apportionment of valSize, then the per-scenario bounds.
  const total = sizes.reduce((sum, n) => sum + n, 0);
  if (total === 0) return sizes.map(() => 0);
  const quotas = sizes.map((n) => (n * options.valSize!) / total);
  const counts = quotas.map(Math.floor);
  let left = options.valSize - counts.reduce((sum, k) => sum + k, 0);
  const order = quotas.map((q, i) => ({ i, r: q - Math.floor(q) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    counts[i]!++;
    left--;
  }
  return counts.map((k, i) => clamp(sizes[i]!, k));
}
