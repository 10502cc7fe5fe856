// Split sizes: how many validation and test examples each scenario gets. Which examples (and
// whole near-duplicate clusters) fill them is planned in pipeline/plan.ts.

export interface SplitOptions {
  /** Share of each scenario for validation (default 0.1). Ignored when valSize is set. */
  valRatio: number;
  /** Total validation examples, spread over scenarios in proportion to their size. */
  valSize?: number;
  /** Share of each scenario for test; no test split when neither testRatio nor testSize is set. */
  testRatio?: number;
  /** Total test examples, spread like valSize. */
  testSize?: number;
}

export interface SplitTargets {
  validation: number[];
  test: number[];
}

/**
 * Validation and test examples per scenario. Validation is sized first, exactly as without a
 * test split; test takes its share from what is left. A positive share gives every scenario
 * with room at least one example; a zero share gives none; train always keeps one.
 */
export function splitCounts(sizes: readonly number[], options: SplitOptions): SplitTargets {
  const validation = shareCounts(
    sizes,
    options.valRatio,
    options.valSize,
    sizes.map((n) => n - 1),
  );
  const room = sizes.map((n, s) => n - 1 - validation[s]!);
  const test =
    options.testRatio === undefined && options.testSize === undefined
      ? sizes.map(() => 0)
      : shareCounts(sizes, options.testRatio ?? 0, options.testSize, room);
  return { validation, test };
}

/** `round(n × ratio)` per scenario, or `size` apportioned over scenarios; within [1, room], or 0. */
function shareCounts(
  sizes: readonly number[],
  ratio: number,
  size: number | undefined,
  room: readonly number[],
): number[] {
  if (size === 0 || (size === undefined && ratio === 0)) return sizes.map(() => 0);
  const wanted = size === undefined ? sizes.map((n) => Math.round(n * ratio)) : apportion(sizes, size);
  return wanted.map((k, s) => (room[s]! < 1 ? 0 : Math.min(room[s]!, Math.max(1, k))));
}

/** Largest remainder apportionment of `total` over scenarios in proportion to their sizes. */
function apportion(sizes: readonly number[], total: number): number[] {
  const all = sizes.reduce((sum, n) => sum + n, 0);
  if (all === 0) return sizes.map(() => 0);
  const quotas = sizes.map((n) => (n * total) / all);
  const counts = quotas.map(Math.floor);
  let left = total - counts.reduce((sum, k) => sum + k, 0);
  const order = quotas.map((q, i) => ({ i, r: q - Math.floor(q) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    counts[i]!++;
    left--;
  }
  return counts;
}
