// Scenario balancing, planned after pass 1 from the scenario sizes alone:
// `cap:N` keeps at most N examples per scenario, `ratio:R` at most R times the smallest
// scenario. Scenarios below `--min-per-scenario` are reported, and dropped with
// `--drop-small-scenarios`. Which examples stay is decided by the seeded split unit (the
// smallest units stay), so it does not depend on input order.
import { PhikitError } from '../core/errors.js';
import type { DistributionFigures } from '../core/manifest.js';

export type BalanceMode = { kind: 'none' } | { kind: 'cap'; n: number } | { kind: 'ratio'; r: number };

export interface BalanceOptions {
  mode: BalanceMode;
  /** Scenarios with fewer examples are "small" (default 0: none is). */
  minPerScenario?: number;
  /** Drop small scenarios instead of only reporting them. */
  dropSmall?: boolean;
}

export interface BalancePlan {
  /** Examples kept per scenario. */
  keep: number[];
  /** Scenarios below the minimum. */
  small: boolean[];
}

const USAGE_HINT = 'use --balance none, cap:N (e.g. cap:500) or ratio:R (e.g. ratio:3)';

/** `none`, `cap:N` or `ratio:R` -> a mode; anything else is a usage error. */
export function parseBalance(spec: string): BalanceMode {
  if (spec === 'none') return { kind: 'none' };
  const match = /^(cap|ratio):(.+)$/.exec(spec);
  const value = match ? Number(match[2]) : NaN;
  if (match?.[1] === 'cap' && Number.isInteger(value) && value >= 1) return { kind: 'cap', n: value };
  if (match?.[1] === 'ratio' && Number.isFinite(value) && value >= 1) return { kind: 'ratio', r: value };
  throw new PhikitError(
    'USAGE',
    `--balance ${JSON.stringify(spec)} is not valid (N: whole number >= 1, R: number >= 1)`,
    USAGE_HINT,
  );
}

export function formatBalance(mode: BalanceMode): string {
  return mode.kind === 'none' ? 'none' : mode.kind === 'cap' ? `cap:${mode.n}` : `ratio:${mode.r}`;
}

export function planBalance(sizes: readonly number[], options: BalanceOptions): BalancePlan {
  const min = options.minPerScenario ?? 0;
  const small = sizes.map((n) => n > 0 && n < min);
  const eligible = sizes.map((n, s) => (options.dropSmall && small[s] ? 0 : n));
  const present = eligible.filter((n) => n > 0);
  const smallest = present.length > 0 ? Math.min(...present) : 0;
  const { mode } = options;
  const keep = eligible.map((n) => {
    if (mode.kind === 'cap') return Math.min(n, mode.n);
    if (mode.kind === 'ratio') return Math.min(n, Math.floor(mode.r * smallest));
    return n;
  });
  return { keep, small };
}

export function distributionFigures(names: readonly string[], sizes: readonly number[]): DistributionFigures {
  const distribution: Record<string, number> = {};
  names.forEach((name, s) => {
    if (sizes[s]! > 0) distribution[name] = sizes[s]!;
  });
  const present = sizes.filter((n) => n > 0);
  const total = present.reduce((sum, n) => sum + n, 0);
  const imbalanceRatio = present.length === 0 ? 0 : round(Math.max(...present) / Math.min(...present));
  let entropy = 0;
  for (const n of present) entropy -= (n / total) * Math.log(n / total);
  const normalizedEntropy =
    present.length <= 1 ? (present.length === 1 ? 1 : 0) : round(entropy / Math.log(present.length));
  return { distribution, imbalanceRatio, normalizedEntropy };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
