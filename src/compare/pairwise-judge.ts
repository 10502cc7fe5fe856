// `compare --judge NAME=URL`: for each example both models answered, the judge picks the better
// answer twice, with the positions swapped, to cancel position bias: a win or loss only when both
// orders agree, else a tie. Calls go through the eval retry policy and rate limiter and are cached
// in the compare folder's judgments.jsonl, so a rerun asks nothing again.
import type { EvalResult } from '../core/eval-types.js';
import { askJudge, JudgmentCache, openJudge, referenceText, type JudgeOptions } from '../eval/judge.js';
import { EVAL_DEFAULTS } from '../eval/limits.js';
import { runPool } from '../eval/pool.js';
import { DEFAULT_RETRY, RateLimiter, type RetryPolicy } from '../eval/retry.js';
import { mcnemarExact, seededRandom } from '../metrics/stats.js';
import type { JudgePairResult, PairwiseJudgeSummary, PairwiseVerdict } from '../report/comparison.js';

export interface PairwiseJudgeOptions extends JudgeOptions {
  concurrency?: number;
  rpm?: number;
  timeoutMs?: number;
  retries?: number;
  retryBaseDelayMs?: number;
  fetch?: typeof fetch;
}

export const PAIRWISE_RULE =
  'each paired example is judged twice, answers swapped between positions A and B; a win (or loss) only when both orders prefer the same model, a tie otherwise; examples with an unparseable or failed judge answer are counted apart; p-value: two-sided exact sign test on wins vs losses';

const PAIRWISE_TEMPLATE = `You are comparing two answers to the same question. Judge which answer is more correct and more consistent with the reference answer(s); wording may differ.

Reference answer(s):
{{reference}}

Answer A:
{{a}}

Answer B:
{{b}}

Explain briefly, then end with a final line of exactly one of these forms: Winner: A / Winner: B / Winner: tie
`;

type Preference = 'A' | 'B' | 'tie';

/** The preference on the judge's last non-empty line, or null when it has none. */
export function parsePreference(text: string): Preference | null {
  const lastLine = text.trimEnd().split('\n').at(-1) ?? '';
  const match = /^[\s*_#>]*winner[\s*_]*:[\s*_]*(a|b|tie)[\s*_.]*$/i.exec(lastLine);
  if (!match) return null;
  const choice = match[1]!.toLowerCase();
  return choice === 'tie' ? 'tie' : choice === 'a' ? 'A' : 'B';
}

function pairwisePrompt(reference: string, a: string, b: string): string {
  const values: Record<string, string> = { reference, a, b };
  return PAIRWISE_TEMPLATE.replace(/\{\{(reference|a|b)\}\}/g, (_, name: string) => values[name]!);
}

interface Context {
  cache: JudgmentCache;
  call: Parameters<typeof askJudge>[4];
  judge: Awaited<ReturnType<typeof openJudge>>;
  counts: { asked: number; fromCache: number };
}

/** Which model the judge preferred in one order, or why there is no preference. */
async function preferenceOf(
  context: Context,
  reference: string,
  first: EvalResult,
  second: EvalResult,
): Promise<'first' | 'second' | 'tie' | 'unparseable' | 'error'> {
  const prompt = pairwisePrompt(reference, first.prediction!, second.prediction!);
  const { record, fromCache } = await askJudge(
    context.judge,
    prompt,
    'pairwise',
    context.cache,
    context.call,
  );
  if (fromCache) context.counts.fromCache++;
  else context.counts.asked++;
  if (record.text === null) return 'error';
  const preference = parsePreference(record.text);
  if (preference === null) return 'unparseable';
  return preference === 'tie' ? 'tie' : preference === 'A' ? 'first' : 'second';
}

async function verdictOf(
  context: Context,
  baseline: EvalResult,
  candidate: EvalResult,
): Promise<PairwiseVerdict> {
  const reference = referenceText(baseline);
  const forward = await preferenceOf(context, reference, baseline, candidate);
  const swapped = await preferenceOf(context, reference, candidate, baseline);
  const orders = [forward, swapped === 'first' ? 'second' : swapped === 'second' ? 'first' : swapped];
  if (orders.includes('error')) return 'error';
  if (orders.includes('unparseable')) return 'unparseable';
  if (orders[0] === orders[1] && orders[0] !== 'tie') return orders[0] === 'second' ? 'win' : 'loss';
  return 'tie';
}

async function judgePair(
  context: Context,
  baseline: string,
  candidate: string,
  byModel: Map<string, Map<string, EvalResult>>,
  concurrency: number,
): Promise<JudgePairResult> {
  const candidates = byModel.get(candidate)!;
  const answered = (r: EvalResult | undefined) =>
    r !== undefined && r.prediction !== null && r.error === null;
  const paired = [...byModel.get(baseline)!.values()].filter(
    (r) => answered(r) && answered(candidates.get(r.id)),
  );
  const verdicts: JudgePairResult['verdicts'] = new Array(paired.length);
  await runPool([...paired.keys()], concurrency, async (index) => {
    const result = paired[index]!;
    const verdict = await verdictOf(context, result, candidates.get(result.id)!);
    verdicts[index] = { id: result.id, line: result.line, scenario: result.scenario, verdict };
  });
  const count = (verdict: PairwiseVerdict) => verdicts.filter((v) => v.verdict === verdict).length;
  return {
    baseline,
    candidate,
    n: paired.length,
    wins: count('win'),
    ties: count('tie'),
    losses: count('loss'),
    unparseable: count('unparseable'),
    errors: count('error'),
    signTestPValue: mcnemarExact(count('win'), count('loss')),
    verdicts,
  };
}

/** Judges every candidate against the first model; judgments are cached in `outDir`. */
export async function judgePairs(
  outDir: string,
  results: readonly EvalResult[],
  models: readonly string[],
  options: PairwiseJudgeOptions,
  seed: number,
): Promise<PairwiseJudgeSummary> {
  const byModel = new Map(
    models.map((model) => [
      model,
      new Map(results.filter((r) => r.endpoint === model).map((r) => [r.id, r])),
    ]),
  );
  const policy: RetryPolicy = {
    retries: options.retries ?? DEFAULT_RETRY.retries,
    baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: DEFAULT_RETRY.maxDelayMs,
    random: seededRandom(seed),
  };
  const judge = await openJudge(options, { timeoutMs: options.timeoutMs, fetch: options.fetch });
  const cache = await JudgmentCache.open(outDir);
  const concurrency = options.concurrency ?? EVAL_DEFAULTS.concurrency;
  const secrets = options.apiKey ? [options.apiKey] : [];
  const context: Context = {
    cache,
    judge,
    call: { policy, limiter: new RateLimiter(options.rpm), concurrency, secrets },
    counts: { asked: 0, fromCache: 0 },
  };
  try {
    const pairs: JudgePairResult[] = [];
    for (const candidate of models.slice(1))
      pairs.push(await judgePair(context, models[0]!, candidate, byModel, concurrency));
    return {
      judge: judge.name,
      location: judge.location,
      model: judge.model,
      ...context.counts,
      rule: PAIRWISE_RULE,
      pairs,
    };
  } finally {
    await cache.close();
    await judge.close?.();
  }
}
