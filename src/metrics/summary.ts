// metrics.json: every metric per endpoint, overall and per scenario, with n and a seeded 95%
// bootstrap interval. Failed requests are counted apart and left out of the scores.
import type { EvalResult, PerplexityKind } from '../core/eval-types.js';
import { classificationSummary, type ClassificationSummary } from './classification.js';
import type { LabelDetail, Scorer } from './scorers.js';
import { bootstrap, bootstrapMean, type Interval } from './stats.js';

/** What the summary needs of a run's scorers. */
export type ScorerInfo = Pick<Scorer, 'name' | 'definition' | 'labels'>;

export const METRIC_DEFINITIONS = {
  em: 'exact match (SQuAD v1.1 normalization: lowercase, no ASCII punctuation, no articles a/an/the, whitespace squeezed), max over references (the final assistant message and the example\'s "references"), 0-100, mean over answered examples',
  f1: 'token F1 after the same normalization, max over references, 0-100, averaged over answered examples (not pooled)',
  accuracy:
    "normalized exact match of the prediction's first non-empty line (for label-style tasks), max over references, 0-100",
  perplexity:
    'token-weighted corpus perplexity exp(-Σ log p / Σ tokens); "reference": teacher-forced on the final assistant message; "own-output": over the tokens the model generated; bits per byte = -Σ log2 p / Σ UTF-8 bytes; notScored: answered examples whose reference the endpoint could not score (e.g. longer than its context), left out of perplexity only',
  interval: '95% percentile bootstrap over examples (1,000 resamples, seeded)',
} as const;

export interface PerplexitySummary {
  kind: PerplexityKind;
  /** Examples with logprob data. */
  n: number;
  /** Answered examples whose reference the endpoint could not score (e.g. longer than its context). */
  notScored: number;
  tokens: number;
  value: number | null;
  low: number | null;
  high: number | null;
  bitsPerByte: number | null;
}

export interface GroupMetrics {
  /** Examples asked. */
  n: number;
  answered: number;
  errors: number;
  em: Interval;
  f1: Interval;
  accuracy: Interval;
  perplexity: PerplexitySummary;
  /** Per `--scorer` (by name): mean score 0-100 over answered examples, with interval; present when scorers were asked. */
  scorers?: Record<string, Interval>;
  /** Per label scorer: accuracy, per-label precision/recall/F1, macro-F1, confusion matrix. */
  classification?: Record<string, ClassificationSummary>;
}

export interface EndpointMetrics {
  endpoint: string;
  model: string;
  perplexityKind: PerplexityKind;
  overall: GroupMetrics;
  scenarios: Record<string, GroupMetrics>;
  errorsByKind: Record<string, number>;
  latencyMs: { p50: number; p95: number };
}

export interface EvalMetrics {
  seed: number;
  definitions: typeof METRIC_DEFINITIONS;
  /** The run's `--scorer`s and what each computes; present when some were asked. */
  scorers?: Record<string, string>;
  endpoints: EndpointMetrics[];
}

export function summarizeResults(
  results: readonly EvalResult[],
  options: {
    seed: number;
    perplexityKinds?: Record<string, PerplexityKind>;
    scorers?: readonly ScorerInfo[];
  },
): EvalMetrics {
  const scorers = options.scorers ?? [];
  const byEndpoint = new Map<string, EvalResult[]>();
  for (const result of results) {
    const list = byEndpoint.get(result.endpoint) ?? [];
    list.push(result);
    byEndpoint.set(result.endpoint, list);
  }
  const endpoints = [...byEndpoint.entries()].map(([endpoint, list]): EndpointMetrics => {
    const kind =
      options.perplexityKinds?.[endpoint] ?? list.find((r) => r.logprobs)?.logprobs?.kind ?? 'none';
    const scenarios: Record<string, GroupMetrics> = {};
    for (const scenario of [...new Set(list.map((r) => r.scenario))].sort()) {
      scenarios[scenario] = groupMetrics(
        list.filter((r) => r.scenario === scenario),
        kind,
        options.seed,
        scorers,
      );
    }
    const errorsByKind: Record<string, number> = {};
    for (const result of list)
      if (result.error) errorsByKind[result.error.kind] = (errorsByKind[result.error.kind] ?? 0) + 1;
    const latencies = list
      .filter((r) => !r.error)
      .map((r) => r.latencyMs)
      .sort((a, b) => a - b);
    const at = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
    return {
      endpoint,
      model: list[0]?.model ?? '',
      perplexityKind: kind,
      overall: groupMetrics(list, kind, options.seed, scorers),
      scenarios,
      errorsByKind,
      latencyMs: { p50: at(0.5), p95: at(0.95) },
    };
  });
  const definitions =
    scorers.length > 0 ? { scorers: Object.fromEntries(scorers.map((s) => [s.name, s.definition])) } : {};
  return { seed: options.seed, definitions: METRIC_DEFINITIONS, ...definitions, endpoints };
}

function groupMetrics(
  results: readonly EvalResult[],
  kind: PerplexityKind,
  seed: number,
  scorers: readonly ScorerInfo[],
): GroupMetrics {
  const answered = results.filter((r) => r.scores !== null);
  const metric = (key: 'em' | 'f1' | 'accuracy') =>
    bootstrapMean(
      answered.map((r) => r.scores![key]),
      { seed },
    );
  return {
    n: results.length,
    answered: answered.length,
    errors: results.length - answered.length,
    em: metric('em'),
    f1: metric('f1'),
    accuracy: metric('accuracy'),
    perplexity: perplexityOf(results, kind, seed),
    ...scorerMetrics(answered, scorers, seed),
  };
}

/** Each scorer's mean with interval, and the label scorers' classification figures. */
function scorerMetrics(
  answered: readonly EvalResult[],
  scorers: readonly ScorerInfo[],
  seed: number,
): Pick<GroupMetrics, 'scorers' | 'classification'> {
  if (scorers.length === 0) return {};
  const means: Record<string, Interval> = {};
  const classification: Record<string, ClassificationSummary> = {};
  for (const scorer of scorers) {
    const outcomes = answered.flatMap((r) => {
      const outcome = r.scorers?.[scorer.name];
      return outcome ? [outcome] : [];
    });
    means[scorer.name] = bootstrapMean(
      outcomes.map((o) => o.score),
      { seed },
    );
    if (scorer.labels)
      classification[scorer.name] = classificationSummary(
        outcomes.map((o) => o.detail as LabelDetail),
        scorer.labels,
        seed,
      );
  }
  return { scorers: means, ...(Object.keys(classification).length > 0 ? { classification } : {}) };
}

function perplexityOf(results: readonly EvalResult[], kind: PerplexityKind, seed: number): PerplexitySummary {
  const scored = results.filter((r) => r.logprobs && r.logprobs.tokens > 0).map((r) => r.logprobs!);
  const tokens = scored.reduce((sum, l) => sum + l.tokens, 0);
  const notScored = results.filter((r) => r.perplexityNotScored).length;
  if (kind === 'none' || scored.length === 0) {
    return { kind, n: 0, notScored, tokens: 0, value: null, low: null, high: null, bitsPerByte: null };
  }
  const corpus = (indexes: ArrayLike<number>) => {
    let logp = 0;
    let count = 0;
    for (let i = 0; i < indexes.length; i++) {
      const entry = scored[indexes[i]!]!;
      logp += entry.sumLogprob;
      count += entry.tokens;
    }
    return Math.exp(-logp / count);
  };
  const interval = bootstrap(scored.length, corpus, { seed });
  const sumLogprob = scored.reduce((sum, l) => sum + l.sumLogprob, 0);
  const bytes = scored.reduce((sum, l) => sum + l.bytes, 0);
  return {
    kind,
    n: scored.length,
    notScored,
    tokens,
    value: interval.value,
    low: interval.low,
    high: interval.high,
    bitsPerByte: bytes > 0 ? -sumLogprob / Math.LN2 / bytes : null,
  };
}
