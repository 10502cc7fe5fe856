// `phikit preflight FILE`: the checks Azure AI Foundry applies to an upload, one pass/warn/fail
// line each with its rule and source, then the cost line. Exit 1 when any check fails.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatCount } from '../core/describe.js';
import type { PreflightCheck } from '../core/manifest.js';
import { preflight, type PreflightResult } from '../pipeline/preflight.js';
import { DEFAULT_MODEL, MODEL_PRESETS } from '../tokenize/presets.js';
import { EXIT } from './exit-codes.js';
import { parsePositiveInteger } from './options.js';
import { terminalJson, terminalSafe } from './terminal.js';

interface PreflightFlags {
  model: string;
  epochs: number;
  validationFile?: string;
  pricePer1kTokens?: number;
  tokenizer?: string;
  threads?: number;
  json?: boolean;
}

function parsePrice(value: string): number {
  const number = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(number) || number < 0)
    throw new InvalidArgumentError(`expected a price >= 0, got "${value}"`);
  return number;
}

export function register(program: Command): void {
  program
    .command('preflight')
    .description('check a JSONL file the way Azure AI Foundry will when it is uploaded for fine-tuning')
    .argument('<file>', 'the training file to upload, e.g. train.jsonl from phikit prep')
    .addOption(
      new Option('--model <preset>', 'model preset: context length, tokenizer, tool support')
        .choices(Object.keys(MODEL_PRESETS))
        .default(DEFAULT_MODEL),
    )
    .option(
      '--epochs <n>',
      'epochs the job will train (billed tokens = tokens x epochs)',
      parsePositiveInteger,
      1,
    )
    .option('--validation-file <file>', 'the validation file to upload with it')
    .option(
      '--price-per-1k-tokens <price>',
      'price per 1,000 billed training tokens, for the cost line',
      parsePrice,
    )
    .option('--tokenizer <spec>', "tokenizer instead of the preset's")
    .option(
      '--threads <n>',
      'worker threads for token counting (default: one per core)',
      parsePositiveInteger,
    )
    .option('--json', 'print the result as JSON')
    .action(async (file: string, flags: PreflightFlags) => {
      const result = await preflight(file, {
        model: flags.model,
        epochs: flags.epochs,
        validationFile: flags.validationFile,
        pricePer1kTokens: flags.pricePer1kTokens,
        tokenizer: flags.tokenizer,
        threads: flags.threads,
      });
      process.stdout.write(flags.json ? `${terminalJson(result, 2)}\n` : summary(result));
      process.exitCode = result.status === 'fail' ? EXIT.problemsFound : EXIT.ok;
    });
}

const n = formatCount;

export function checkLines(check: PreflightCheck): string[] {
  const head = `  ${check.status.padEnd(4)}  ${check.file.padEnd(10)} ${check.check.padEnd(12)} ${terminalSafe(check.message)}`;
  return check.rule ? [head, `        rule: ${check.rule} (${check.source})`] : [head];
}

function summary(result: PreflightResult): string {
  const files = result.validationFile
    ? `${terminalSafe(result.file)} + ${terminalSafe(result.validationFile)}`
    : terminalSafe(result.file);
  const lines = [`phikit preflight: ${files} for ${result.model}, ${result.epochs} epoch(s)`];
  for (const check of result.checks) lines.push(...checkLines(check));
  const cost = result.cost;
  if (cost) {
    const price =
      cost.price === null
        ? ' (pass --price-per-1k-tokens P for a price)'
        : `; at ${cost.pricePer1kTokens} per 1K tokens: ${cost.price.toFixed(cost.price < 1 ? 4 : 2)}`;
    lines.push(
      `  cost: ${n(cost.trainingTokens)} training tokens x ${cost.epochs} epoch(s) = ${n(cost.billedTokens)} billed tokens${price}`,
    );
  }
  const count = (status: string) => result.checks.filter((check) => check.status === status).length;
  lines.push(
    `  result: ${result.status} (${count('fail')} fail, ${count('warn')} warn, ${count('pass')} pass)`,
  );
  return `${lines.join('\n')}\n`;
}
