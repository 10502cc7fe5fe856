// `phikit eval EXAMPLES --endpoint NAME=URL... --out DIR`: flags -> evaluate() -> a summary.
// The API key is read from the environment variable named by --api-key-env, never from a flag.
import { Option, type Command } from 'commander';
import { PhikitError } from '../core/errors.js';
import { parseEndpointSpec, type EndpointSpec } from '../eval/endpoint.js';
import { evaluate, type EvaluateResult } from '../eval/run.js';
import { EXIT } from './exit-codes.js';
import { parseNonNegativeInteger, parseNumber, parsePositiveInteger } from './options.js';
import { FORMAT_CHOICES } from './prep-flags.js';

interface EvalFlags {
  endpoint: EndpointSpec[];
  out: string;
  model?: string;
  apiKeyEnv?: string;
  apiVersion?: string;
  chatTemplate?: string;
  temperature: number;
  maxTokens?: number;
  concurrency: number;
  rpm?: number;
  timeout: number;
  retries: number;
  scenarioField?: string;
  format: 'auto';
  seed: number;
  retryErrors?: boolean;
  limit?: number;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('score OpenAI-compatible endpoints on held-out chat examples (EM, F1, accuracy, perplexity)')
    .argument(
      '<examples>',
      'chat JSONL (e.g. validation.jsonl from phikit prep): the last assistant message is the reference',
    )
    .requiredOption(
      '-e, --endpoint <name=url>',
      'an endpoint to evaluate; repeat to compare (http(s) base URL, Azure endpoint)',
      (value: string, previous: EndpointSpec[] = []) => [...previous, parseEndpointSpec(value)],
    )
    .requiredOption('-o, --out <dir>', 'output folder; rerunning with the same folder resumes')
    .option('--model <name>', 'model (Azure OpenAI: deployment) sent with each request')
    .option(
      '--api-key-env <VAR>',
      'environment variable that holds the API key (the key itself is never a flag)',
    )
    .option('--api-version <version>', 'Azure OpenAI api-version (default 2024-10-21)')
    .option(
      '--chat-template <spec>',
      'tokenizer whose chat template renders prompts for reference perplexity (default phi-3)',
    )
    .option('--temperature <t>', 'sampling temperature', parseNumber, 0)
    .option('--max-tokens <n>', 'longest answer in tokens', parsePositiveInteger)
    .option('--concurrency <n>', 'requests in flight per run', parsePositiveInteger, 4)
    .option('--rpm <n>', 'at most this many requests per minute', parsePositiveInteger)
    .option('--timeout <seconds>', 'per request', parseNumber, 60)
    .option(
      '--retries <n>',
      'retries after 408/409/429/5xx, timeouts and dropped connections',
      parseNonNegativeInteger,
      4,
    )
    .option('--scenario-field <path>', 'dotted path to the scenario label in each example')
    .addOption(new Option('--format <format>', 'input format').choices(FORMAT_CHOICES).default('auto'))
    .option('--seed <n>', 'seed for bootstrap intervals and retry jitter', parsePositiveInteger, 42)
    .option('--retry-errors', 'ask again the examples whose last answer was an error')
    .option('--limit <n>', 'only the first N examples', parsePositiveInteger)
    .option('--json', 'print metrics.json to stdout')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (examples: string, flags: EvalFlags) => {
      let apiKey: string | undefined;
      if (flags.apiKeyEnv) {
        apiKey = process.env[flags.apiKeyEnv];
        if (!apiKey) {
          throw new PhikitError(
            'USAGE',
            `environment variable ${flags.apiKeyEnv} is empty or not set`,
            `export ${flags.apiKeyEnv}=... first`,
          );
        }
      }
      let lastReport = 0;
      const result = await evaluate(examples, {
        out: flags.out,
        endpoints: flags.endpoint,
        model: flags.model,
        apiKey,
        apiVersion: flags.apiVersion,
        chatTemplate: flags.chatTemplate,
        temperature: flags.temperature,
        maxTokens: flags.maxTokens,
        concurrency: flags.concurrency,
        rpm: flags.rpm,
        timeoutMs: flags.timeout * 1000,
        retries: flags.retries,
        scenarioField: flags.scenarioField,
        format: flags.format,
        seed: flags.seed,
        retryErrors: flags.retryErrors,
        limit: flags.limit,
        onProgress: ({ done, total, errors }) => {
          if (flags.quiet || flags.json || Date.now() - lastReport < 2000) return;
          lastReport = Date.now();
          process.stderr.write(`eval: ${done}/${total} answers, ${errors} errors\n`);
        },
      });
      process.stdout.write(flags.json ? `${JSON.stringify(result.metrics, null, 2)}\n` : summary(result));
      process.exitCode = result.counts.errors > 0 ? EXIT.problemsFound : EXIT.ok;
    });
}

function summary(result: EvaluateResult): string {
  const lines = [
    `phikit eval: ${result.counts.examples} examples (${result.counts.skippedLines} lines skipped as not chat examples); ${result.counts.requested} asked, ${result.counts.fromCache} from the cache in ${result.outDir}`,
  ];
  for (const endpoint of result.metrics.endpoints) {
    const o = endpoint.overall;
    const ci = (i: { value: number; low: number; high: number }) =>
      Number.isNaN(i.value) ? '–' : `${i.value.toFixed(1)} [${i.low.toFixed(1)}, ${i.high.toFixed(1)}]`;
    const ppl =
      o.perplexity.value === null ? `none` : `${o.perplexity.value.toFixed(2)} (${o.perplexity.kind})`;
    lines.push(
      `  ${endpoint.endpoint}: EM ${ci(o.em)}  F1 ${ci(o.f1)}  accuracy ${ci(o.accuracy)}  perplexity ${ppl}  errors ${o.errors}/${o.n}`,
    );
  }
  const kinds = Object.entries(result.errorsByKind);
  if (kinds.length > 0)
    lines.push(
      `  errors by kind: ${kinds.map(([k, n]) => `${k} ${n}`).join(', ')} (rerun with --retry-errors to ask again)`,
    );
  lines.push(`  wrote results.jsonl, results.csv, metrics.json, report.html`);
  return `${lines.join('\n')}\n`;
}
