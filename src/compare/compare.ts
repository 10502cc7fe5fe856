// `compare`: models evaluated on the same examples, paired by example id. Per metric the paired
// difference with a bootstrap 95% CI and p-value, McNemar's exact test for exact match,
// win/tie/loss on F1, and the examples where the models disagree most. Results files are only
// read (never truncated); damaged lines are skipped and reported, error messages redacted again
// (runs written before redaction existed may hold a key).
import { access, constants, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PhikitError } from '../core/errors.js';
import { checkNumericOptions, EVAL_DEFAULTS } from '../eval/limits.js';
import { redactSecrets } from '../eval/redact.js';
import type { DamagedLine, EvalResult } from '../core/eval-types.js';
import { readResultsFile, type ResultsFile } from '../eval/results-store.js';
import { writeFileAtomic } from '../io/atomic-writer.js';
import { OutputDir } from '../io/out-dir.js';
import { mcnemarExact, pairedBootstrap } from '../metrics/stats.js';
import { summarizeResults } from '../metrics/summary.js';
import type { Comparison, Disagreement, PairwiseComparison } from '../report/comparison.js';
import { renderCompareReport } from '../report/compare-report.js';
import { runGate, type GateOptions } from './gate.js';
import { judgePairs, type PairwiseJudgeOptions } from './pairwise-judge.js';

export interface CompareOptions {
  out: string;
  seed?: number;
  /** Run the regression gate (with `gate`'s settings, or f1, minDelta 0, overall only). */
  failOnRegression?: boolean;
  gate?: GateOptions;
  /** Pairwise LLM judge: which answer is better, asked in both orders (judgments.jsonl in `out`). */
  judge?: PairwiseJudgeOptions;
}

export interface RunResults {
  results: EvalResult[];
  damagedLines: DamagedLine[];
}

/** Reads the results of one or more `phikit eval` output folders. */
export async function readRuns(runDirs: readonly string[]): Promise<RunResults> {
  const results: EvalResult[] = [];
  const damagedLines: DamagedLine[] = [];
  const seen = new Map<string, string>();
  for (const dir of runDirs) {
    let file: ResultsFile;
    try {
      await access(join(dir, 'results.jsonl'), constants.R_OK);
      file = await readResultsFile(join(dir, 'results.jsonl'));
    } catch {
      throw new PhikitError(
        'INPUT_NOT_FOUND',
        `no readable results.jsonl in ${dir}`,
        'pass the --out folders of `phikit eval` runs',
      );
    }
    damagedLines.push(...file.damaged);
    for (const result of inRunOrder([...file.results.values()], await endpointsOfRun(dir))) {
      const owner = seen.get(result.endpoint);
      if (owner !== undefined && owner !== dir) {
        throw new PhikitError(
          'CONFIG_INVALID',
          `endpoint name "${result.endpoint}" appears in both ${owner} and ${dir}`,
          'give the endpoints different NAMEs when you run phikit eval',
        );
      }
      seen.set(result.endpoint, dir);
      if (result.error) result.error.message = redactSecrets(result.error.message);
      results.push(result);
    }
  }
  return { results, damagedLines };
}

/** The endpoints of a finished run in the order they were given (metrics.json); none when it did not finish. */
async function endpointsOfRun(dir: string): Promise<string[]> {
  try {
    const metrics = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as {
      endpoints?: Array<{ endpoint?: unknown }>;
    };
    return (metrics.endpoints ?? [])
      .map((e) => e.endpoint)
      .filter((name): name is string => typeof name === 'string');
  } catch {
    return [];
  }
}

/**
 * Results as the run ordered its outputs: endpoints as given (others after them, by name), then
 * examples by line. results.jsonl holds them in the order answers arrived, which differs from run
 * to run, and the first endpoint is the baseline: the comparison must not depend on it.
 */
function inRunOrder(results: EvalResult[], endpoints: readonly string[]): EvalResult[] {
  const rank = (name: string) => {
    const index = endpoints.indexOf(name);
    return index === -1 ? endpoints.length : index;
  };
  return results.sort(
    (a, b) =>
      rank(a.endpoint) - rank(b.endpoint) ||
      (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0) ||
      a.line - b.line ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

export function compareResults(
  results: readonly EvalResult[],
  options: { seed: number; damagedLines?: DamagedLine[]; failOnRegression?: boolean; gate?: GateOptions },
): Comparison {
  checkNumericOptions('compare', { seed: options.seed });
  const models = [...new Set(results.map((r) => r.endpoint))];
  if (models.length < 2) {
    throw new PhikitError(
      'USAGE',
      `compare needs at least two models (found ${models.length})`,
      'pass two eval folders, or one evaluated with two --endpoint',
    );
  }
  const byModel = new Map(
    models.map((model) => [
      model,
      new Map(results.filter((r) => r.endpoint === model).map((r) => [r.id, r])),
    ]),
  );
  const pairs = models.slice(1).map((candidate) => comparePair(models[0]!, candidate, byModel, options.seed));
  const ids = [...byModel.get(models[0]!)!.keys()];
  const examples = ids.map((id): Disagreement => {
    const first = byModel.get(models[0]!)!.get(id)!;
    const answers: Disagreement['answers'] = {};
    const f1s: number[] = [];
    for (const model of models) {
      const result = byModel.get(model)!.get(id);
      answers[model] = {
        prediction: result?.prediction ?? null,
        f1: result?.scores?.f1 ?? null,
        error: result?.error ? `${result.error.kind}: ${result.error.message}` : null,
      };
      if (result?.scores) f1s.push(result.scores.f1);
    }
    const spread = f1s.length > 1 ? Math.max(...f1s) - Math.min(...f1s) : 0;
    return { id, line: first.line, scenario: first.scenario, reference: first.reference, answers, spread };
  });
  examples.sort((a, b) => b.spread - a.spread || a.line - b.line);
  const gated = options.failOnRegression === true || options.gate !== undefined;
  const gate = gated
    ? runGate(
        models.slice(1).map((candidate) => ({
          baseline: models[0]!,
          candidate,
          paired: pairedScores(byModel.get(models[0]!)!, byModel.get(candidate)!),
        })),
        options.gate ?? {},
        options.seed,
      )
    : undefined;
  return {
    models,
    metrics: summarizeResults(results, { seed: options.seed }),
    pairs,
    examples,
    damagedLines: options.damagedLines ?? [],
    ...(gate ? { gate } : {}),
  };
}

/** Baseline and candidate results of the examples both models answered, in the baseline's order. */
function pairedScores(
  baseline: Map<string, EvalResult>,
  candidate: Map<string, EvalResult>,
): Array<readonly [EvalResult, EvalResult]> {
  return [...baseline.values()]
    .filter((r) => r.scores && candidate.get(r.id)?.scores)
    .map((r) => [r, candidate.get(r.id)!] as const);
}

function comparePair(
  baseline: string,
  candidate: string,
  byModel: Map<string, Map<string, EvalResult>>,
  seed: number,
): PairwiseComparison {
  const paired = pairedScores(byModel.get(baseline)!, byModel.get(candidate)!);
  const metric = (rows: typeof paired, key: 'em' | 'f1' | 'accuracy') =>
    pairedBootstrap(
      rows.map(([x]) => x.scores![key]),
      rows.map(([, y]) => y.scores![key]),
      { seed },
    );
  let onlyBaselineRight = 0;
  let onlyCandidateRight = 0;
  let wins = 0;
  let ties = 0;
  let losses = 0;
  for (const [x, y] of paired) {
    if (x.scores!.em > y.scores!.em) onlyBaselineRight++;
    if (y.scores!.em > x.scores!.em) onlyCandidateRight++;
    if (y.scores!.f1 > x.scores!.f1) wins++;
    else if (y.scores!.f1 < x.scores!.f1) losses++;
    else ties++;
  }
  const perScenario: PairwiseComparison['perScenario'] = {};
  for (const scenario of [...new Set(paired.map(([x]) => x.scenario))].sort()) {
    const rows = paired.filter(([x]) => x.scenario === scenario);
    perScenario[scenario] = { n: rows.length, f1: metric(rows, 'f1') };
  }
  return {
    baseline,
    candidate,
    n: paired.length,
    em: metric(paired, 'em'),
    f1: metric(paired, 'f1'),
    accuracy: metric(paired, 'accuracy'),
    mcnemar: {
      onlyBaselineRight,
      onlyCandidateRight,
      pValue: mcnemarExact(onlyBaselineRight, onlyCandidateRight),
    },
    wins,
    ties,
    losses,
    perScenario,
  };
}

/** Reads the runs, compares them, and writes comparison.json and compare.html to `out`. */
export async function compare(runDirs: readonly string[], options: CompareOptions): Promise<Comparison> {
  checkNumericOptions('compare', { seed: options.seed });
  const { results, damagedLines } = await readRuns(runDirs);
  const comparison = compareResults(results, {
    seed: seedOf(options),
    damagedLines,
    failOnRegression: options.failOnRegression,
    gate: options.gate,
  });
  const folder = await OutputDir.open(resolve(options.out), 'compare');
  try {
    if (options.judge)
      comparison.judge = await judgePairs(
        folder.dir,
        results,
        comparison.models,
        options.judge,
        seedOf(options),
      );
    await writeFileAtomic(join(folder.dir, 'comparison.json'), `${JSON.stringify(comparison, null, 2)}\n`);
    await writeFileAtomic(join(folder.dir, 'compare.html'), await renderCompareReport(comparison));
  } finally {
    await folder.release();
  }
  return comparison;
}

function seedOf(options: CompareOptions): number {
  return options.seed ?? EVAL_DEFAULTS.seed;
}
