// `rescore(runDir, { scorers })`: recomputes metrics.json, results.csv and report.html of an
// existing eval run from its results.jsonl with other scorers, asking no endpoint. Results are
// put back in the run's order (endpoints as in metrics.json, examples by line) so EM/F1 and
// their bootstrap intervals come out as the run computed them. Rescored results are appended to
// results.jsonl (last line per key wins), as a rerun of eval does. Memory: one result per key.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PhikitError } from '../core/errors.js';
import type { EvalResult, PerplexityKind } from '../core/eval-types.js';
import { OutputDir } from '../io/out-dir.js';
import { summarizeResults } from '../metrics/summary.js';
import { ResultsStore } from './results-store.js';
import { writeRunOutputs, withCurrentScorers, type EvalRunMetrics } from './run.js';
import { loadScorers } from './scorer-load.js';

export interface RescoreOptions {
  /** As `evaluate`'s `scorers`; none leaves EM/F1/accuracy and perplexity only. */
  scorers?: string[];
  /** Shown in the report as the examples' source (default: the run's results.jsonl). */
  examplesPath?: string;
}

export interface RescoreResult {
  outDir: string;
  metrics: EvalRunMetrics;
  /** Results whose scorer scores changed (appended to results.jsonl). */
  rescored: number;
}

export async function rescore(runDir: string, options: RescoreOptions = {}): Promise<RescoreResult> {
  const dir = resolve(runDir);
  const previousMetrics = await readRunMetrics(dir);
  const scorers = await loadScorers(options.scorers);
  const folder = await OutputDir.open(dir, 'rescore');
  try {
    const store = await ResultsStore.open(join(dir, 'results.jsonl'));
    let rescored = 0;
    const ordered: EvalResult[] = [];
    try {
      for (const result of runOrder(store.previous, previousMetrics)) {
        const current = await withCurrentScorers(result, scorers);
        if (current !== result) {
          await store.append(current);
          rescored++;
        }
        ordered.push(current);
      }
    } finally {
      await store.close();
    }
    const perplexityKinds: Record<string, PerplexityKind> = Object.fromEntries(
      previousMetrics.endpoints.map((e) => [e.endpoint, e.perplexityKind]),
    );
    const { scorers: _previousScorers, ...kept } = previousMetrics;
    const metrics: EvalRunMetrics = {
      ...kept,
      ...summarizeResults(ordered, { seed: previousMetrics.seed, perplexityKinds, scorers }),
    };
    const examplesPath = options.examplesPath ?? join(dir, 'results.jsonl');
    await writeRunOutputs(dir, metrics, ordered, { examplesPath, scorers });
    return { outDir: dir, metrics, rescored };
  } finally {
    await folder.release();
  }
}

async function readRunMetrics(dir: string): Promise<EvalRunMetrics> {
  try {
    return JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as EvalRunMetrics;
  } catch (error) {
    throw new PhikitError(
      'INPUT_NOT_FOUND',
      `no readable metrics.json in ${dir} (${(error as Error).message.split('\n')[0]})`,
      'give the --out folder of a finished `phikit eval` run',
    );
  }
}

/** The run's results in its order; of several results for one endpoint and line, the last written. */
function runOrder(results: ReadonlyMap<string, EvalResult>, metrics: EvalRunMetrics): EvalResult[] {
  const endpoints = metrics.endpoints.map((e) => e.endpoint);
  const latest = new Map<string, EvalResult>();
  for (const result of results.values())
    if (endpoints.includes(result.endpoint)) latest.set(`${result.endpoint}\n${result.line}`, result);
  return [...latest.values()].sort(
    (a, b) => endpoints.indexOf(a.endpoint) - endpoints.indexOf(b.endpoint) || a.line - b.line,
  );
}
