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
  /** The regression gate, when asked for (failOnRegression or gate options). */
  gate?: GateResult;
  /** Pairwise LLM-judge preferences, when asked for (`compare --judge`). */
  judge?: PairwiseJudgeSummary;
}

export const GATE_METRICS = ['f1', 'em', 'accuracy'] as const;
export type GateMetric = (typeof GATE_METRICS)[number];

export interface GateOptions {
  /** Default ['f1']. */
  metrics?: GateMetric[];
  /** Largest drop tolerated, in points (0-100 scale); default 0. */
  minDelta?: number;
  /** Also test each scenario, Holm-corrected over scenarios; default false. */
  perScenario?: boolean;
}

export interface GateCheck {
  baseline: string;
  candidate: string;
  metric: GateMetric;
  /** null: all paired examples. */
  scenario: string | null;
  n: number;
  /** Mean of candidate − baseline, points, with its 95% paired bootstrap interval. */
  value: number;
  low: number;
  high: number;
  /** Paired bootstrap p-value for "the difference is −minDelta" (NaN when not tested). */
  pValue: number;
  /** Holm-adjusted over the pair's scenarios for this metric; null on the overall check. */
  adjustedPValue: number | null;
  verdict: 'regression' | 'no_regression' | 'too_few_examples';
  /** One line for people, e.g. `regression: f1 -7.9 points [-12.1, -3.6] (n=120 paired examples) below -0.0`. */
  message: string;
}

export interface GateResult {
  passed: boolean;
  metrics: GateMetric[];
  minDelta: number;
  perScenario: boolean;
  /** How a check is decided, for readers of comparison.json. */
  rule: string;
  /** Per candidate and metric: the overall check, then (with perScenario) one per scenario by name. */
  checks: GateCheck[];
}

/** One paired example judged in both orders: a win or loss only when both orders agree. */
export type PairwiseVerdict = 'win' | 'tie' | 'loss' | 'unparseable' | 'error';

export interface JudgePairResult {
  baseline: string;
  candidate: string;
  /** Paired examples both models answered, sent to the judge twice (positions swapped). */
  n: number;
  /** From the candidate's side. */
  wins: number;
  ties: number;
  losses: number;
  /** Either order's judge answer had no final `Winner: A|B|tie` line. */
  unparseable: number;
  /** Either order's judge call failed after every retry. */
  errors: number;
  /** Two-sided exact sign test on wins vs losses (ties left out). */
  signTestPValue: number;
  verdicts: Array<{ id: string; line: number; scenario: string; verdict: PairwiseVerdict }>;
}

/** `compare --judge`: an LLM judge's pairwise preferences (comparison.json `judge`). */
export interface PairwiseJudgeSummary {
  judge: string;
  location: string;
  model: string;
  /** Judge calls made in this run and answers taken from judgments.jsonl. */
  asked: number;
  fromCache: number;
  rule: string;
  pairs: JudgePairResult[];
}
