// The judge's scores in metrics.json: per endpoint, overall and per scenario, the mean score on
// 0-100 with a seeded bootstrap interval, unparseable and failed judge answers counted apart, and
// Spearman's rank correlation with F1 over the examples, so a reader sees where the two disagree.
import { bootstrapMean, type Interval } from './stats.js';

export const JUDGE_SCALE =
  'the judge gives 1-5; reported on 0-100 as (score - 1) × 25, so 1 → 0 and 5 → 100, like EM and F1';

/** One judged answer: the judge's 1-5 score, or why there is none. */
export interface JudgedAnswer {
  endpoint: string;
  scenario: string;
  f1: number | null;
  score: number | null;
  outcome: 'scored' | 'unparseable' | 'error';
}

export interface JudgeGroup {
  /** Answers sent to the judge. */
  n: number;
  scored: number;
  /** Judge answers without a final `Score: N` line: counted, not guessed. */
  unparseable: number;
  /** Judge calls that failed after every retry. */
  errors: number;
  /** Mean judge score, 0-100, with its 95% bootstrap interval. */
  score: Interval;
  /** Spearman's rank correlation of judge score and F1 (null with fewer than 3 examples or no spread). */
  spearmanF1: { rho: number | null; n: number };
}

export interface JudgeEndpointSummary {
  endpoint: string;
  overall: JudgeGroup;
  scenarios: Record<string, JudgeGroup>;
}

export interface JudgeSummary {
  judge: string;
  location: string;
  model: string;
  /** `builtin:correctness` or the rubric file's path. */
  rubric: string;
  rubricHash: string;
  scale: string;
  /** Judge calls made in this run and answers taken from judgments.jsonl. */
  asked: number;
  fromCache: number;
  unparseable: number;
  errors: number;
  endpoints: JudgeEndpointSummary[];
}

export type JudgeIdentity = Pick<
  JudgeSummary,
  'judge' | 'location' | 'model' | 'rubric' | 'rubricHash' | 'asked' | 'fromCache'
>;

export function summarizeJudgments(
  identity: JudgeIdentity,
  answers: readonly JudgedAnswer[],
  seed: number,
): JudgeSummary {
  const endpoints = [...new Set(answers.map((a) => a.endpoint))].map((endpoint): JudgeEndpointSummary => {
    const own = answers.filter((a) => a.endpoint === endpoint);
    const scenarios: Record<string, JudgeGroup> = {};
    for (const scenario of [...new Set(own.map((a) => a.scenario))].sort())
      scenarios[scenario] = judgeGroup(
        own.filter((a) => a.scenario === scenario),
        seed,
      );
    return { endpoint, overall: judgeGroup(own, seed), scenarios };
  });
  return {
    ...identity,
    scale: JUDGE_SCALE,
    unparseable: answers.filter((a) => a.outcome === 'unparseable').length,
    errors: answers.filter((a) => a.outcome === 'error').length,
    endpoints,
  };
}

function judgeGroup(answers: readonly JudgedAnswer[], seed: number): JudgeGroup {
  const scored = answers.filter((a) => a.score !== null);
  const withF1 = scored.filter((a) => a.f1 !== null);
  return {
    n: answers.length,
    scored: scored.length,
    unparseable: answers.filter((a) => a.outcome === 'unparseable').length,
    errors: answers.filter((a) => a.outcome === 'error').length,
    score: bootstrapMean(
      scored.map((a) => ((a.score! - 1) / 4) * 100),
      { seed },
    ),
    spearmanF1: {
      rho: spearman(
        withF1.map((a) => a.score!),
        withF1.map((a) => a.f1!),
      ),
      n: withF1.length,
    },
  };
}

/** Spearman's rho: Pearson correlation of average ranks (ties share their mean rank). */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  if (x.length < 3 || x.length !== y.length) return null;
  return pearson(averageRanks(x), averageRanks(y));
}

function averageRanks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end++;
    const rank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) ranks[order[i]!.index] = rank;
    start = end + 1;
  }
  return ranks;
}

function pearson(x: readonly number[], y: readonly number[]): number | null {
  const mean = (v: readonly number[]) => v.reduce((s, a) => s + a, 0) / v.length;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  // A constant side (e.g. every answer scored 5) has no ranking to agree with.
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}
