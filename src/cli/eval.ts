// `phikit eval EXAMPLES --endpoint NAME=URL... --out DIR`: flags -> evaluate() -> a summary.
// The API key is read from the environment variable named by --api-key-env, never from a flag.
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  DEFAULT_MAX_ANSWER_BYTES,
  EVAL_DEFAULTS,
  EVAL_LIMITS,
  rangeProblem,
  type NumericRange,
} from '../eval/limits.js';
import { DEFAULT_RETRY } from '../eval/retry.js';
import { ENDPOINT_PROVIDERS, type EndpointProvider } from '../core/endpoint.js';
import { hasControlCharacter } from '../eval/redact.js';
import { evaluate, type EvaluateOptions, type EvaluateResult } from '../eval/run.js';
import { parseEndpointSpec } from '../eval/endpoint.js';
import { PhikitError } from '../core/errors.js';
import type { DamagedLine } from '../core/eval-types.js';
import type { EndpointSpec } from '../core/endpoint.js';
import type { JudgeSummary } from '../metrics/judge-summary.js';
import { resolvedConfig, withConfigFile } from './config.js';
import { EXIT } from './exit-codes.js';
import { FORMAT_CHOICES } from './prep-flags.js';

/** A flag parser that refuses numbers outside `range` (commander's usage error: exit 2). */
export function parseInRange(range: NumericRange): (value: string) => number {
  return (value: string) => {
    const number = value.trim() === '' ? NaN : Number(value);
    const problem = rangeProblem(number, range);
    if (problem !== undefined) throw new InvalidArgumentError(`expected ${problem}, got "${value}"`);
    return number;
  };
}

const TIMEOUT_SECONDS: NumericRange = {
  ...EVAL_LIMITS.timeoutMs,
  max: EVAL_LIMITS.timeoutMs.max / 1000,
  unit: 'seconds',
};

interface EvalFlags {
  endpoint: EndpointSpec[];
  out: string;
  model?: string;
  apiKeyEnv?: string;
  apiVersion?: string;
  provider?: EndpointProvider;
  systemAsUser?: boolean;
  chatTemplate?: string;
  temperature: number;
  maxTokens?: number;
  concurrency: number;
  rpm?: number;
  timeout: number;
  retries: number;
  scenarioField?: string;
  scenarioBy?: 'system';
  scenarioRules?: string;
  labels?: string;
  prepDir?: string;
  format: 'auto';
  seed: number;
  retryErrors?: boolean;
  limit?: number;
  maxAnswerBytes: number;
  scorer: string[];
  predictions?: string;
  predictionsName?: string;
  json?: boolean;
  quiet?: boolean;
  judge?: EndpointSpec;
  judgeModel?: string;
  judgeApiKeyEnv?: string;
  judgeRubric?: string;
}

export function register(program: Command): void {
  const command = program
    .command('eval')
    .description('score OpenAI-compatible endpoints on held-out chat examples (EM, F1, accuracy, perplexity)')
    .argument(
      '<examples>',
      'chat JSONL (e.g. validation.jsonl from phikit prep): the last assistant message is the reference',
    )
    .requiredOption('-o, --out <dir>', 'output folder; rerunning with the same folder resumes');
  for (const add of [
    addEndpointOptions,
    addRequestOptions,
    addScenarioOptions,
    addRunOptions,
    addScoringOptions,
  ])
    add(command);
  command.action(runEval);
  withConfigFile(command, {
    schema: 'eval-config.schema.json',
    argumentKeys: ['examples', 'input'],
    arrayExtras: { endpoints: { into: 'endpoint', convert: endpointFromConfig } },
  });
}

/** Which endpoints are asked, and how they are reached. */
function addEndpointOptions(command: Command): Command {
  return command
    .option(
      '-e, --endpoint <name=url>',
      'an endpoint to evaluate; repeat to compare (http(s) base URL, Azure endpoint)',
      (value: string, previous: EndpointSpec[] = []) => [...previous, parseEndpointSpec(value)],
      [],
    )
    .option('--model <name>', 'model (Azure OpenAI: deployment) sent with each request')
    .option(
      '--api-key-env <VAR>',
      'environment variable that holds the API key (the key itself is never a flag)',
    )
    .option('--api-version <version>', `Azure OpenAI api-version (default ${EVAL_DEFAULTS.azureApiVersion})`)
    .addOption(
      new Option(
        '--provider <provider>',
        'treat every endpoint as Azure AI model inference (serverless), e.g. behind a proxy or custom domain',
      ).choices(ENDPOINT_PROVIDERS),
    )
    .option(
      '--system-as-user',
      'merge system messages into the first user message, as serverless Phi deployments see them',
    );
}

/** What each request asks, and how hard phikit tries. */
function addRequestOptions(command: Command): Command {
  return command
    .option(
      '--chat-template <spec>',
      'tokenizer whose chat template renders prompts for reference perplexity (default phi-3)',
    )
    .option(
      '--temperature <t>',
      'sampling temperature',
      parseInRange(EVAL_LIMITS.temperature),
      EVAL_DEFAULTS.temperature,
    )
    .option('--max-tokens <n>', 'longest answer in tokens', parseInRange(EVAL_LIMITS.maxTokens))
    .option(
      '--concurrency <n>',
      'requests in flight per run',
      parseInRange(EVAL_LIMITS.concurrency),
      EVAL_DEFAULTS.concurrency,
    )
    .option('--rpm <n>', 'at most this many requests per minute', parseInRange(EVAL_LIMITS.rpm))
    .option(
      '--timeout <seconds>',
      'per request',
      parseInRange(TIMEOUT_SECONDS),
      EVAL_DEFAULTS.timeoutMs / 1000,
    )
    .option(
      '--retries <n>',
      'retries after 408/409/429/5xx, timeouts and dropped connections',
      parseInRange(EVAL_LIMITS.retries),
      DEFAULT_RETRY.retries,
    );
}

/** Where each example's scenario comes from. */
function addScenarioOptions(command: Command): Command {
  return command
    .option(
      '--scenario-field <path>',
      'dotted path to the scenario label in each example (default: a top-level "scenario" string, as in prep\'s test.jsonl)',
    )
    .addOption(
      new Option('--scenario-by <source>', 'scenario from the system prompt (as prep)')
        .choices(['system'])
        .conflicts(['scenarioField', 'scenarioRules']),
    )
    .addOption(
      new Option(
        '--scenario-rules <file>',
        'scenario from ordered regex rules on the first user message (as prep)',
      ).conflicts('scenarioField'),
    )
    .addOption(
      new Option(
        '--labels <index.jsonl>',
        "scenarios from prep's index.jsonl, matched by this file's name and row",
      ).conflicts(['scenarioField', 'scenarioBy', 'scenarioRules']),
    )
    .addOption(
      new Option('--prep-dir <dir>', 'the prep output folder: --labels DIR/index.jsonl').conflicts([
        'labels',
        'scenarioField',
        'scenarioBy',
        'scenarioRules',
      ]),
    );
}

/** How examples are read and what is kept of each run. */
function addRunOptions(command: Command): Command {
  return command
    .addOption(new Option('--format <format>', 'input format').choices(FORMAT_CHOICES).default('auto'))
    .option(
      '--seed <n>',
      'seed for bootstrap intervals and retry jitter',
      parseInRange(EVAL_LIMITS.seed),
      EVAL_DEFAULTS.seed,
    )
    .option('--retry-errors', 'ask again the examples whose last answer was an error')
    .option('--limit <n>', 'only the first N examples', parseInRange(EVAL_LIMITS.limit))
    .option(
      '--max-answer-bytes <n>',
      'longest answer stored, in UTF-8 bytes; longer ones are cut and counted',
      parseInRange(EVAL_LIMITS.maxAnswerBytes),
      DEFAULT_MAX_ANSWER_BYTES,
    )
    .option('--json', 'print metrics.json to stdout')
    .option('-q, --quiet', 'no progress on stderr');
}

/** Metrics besides EM/F1/accuracy: scorers, stored predictions, an LLM judge. */
function addScoringOptions(command: Command): Command {
  return command
    .option(
      '--scorer <name[:arg]>',
      'another metric, repeatable: contains, regex:PATTERN, label:a|b|c, json, json-schema:FILE, rouge-l, or ./module.mjs',
      (value: string, previous: string[] = []) => [...previous, value],
      [],
    )
    .addOption(
      new Option(
        '--predictions <file.jsonl>',
        'score stored predictions ({"id" or "line", "prediction"} per line) instead of asking endpoints',
      ).conflicts('endpoint'),
    )
    .option(
      '--predictions-name <name>',
      'name of the stored predictions in the outputs (default: the file name)',
    )
    .option(
      '--judge <name=url>',
      'LLM judge: scores every answer 1-5 against the reference',
      parseEndpointSpec,
    )
    .option('--judge-model <name>', "the judge's model (Azure OpenAI: deployment)")
    .option('--judge-api-key-env <VAR>', "environment variable that holds the judge's API key")
    .option(
      '--judge-rubric <file>',
      'rubric template with {{question}}, {{reference}}, {{answer}}; final line "Score: N"',
    );
}

/** The action: flags to evaluate(), then the summary and the exit code. */
async function runEval(examples: string, flags: EvalFlags, command: Command): Promise<void> {
  const apiKey = flags.apiKeyEnv ? readApiKey(flags.apiKeyEnv) : undefined;
  let lastReport = 0;
  const result = await evaluate(examples, {
    out: flags.out,
    endpoints: flags.endpoint,
    model: flags.model,
    apiKey,
    apiVersion: flags.apiVersion,
    provider: flags.provider,
    systemAsUser: flags.systemAsUser,
    chatTemplate: flags.chatTemplate,
    temperature: flags.temperature,
    maxTokens: flags.maxTokens,
    concurrency: flags.concurrency,
    rpm: flags.rpm,
    timeoutMs: flags.timeout * 1000,
    retries: flags.retries,
    scenarioField: flags.scenarioField,
    scenarioBy: flags.scenarioBy,
    scenarioRules: flags.scenarioRules,
    labels: flags.prepDir === undefined ? flags.labels : join(flags.prepDir, 'index.jsonl'),
    format: flags.format,
    seed: flags.seed,
    retryErrors: flags.retryErrors,
    limit: flags.limit,
    maxAnswerBytes: flags.maxAnswerBytes,
    runConfig: resolvedConfig(command),
    judge: judgeOptions(flags),
    scorers: flags.scorer,
    predictions: flags.predictions,
    predictionsName: flags.predictionsName,
    onProgress: ({ done, total, errors }) => {
      // The last answer is always reported, so a log never seems to stop part way.
      if (flags.quiet || flags.json || (done < total && Date.now() - lastReport < 2000)) return;
      lastReport = Date.now();
      process.stderr.write(`eval: ${done}/${total} answers, ${errors} errors\n`);
    },
  });
  for (const warning of result.warnings) process.stderr.write(`phikit: warning: ${warning.message}\n`);
  if (result.damagedLines.length > 0) process.stderr.write(damagedWarning(result.damagedLines));
  process.stdout.write(flags.json ? `${JSON.stringify(result.metrics, null, 2)}\n` : summary(result));
  process.exitCode = result.counts.errors > 0 ? EXIT.problemsFound : EXIT.ok;
}

/** `endpoints: [{name, url, model}]` in a config file: checked as `--endpoint name=url` is. */
function endpointFromConfig(item: unknown): EndpointSpec {
  const { name, url, model } = item as EndpointSpec;
  return { ...parseEndpointSpec(`${name}=${url}`), ...(model === undefined ? {} : { model }) };
}

function judgeOptions(flags: EvalFlags): EvaluateOptions['judge'] {
  const judgeFlags = ['judgeModel', 'judgeApiKeyEnv', 'judgeRubric'] as const;
  if (flags.judge === undefined) {
    if (judgeFlags.some((flag) => flags[flag] !== undefined))
      throw new PhikitError(
        'USAGE',
        '--judge-model, --judge-api-key-env and --judge-rubric need a judge',
        'add --judge NAME=URL',
      );
    return undefined;
  }
  return {
    endpoint: { ...flags.judge, model: flags.judgeModel },
    apiKey: flags.judgeApiKeyEnv ? readApiKey(flags.judgeApiKeyEnv) : undefined,
    rubric: flags.judgeRubric,
  };
}

/** The key from the environment; never printed, not even in the error about it. */
export function readApiKey(variable: string): string {
  const apiKey = process.env[variable];
  if (!apiKey) {
    throw new PhikitError(
      'USAGE',
      `environment variable ${variable} is empty or not set`,
      `export ${variable}=... first`,
    );
  }
  if (hasControlCharacter(apiKey)) {
    throw new PhikitError(
      'USAGE',
      `environment variable ${variable} holds a control character (e.g. a trailing newline), which no HTTP header may carry`,
      `set it again without the line end, e.g. export ${variable}="$(tr -d '\\r\\n' < keyfile)"`,
    );
  }
  return apiKey;
}

/** One warning line for results.jsonl lines that were skipped, with where the first few are. */
export function damagedWarning(damaged: readonly DamagedLine[]): string {
  const shown = damaged
    .slice(0, 5)
    .map((d) => `${d.file}:${d.line} (${d.message})`)
    .join(', ');
  const more = damaged.length > 5 ? `, and ${damaged.length - 5} more (listed in metrics.json)` : '';
  return `phikit: warning: skipped ${damaged.length} damaged line${damaged.length === 1 ? '' : 's'} of results.jsonl: ${shown}${more}\n`;
}

/** One line per endpoint: every metric overall with its interval. */
export function metricLines(metrics: EvaluateResult['metrics']): string[] {
  const lines: string[] = [];
  for (const endpoint of metrics.endpoints) {
    const o = endpoint.overall;
    const ci = (i: { value: number; low: number; high: number }) =>
      Number.isNaN(i.value) ? '–' : `${i.value.toFixed(1)} [${i.low.toFixed(1)}, ${i.high.toFixed(1)}]`;
    const ppl =
      o.perplexity.value === null ? `none` : `${o.perplexity.value.toFixed(2)} (${o.perplexity.kind})`;
    const scorers = Object.entries(o.scorers ?? {}).map(([name, interval]) => `  ${name} ${ci(interval)}`);
    lines.push(
      `  ${endpoint.endpoint}: EM ${ci(o.em)}  F1 ${ci(o.f1)}  accuracy ${ci(o.accuracy)}${scorers.join('')}  perplexity ${ppl}  errors ${o.errors}/${o.n}`,
    );
    for (const [name, figures] of Object.entries(o.classification ?? {}))
      lines.push(
        `  ${endpoint.endpoint}: ${name} macro-F1 ${ci(figures.macroF1)} (confusion matrix in report.html)`,
      );
  }
  return lines;
}

function summary(result: EvaluateResult): string {
  const lines = [
    `phikit eval: ${result.counts.examples} examples (${result.counts.skippedLines} lines skipped as not chat examples); ${result.counts.requested} asked, ${result.counts.fromCache} from the cache in ${result.outDir}`,
  ];
  lines.push(...metricLines(result.metrics));
  const predictions = result.metrics.predictions;
  if (predictions)
    lines.push(
      `  predictions from ${predictions.file}: ${predictions.matched} matched, ${predictions.unmatched} lines matched no example, ${predictions.examplesWithoutPrediction} examples had no prediction`,
    );
  for (const endpoint of result.metrics.endpoints) {
    const { notScored } = endpoint.overall.perplexity;
    if (notScored > 0)
      lines.push(
        `  ${endpoint.endpoint}: perplexity not scored for ${notScored} of ${endpoint.overall.n} examples (the endpoint could not score the reference, e.g. longer than its context: see perplexityNotScored in results.jsonl)`,
      );
  }
  for (const [endpoint, notes] of Object.entries(result.metrics.endpointNotes))
    for (const note of notes) lines.push(`  note (${endpoint}): ${note}`);
  const kinds = Object.entries(result.errorsByKind);
  if (kinds.length > 0)
    lines.push(
      `  errors by kind: ${kinds.map(([k, n]) => `${k} ${n}`).join(', ')} (rerun with --retry-errors to ask again)`,
    );
  if (result.counts.truncatedAnswers > 0)
    lines.push(
      `  ${result.counts.truncatedAnswers} answers longer than ${result.metrics.answers.maxAnswerBytes} bytes were cut (answerTruncated in results.jsonl; raise --max-answer-bytes to keep more)`,
    );
  if (result.metrics.judge) lines.push(...judgeLines(result.metrics.judge));
  if (result.damagedLines.length > 0)
    lines.push(`  skipped ${result.damagedLines.length} damaged lines of results.jsonl (see metrics.json)`);
  lines.push(`  wrote results.jsonl, results.csv, metrics.json, report.html`);
  return `${lines.join('\n')}\n`;
}

function judgeLines(judge: JudgeSummary): string[] {
  const ci = (i: { value: number; low: number; high: number }) =>
    Number.isNaN(i.value) ? '–' : `${i.value.toFixed(1)} [${i.low.toFixed(1)}, ${i.high.toFixed(1)}]`;
  return [
    `  judge ${judge.judge} (${judge.rubric}, 0-100): ${judge.asked} asked, ${judge.fromCache} from judgments.jsonl; ${judge.unparseable} unparseable, ${judge.errors} failed`,
    ...judge.endpoints.map(
      (e) =>
        `  ${e.endpoint}: judge ${ci(e.overall.score)}  Spearman with F1 ${e.overall.spearmanF1.rho === null ? '–' : e.overall.spearmanF1.rho.toFixed(2)} (n=${e.overall.spearmanF1.n})`,
    ),
  ];
}
