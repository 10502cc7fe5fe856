// `phikit validate FILE`: exit 0 when every line is valid, 1 when some are not.
import { Option, type Command } from 'commander';
import { formatCount } from '../core/describe.js';
import { DEFAULT_MAX_ERRORS, validate, type ValidateResult } from '../pipeline/validate.js';
import { REASON_DESCRIPTIONS, type RejectReason } from '../core/reasons.js';
import { EXIT } from './exit-codes.js';
import {
  MAX_LINE_BYTES_FLAG,
  MAX_LINE_BYTES_HELP,
  parseNonNegativeInteger,
  parsePositiveInteger,
} from './options.js';
import { FORMAT_CHOICES } from './prep-flags.js';
import { createProgress } from './progress.js';
import { terminalJson, terminalSafe } from './terminal.js';

interface ValidateFlags {
  format: 'auto';
  maxErrors: number;
  maxLineBytes?: number;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('check every line against the chat fine-tuning format; exit 1 if any is invalid')
    .argument('<file>', 'input: .jsonl, .json (one top-level array) or either .gz')
    .addOption(new Option('--format <format>', 'input format').choices(FORMAT_CHOICES).default('auto'))
    .option('--max-errors <n>', 'problems to list', parseNonNegativeInteger, DEFAULT_MAX_ERRORS)
    .option(MAX_LINE_BYTES_FLAG, MAX_LINE_BYTES_HELP, parsePositiveInteger)
    .option('--json', 'print the result as JSON')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (file: string, flags: ValidateFlags) => {
      const progress = createProgress('validate', Boolean(flags.quiet) || Boolean(flags.json));
      const result = await validate(file, {
        format: flags.format,
        maxErrors: flags.maxErrors,
        maxLineBytes: flags.maxLineBytes,
        onProgress: (p) => progress.update(p),
      });
      progress.stop();
      process.stdout.write(flags.json ? `${terminalJson(result, 2)}\n` : summary(result));
      process.exitCode = result.invalid > 0 ? EXIT.problemsFound : EXIT.ok;
    });
}

function summary(result: ValidateResult): string {
  const n = formatCount;
  const lines = [
    `phikit validate: ${terminalSafe(result.file)} (${result.format}; ${result.formatDecision})`,
    `  ${n(result.records)} records (${n(result.blank)} blank lines skipped): ${n(result.valid)} valid, ${n(result.invalid)} invalid`,
  ];
  for (const [reason, count] of Object.entries(result.byReason) as Array<[RejectReason, number]>) {
    lines.push(`    ${reason.padEnd(20)} ${n(count).padStart(8)}  ${REASON_DESCRIPTIONS[reason]}`);
  }
  if (result.problems.length > 0) {
    lines.push(`  first ${result.problems.length} problems:`);
    for (const problem of result.problems)
      lines.push(`    line ${problem.line}: ${terminalSafe(problem.message)} [${problem.reason}]`);
  }
  return `${lines.join('\n')}\n`;
}
