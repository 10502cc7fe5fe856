// What `compare` produces (comparison.json) and compare.html renders. It lives here, in the lowest
// tier that reads it, so the report does not import compare/ (which imports the report).
import type { DamagedLine } from '../core/eval-types.js';
import type { PairedComparison } from '../metrics/stats.js';
import type { EvalMetrics } from '../metrics/summary.js';

export interface PairwiseComparison {
  baseline: string;
  candidate: string;
  /** Examples both models answered. */
  n: number;
  /** candidate - baseline, 0-100 points. */
  em: PairedComparison;
  f1: PairedComparison;
  accuracy: PairedComparison;
  mcnemar: { onlyBaselineRight: number; onlyCandidateRight: number; pValue: number };
  /** On F1, from the candidate's side. */
  wins: number;
  ties: number;
  losses: number;
  perScenario: Record<string, { n: number; f1: PairedComparison }>;
}

export interface Disagreement {
  id: string;
  line: number;
  scenario: string;
  reference: string;
  answers: Record<string, { prediction: string | null; f1: number | null; error: string | null }>;
  /** Largest F1 gap between any two models. */
  spread: number;
}

export interface Comparison {
  models: string[];
  metrics: EvalMetrics;
  pairs: PairwiseComparison[];
  /** Every example with every model's answer, largest disagreement first. */
  examples: Disagreement[];
  /** results.jsonl lines skipped because they are not results. */
  damagedLines: DamagedLine[];
}
