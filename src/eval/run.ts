// `evaluate`: asks each endpoint every held-out example, scores the answers, and writes
// results.jsonl (appended as answers arrive: the resume cache), metrics.json, results.csv and
// report.html. Memory: the examples and one result per example and endpoint (answers capped at
// maxAnswerBytes). The API key is redacted from every error recorded or thrown (redact.ts).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PhikitError } from '../core/errors.js';
import { writeFileAtomic } from '../io/atomic-writer.js';
import { OutputDir } from '../io/out-dir.js';
import { checkOutputSet, isPrepOutputFolder } from '../io/output-check.js';
import { scoredExample, scoreWith, type Scorer } from '../metrics/scorers.js';
import { scorePrediction } from '../metrics/squad.js';
import { seededRandom } from '../metrics/stats.js';
import { summarizeJudgments, type JudgeSummary } from '../metrics/judge-summary.js';
import { summarizeResults, type EvalMetrics } from '../metrics/summary.js';
import type { FormatOption } from '../pipeline/read.js';
import { renderEvalReport } from '../report/eval-report.js';
import type { ScenarioRulesFile } from '../stages/scenario.js';
import type { ChatRequest, Endpoint, EndpointProvider, EndpointSpec } from '../core/endpoint.js';
import { createEndpoint } from './endpoint.js';
import { loadExamples, type EvalWarning, type LoadedExamples } from './examples.js';
import { judgeAnswers, judgedAnswers, type JudgeOptions } from './judge.js';
import { checkNumericOptions, DEFAULT_MAX_ANSWER_BYTES, EVAL_DEFAULTS } from './limits.js';
import { hasControlCharacter, redactSecrets } from './redact.js';
import { ResultsStore } from './results-store.js';
import { DEFAULT_RETRY, RateLimiter, withRetries, type RetryPolicy } from './retry.js';
import { resultsCsv } from './results-csv.js';
import { runPool } from './pool.js';
import { loadScorers } from './scorer-load.js';
import { capAnswer } from './answer-cap.js';
import { readPredictions, type PredictionsMatch } from './predictions.js';
import type {
  DamagedLine,
  EvalExample,
  EvalResult,
  LogprobData,
  PerplexityKind,
} from '../core/eval-types.js';

export interface EvaluateOptions {
  out: string;
  endpoints: EndpointSpec[];
  /** Model (or Azure deployment) sent to endpoints that don't name their own. */
  model?: string;
  /** Read by the caller from the environment variable the user named; never written anywhere. */
  apiKey?: string;
  apiVersion?: string;
  /** `azure-ai-inference` for Azure serverless endpoints behind a proxy or custom domain. */
  provider?: EndpointProvider;
  /** Merge system messages into the first user message, as serverless Phi deployments do. */
  systemAsUser?: boolean;
  /** Tokenizer/chat template for rendering prompts when scoring reference perplexity (default phi-3). */
  chatTemplate?: string;
  temperature?: number;
  maxTokens?: number;
  concurrency?: number;
  rpm?: number;
  timeoutMs?: number;
  retries?: number;
  retryBaseDelayMs?: number;
  scenarioField?: string;
  /** Scenario from the system prompt (as `prep --scenario-by system`). */
  scenarioBy?: 'system';
  /** Scenario from ordered regex rules on the first user message: a rules.json path or its content. */
  scenarioRules?: string | ScenarioRulesFile;
  /** prep's index.jsonl: scenarios of the evaluated file's rows (matched by its basename). */
  labels?: string;
  format?: FormatOption;
  seed?: number;
  /** Ask again the examples whose last answer was an error. */
  retryErrors?: boolean;
  limit?: number;
  /** Longest answer stored, in UTF-8 bytes (default 1 MiB); longer ones are cut on a character boundary. */
  maxAnswerBytes?: number;
  /** Scorers next to EM/F1/accuracy: `contains`, `regex:P`, `label:a|b`, `json`, `json-schema:FILE`, `rouge-l`, `./module.mjs`. */
  scorers?: string[];
  /** Score the predictions in this JSONL file (`{"id"|"line", "prediction"}` per line) instead of asking endpoints. */
  predictions?: string;
  /** The pseudo-endpoint's name for `predictions` (default: the file name without .jsonl). */
  predictionsName?: string;
  /** What the run was started with (the CLI: flags merged over --config), kept as metrics.json's `config`. */
  runConfig?: Record<string, unknown>;
  /** LLM-as-judge: every answer scored 1-5 by this endpoint with a rubric (judgments.jsonl). */
  judge?: JudgeOptions;
  fetch?: typeof fetch;
  onProgress?: (progress: { done: number; total: number; errors: number }) => void;
}

/** metrics.json: the metrics, plus what happened to the answers and to results.jsonl. */
export interface EvalRunMetrics extends EvalMetrics {
  /** Where the scenario labels came from. */
  scenarioSource: string;
  warnings: EvalWarning[];
  answers: { maxAnswerBytes: number; truncated: number };
  resultsFile: { skippedLines: number; damagedLines: DamagedLine[] };
  /** Per endpoint, what a reader should know (e.g. why own-output perplexity is unavailable). */
  endpointNotes: Record<string, string[]>;
  /** With `predictions`: how the file's lines matched the examples. */
  predictions?: PredictionsMatch;
  /** The run's configuration, when the caller gave one (options.runConfig). */
  config?: Record<string, unknown>;
  /** With a judge: its scores per endpoint and scenario, and their agreement with F1. */
  judge?: JudgeSummary;
}

export interface EvaluateResult {
  outDir: string;
  metrics: EvalRunMetrics;
  counts: {
    examples: number;
    skippedLines: number;
    requested: number;
    fromCache: number;
    errors: number;
    /** Answers cut at maxAnswerBytes. */
    truncatedAnswers: number;
  };
  /** results.jsonl lines skipped because they are not results (garbage, zero-filled blocks). */
  damagedLines: DamagedLine[];
  errorsByKind: Record<string, number>;
  perplexityKinds: Record<string, PerplexityKind>;
  /** Also in metrics.json; the CLI prints them. */
  warnings: EvalWarning[];
}

export { capAnswer };

export async function evaluate(examplesPath: string, options: EvaluateOptions): Promise<EvaluateResult> {
  checkOptions(options);
  const secrets = [options.apiKey, options.judge?.apiKey].filter((key): key is string => Boolean(key));
  try {
    return await evaluateChecked(examplesPath, options, secrets);
  } catch (error) {
    // Nothing thrown past here may carry the key, whatever raised it.
    if (error instanceof Error) error.message = redactSecrets(error.message, secrets);
    throw error;
  }
}

function checkOptions(options: EvaluateOptions): void {
  const keys = { apiKey: options.apiKey, 'judge.apiKey': options.judge?.apiKey };
  const badKey = Object.entries(keys).find(([, key]) => key !== undefined && hasControlCharacter(key));
  if (badKey) {
    throw new PhikitError(
      'USAGE',
      `evaluate: options.${badKey[0]} contains a control character (e.g. a newline)`,
      'pass the key without line ends or other control characters',
    );
  }
  checkNumericOptions('evaluate', options);
  if (options.predictions !== undefined) {
    if (options.endpoints.length > 0)
      throw new PhikitError(
        'USAGE',
        'both endpoints and a predictions file given',
        'score stored predictions (--predictions) or ask endpoints (--endpoint), not both in one run',
      );
    return;
  }
  if (options.endpoints.length === 0) {
    throw new PhikitError(
      'USAGE',
      'no endpoint given',
      'add --endpoint NAME=URL (repeat it to compare models)',
    );
  }
  const names = options.endpoints.map((e) => e.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate)
    throw new PhikitError(
      'USAGE',
      `two endpoints are named "${duplicate}"`,
      'give each --endpoint its own NAME',
    );
}

async function evaluateChecked(
  examplesPath: string,
  options: EvaluateOptions,
  secrets: string[],
): Promise<EvaluateResult> {
  await checkPrepFolderOf(examplesPath);
  const folder = await OutputDir.open(resolve(options.out), 'eval');
  try {
    return await evaluateInto(folder.dir, examplesPath, options, secrets);
  } finally {
    await folder.release();
  }
}

/** A file of a prep output folder is evaluated only when the folder is one whole set. */
async function checkPrepFolderOf(examplesPath: string): Promise<void> {
  const dir = dirname(resolve(examplesPath));
  if (await isPrepOutputFolder(dir)) await checkOutputSet(dir);
}

async function evaluateInto(
  outDir: string,
  examplesPath: string,
  options: EvaluateOptions,
  secrets: string[],
): Promise<EvaluateResult> {
  const maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  const seed = options.seed ?? EVAL_DEFAULTS.seed;
  const { examples, skipped, scenarioSource, warnings } = await loadExamples(examplesPath, {
    scenarioField: options.scenarioField,
    scenarioBy: options.scenarioBy,
    scenarioRules: options.scenarioRules,
    labels: options.labels,
    format: options.format,
    limit: options.limit,
  });
  if (examples.length === 0) {
    throw new PhikitError(
      'INPUT_UNREADABLE',
      `${examplesPath} holds no chat example to evaluate`,
      'run `phikit validate` on it',
    );
  }
  const scorers = await loadScorers(options.scorers);
  if (options.predictions !== undefined) {
    const loaded = { examples, skipped, scenarioSource, warnings };
    return scoreStoredPredictions(outDir, examplesPath, loaded, options, {
      predictions: options.predictions,
      seed,
      scorers,
    });
  }

  const endpoints: Endpoint[] = [];
  for (const spec of options.endpoints) {
    endpoints.push(
      await createEndpoint(
        { ...spec, model: spec.model ?? options.model },
        {
          apiKey: options.apiKey,
          apiVersion: options.apiVersion,
          provider: options.provider,
          systemAsUser: options.systemAsUser,
          chatTemplate: options.chatTemplate,
          timeoutMs: options.timeoutMs,
          fetch: options.fetch,
        },
      ),
    );
  }
  const store = await ResultsStore.open(join(outDir, 'results.jsonl'));
  const policy: RetryPolicy = {
    retries: options.retries ?? DEFAULT_RETRY.retries,
    baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: DEFAULT_RETRY.maxDelayMs,
    random: seededRandom(seed),
  };
  const limiter = new RateLimiter(options.rpm);
  try {
    const perplexityKinds = await probeAll(endpoints, join(outDir, 'probes.json'));
    const planned = planRequests(endpoints, examples, perplexityKinds, options);
    const { tasks, results, fromCache } = await reuseCached(planned, store, options.retryErrors, scorers);

    let done = 0;
    let errors = 0;
    const total = tasks.length;
    const runTask = async (task: (typeof tasks)[number]): Promise<void> => {
      const kind = perplexityKinds[task.endpoint.name]!;
      const result = await ask(task, kind, { policy, limiter, maxAnswerBytes, secrets, scorers });
      await store.append(result);
      results.set(task.key, result);
      done++;
      if (result.error) errors++;
      options.onProgress?.({ done, total, errors });
    };
    await runPool(tasks, options.concurrency ?? EVAL_DEFAULTS.concurrency, runTask);

    // Results in a stable order: endpoints as given, examples as in the file.
    const ordered = planned.map(({ key }) => results.get(key)!);
    const judge = options.judge
      ? await judgeStep(outDir, ordered, examples, options, { policy, limiter, secrets })
      : undefined;
    const metrics: EvalRunMetrics = {
      ...summarizeResults(ordered, { seed, perplexityKinds, scorers }),
      scenarioSource,
      warnings,
      answers: { maxAnswerBytes, truncated: ordered.filter((r) => r.answerTruncated).length },
      resultsFile: { skippedLines: store.damaged.length, damagedLines: store.damaged },
      endpointNotes: Object.fromEntries(endpoints.map((e) => [e.name, e.notes?.() ?? []])),
      ...(options.runConfig ? { config: options.runConfig } : {}),
      ...(judge ? { judge } : {}),
    };
    await writeRunOutputs(outDir, metrics, ordered, { examplesPath, scorers });
    const errorsByKind: Record<string, number> = {};
    for (const result of ordered)
      if (result.error) errorsByKind[result.error.kind] = (errorsByKind[result.error.kind] ?? 0) + 1;
    return {
      outDir,
      metrics,
      counts: {
        examples: examples.length,
        skippedLines: skipped.length,
        requested: total,
        fromCache,
        errors: ordered.filter((r) => r.error).length,
        truncatedAnswers: metrics.answers.truncated,
      },
      damagedLines: store.damaged,
      errorsByKind,
      perplexityKinds,
      warnings,
    };
  } finally {
    await store.close();
    for (const endpoint of endpoints) await endpoint.close?.();
  }
}

/** `predictions`: results from a file of answers made elsewhere, then the same outputs as a run. */
async function scoreStoredPredictions(
  outDir: string,
  examplesPath: string,
  loaded: LoadedExamples,
  options: EvaluateOptions,
  run: { predictions: string; seed: number; scorers: Scorer[] },
): Promise<EvaluateResult> {
  const maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  const { results, match } = await readPredictions(run.predictions, loaded.examples, {
    name: options.predictionsName,
    maxAnswerBytes,
    scorers: run.scorers,
  });
  await writeFileAtomic(join(outDir, 'results.jsonl'), results.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const warnings = [...loaded.warnings, ...match.warnings];
  const metrics: EvalRunMetrics = {
    ...summarizeResults(results, { seed: run.seed, scorers: run.scorers }),
    scenarioSource: loaded.scenarioSource,
    warnings,
    answers: { maxAnswerBytes, truncated: results.filter((r) => r.answerTruncated).length },
    resultsFile: { skippedLines: 0, damagedLines: [] },
    endpointNotes: { [match.name]: [] },
    predictions: match,
  };
  await writeRunOutputs(outDir, metrics, results, { examplesPath, scorers: run.scorers });
  return {
    outDir,
    metrics,
    counts: {
      examples: loaded.examples.length,
      skippedLines: loaded.skipped.length,
      requested: 0,
      fromCache: 0,
      errors: 0,
      truncatedAnswers: metrics.answers.truncated,
    },
    damagedLines: [],
    errorsByKind: {},
    perplexityKinds: { [match.name]: 'none' },
    warnings,
  };
}

/** metrics.json, results.csv and report.html of a run (shared by evaluate, predictions and rescore). */
export async function writeRunOutputs(
  outDir: string,
  metrics: EvalRunMetrics,
  ordered: readonly EvalResult[],
  context: { examplesPath: string; scorers: readonly Scorer[] },
): Promise<void> {
  await writeFileAtomic(join(outDir, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  await writeFileAtomic(join(outDir, 'results.csv'), resultsCsv(ordered, context.scorers));
  await writeFileAtomic(
    join(outDir, 'report.html'),
    await renderEvalReport(metrics, ordered, {
      examplesPath: context.examplesPath,
      endpointNotes: metrics.endpointNotes,
      judge: metrics.judge,
    }),
  );
}

/** --judge: every answer judged (cached in judgments.jsonl) and summarized for metrics.json. */
async function judgeStep(
  outDir: string,
  results: EvalResult[],
  examples: EvalExample[],
  options: EvaluateOptions,
  context: { policy: RetryPolicy; limiter: RateLimiter; secrets: string[] },
): Promise<JudgeSummary> {
  const run = await judgeAnswers(
    outDir,
    results,
    examples,
    options.judge!,
    { apiVersion: options.apiVersion, timeoutMs: options.timeoutMs, fetch: options.fetch },
    { ...context, concurrency: options.concurrency ?? EVAL_DEFAULTS.concurrency },
  );
  const identity = {
    judge: run.judge.name,
    location: run.judge.location,
    model: run.judge.model,
    rubric: run.rubric.name,
    rubricHash: run.rubric.hash,
    asked: run.asked,
    fromCache: run.fromCache,
  };
  return summarizeJudgments(identity, judgedAnswers(run, results), options.seed ?? EVAL_DEFAULTS.seed);
}

interface PlannedRequest {
  endpoint: Endpoint;
  example: EvalExample;
  request: ChatRequest;
  key: string;
}

/** Every (endpoint, example) pair with its request and cache key, in report order. */
function planRequests(
  endpoints: readonly Endpoint[],
  examples: readonly EvalExample[],
  perplexityKinds: Record<string, PerplexityKind>,
  options: EvaluateOptions,
): PlannedRequest[] {
  const planned: PlannedRequest[] = [];
  for (const endpoint of endpoints) {
    const kind = perplexityKinds[endpoint.name]!;
    for (const example of examples) {
      const request: ChatRequest = {
        messages: example.prompt,
        temperature: options.temperature ?? EVAL_DEFAULTS.temperature,
        maxTokens: options.maxTokens,
        logprobs: kind === 'own-output',
      };
      const key = requestKey(endpoint, request, {
        scoredReference: kind === 'reference' ? example.reference : undefined,
        references: example.references,
      });
      planned.push({ endpoint, example, request, key });
    }
  }
  return planned;
}

/**
 * Splits the plan into requests to send and cached results (with this run's scenario, line and
 * scorers). Changed cached results are appended so results.jsonl (last line per key wins) agrees
 * with metrics.json and compare.
 */
async function reuseCached(
  planned: readonly PlannedRequest[],
  store: ResultsStore,
  retryErrors: boolean | undefined,
  scorers: readonly Scorer[],
): Promise<{ tasks: PlannedRequest[]; results: Map<string, EvalResult>; fromCache: number }> {
  const results = new Map<string, EvalResult>();
  const tasks: PlannedRequest[] = [];
  for (const task of planned) {
    const previous = store.previous.get(task.key);
    if (!previous || (previous.error && retryErrors)) {
      tasks.push(task);
      continue;
    }
    const current = await withCurrentScorers(withCurrentLabel(previous, task.example), scorers);
    if (current !== previous) await store.append(current);
    results.set(task.key, current);
  }
  return { tasks, results, fromCache: results.size };
}

/** A stored answer scored by this run's scorers (unchanged when they give what is stored). */
export async function withCurrentScorers(
  result: EvalResult,
  scorers: readonly Scorer[],
): Promise<EvalResult> {
  if (scorers.length === 0 || result.prediction === null || result.error) return result;
  const outcomes = await scoreWith(scorers, result.prediction, scoredExample(result));
  if (JSON.stringify(outcomes) === JSON.stringify(result.scorers)) return result;
  return { ...result, scorers: outcomes };
}

/**
 * What makes two requests the same: where they go, the model, the body, and what is scored
 * (so changing an example's references asks again rather than reusing stale scores).
 * Absent fields leave the key of older runs unchanged.
 */
function requestKey(
  endpoint: Endpoint,
  request: ChatRequest,
  scored: { scoredReference?: string; references?: string[] },
): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        location: endpoint.location,
        model: endpoint.model,
        request,
        scoredReference: scored.scoredReference,
        references: scored.references,
      }),
    )
    .digest('hex');
}

/** Probes each endpoint once per output folder; a resumed run reuses the answer. */
async function probeAll(endpoints: Endpoint[], path: string): Promise<Record<string, PerplexityKind>> {
  let saved: Record<string, PerplexityKind> = {};
  try {
    saved = JSON.parse(await readFile(path, 'utf8')) as Record<string, PerplexityKind>;
  } catch {
    // First run in this folder.
  }
  const kinds: Record<string, PerplexityKind> = {};
  const probeKey = (endpoint: Endpoint) => `${endpoint.name} ${endpoint.location} ${endpoint.model}`;
  for (const endpoint of endpoints) {
    kinds[endpoint.name] = saved[probeKey(endpoint)] ?? (await endpoint.probe());
    saved[probeKey(endpoint)] = kinds[endpoint.name]!;
  }
  await writeFileAtomic(path, `${JSON.stringify(saved, null, 2)}\n`);
  return kinds;
}

interface AskContext {
  policy: RetryPolicy;
  limiter: RateLimiter;
  maxAnswerBytes: number;
  /** Redacted from error messages before they are recorded. */
  secrets: string[];
  scorers: readonly Scorer[];
}

async function ask(
  task: { endpoint: Endpoint; example: EvalExample; request: ChatRequest; key: string },
  kind: PerplexityKind,
  { policy, limiter, maxAnswerBytes, secrets, scorers }: AskContext,
): Promise<EvalResult> {
  const { endpoint, example, request, key } = task;
  const started = performance.now();
  const answer = await withRetries(policy, async () => {
    await limiter.wait();
    return endpoint.chat(request);
  });
  let attempts = answer.attempts;
  let logprobs: LogprobData | null = null;
  let error = answer.error;
  if (answer.value && kind === 'own-output' && answer.value.tokenLogprobs?.length) {
    const values = answer.value.tokenLogprobs;
    logprobs = {
      kind,
      sumLogprob: values.reduce((sum, v) => sum + v, 0),
      tokens: values.length,
      bytes: Buffer.byteLength(answer.value.text, 'utf8'),
    };
  }
  let perplexityNotScored: { message: string } | undefined;
  if (answer.value && kind === 'reference' && endpoint.scoreReference) {
    const scored = await withRetries(policy, async () => {
      await limiter.wait();
      return endpoint.scoreReference!(example.prompt, example.reference);
    });
    attempts += scored.attempts;
    if (scored.value) logprobs = { kind, ...scored.value };
    // The endpoint refused to score this reference (e.g. it does not fit the context): the answer
    // still counts; only its perplexity is missing. Other failures are the example's error.
    else if (scored.error?.kind === 'client_error')
      perplexityNotScored = { message: redactSecrets(scored.error.message, secrets) };
    else error = scored.error;
  }
  const stored = answer.value ? capAnswer(answer.value, maxAnswerBytes) : undefined;
  const prediction = stored?.text ?? null;
  return {
    id: example.id,
    line: example.line,
    scenario: example.scenario,
    endpoint: endpoint.name,
    model: endpoint.model,
    promptHash: createHash('sha256').update(JSON.stringify(example.prompt)).digest('hex'),
    requestKey: key,
    prediction,
    ...(stored?.originalBytes !== undefined ? { answerTruncated: { bytes: stored.originalBytes } } : {}),
    reference: example.reference,
    ...(example.references ? { references: example.references } : {}),
    scores: prediction !== null && !error ? scorePrediction(prediction, acceptedAnswers(example)) : null,
    ...(prediction !== null && !error && scorers.length > 0
      ? { scorers: await scoreWith(scorers, prediction, scoredExample(example)) }
      : {}),
    logprobs: error ? null : logprobs,
    ...(perplexityNotScored && !error ? { perplexityNotScored } : {}),
    latencyMs: Math.round(performance.now() - started),
    usage: answer.value?.usage ?? null,
    attempts,
    error: error
      ? {
          kind: error.kind,
          message: redactSecrets(error.message, secrets),
          ...(error.status ? { status: error.status } : {}),
        }
      : null,
  };
}

/**
 * A cached answer with the example's scenario and line of this run: the scenario source
 * (e.g. --labels added on a rerun) may have changed although the request is the same.
 */
function withCurrentLabel(previous: EvalResult, example: EvalExample): EvalResult {
  if (previous.scenario === example.scenario && previous.line === example.line) return previous;
  return { ...previous, scenario: example.scenario, line: example.line };
}

/** What EM/F1/accuracy are the max over: the final assistant message and the example's references. */
function acceptedAnswers(example: EvalExample): string[] {
  return [example.reference, ...(example.references ?? [])];
}
