// `phikit tokens FILE`: per-example token counts (line, total, assistant) and a summary.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatCount } from '../core/describe.js';
import { countTokens, type TokenRow, type TokensSummary } from '../pipeline/tokens.js';
import { MODEL_PRESETS } from '../tokenize/presets.js';
import type { DifferentialSummary, TokenizerDifference } from '../tokenize/differential.js';
import type { FormatOption } from '../pipeline/read.js';
import { DEFAULT_MODEL } from '../tokenize/presets.js';
import { EXIT } from './exit-codes.js';
import { MAX_LINE_BYTES_FLAG, MAX_LINE_BYTES_HELP } from './options.js';
import { FORMAT_CHOICES } from './prep-flags.js';
import { terminalJson, terminalSafe } from './terminal.js';

interface TokensFlags {
  json?: boolean;
  tokenizer?: string;
  model: string;
  maxTokens?: number;
  threads?: number;
  format: FormatOption;
  maxLineBytes?: number;
  diffAgainst?: string;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('must be a positive integer');
  return number;
}

export function register(program: Command): void {
  program
    .command('tokens')
    .description(
      'count tokens per example as the model sees them (chat template + tokenizer), then a summary',
    )
    .argument('<file>', 'chat JSONL file, one {"messages": [...]} per line')
    .option('--json', 'JSON Lines: one object per example, then {"summary": {...}}')
    .option(
      '--tokenizer <spec>',
      'phi-3 (built in, offline), phi-3-legacy, a Hugging Face tokenizer folder, or hf:ORG/NAME (downloaded once)',
    )
    .option('--model <name>', `model preset: ${Object.keys(MODEL_PRESETS).join(', ')}`, DEFAULT_MODEL)
    .option(
      '--max-tokens <n>',
      "length limit to report against (default: the model's context)",
      positiveInteger,
    )
    .option('--threads <n>', 'worker threads for counting (default: every core)', positiveInteger)
    .addOption(new Option('--format <format>', 'input format').choices(FORMAT_CHOICES).default('auto'))
    .option(MAX_LINE_BYTES_FLAG, MAX_LINE_BYTES_HELP, positiveInteger)
    .option(
      '--diff-against <dir>',
      'also encode every text and rendered conversation with this tokenizer.json (@huggingface/tokenizers) and report the differences; exit 1 when any',
    )
    .action(async (file: string, flags: TokensFlags) => {
      const write = (text: string): void => void process.stdout.write(text);
      // The header waits for the first row, so an error while loading leaves stdout empty.
      let header = flags.json ? '' : 'line\ttotal\tassistant\n';
      const writeRow = (text: string): void => {
        write(header + text);
        header = '';
      };
      const summary = await countTokens(
        file,
        {
          tokenizer: flags.tokenizer,
          model: flags.model,
          maxTokens: flags.maxTokens,
          threads: flags.threads,
          format: flags.format,
          maxLineBytes: flags.maxLineBytes,
          diffAgainst: flags.diffAgainst,
        },
        (row) => writeRow(flags.json ? `${terminalJson(row)}\n` : textRow(row)),
      );
      writeRow(flags.json ? `${terminalJson({ summary })}\n` : textSummary(summary));
      const { differential } = summary;
      if (differential === undefined) return;
      if (!flags.json) write(textDifferential(differential));
      process.exitCode = differential.differingExamples > 0 ? EXIT.problemsFound : EXIT.ok;
    });
}

function textRow(row: TokenRow): string {
  if ('error' in row) return `${row.line}\t-\t-\tskipped: ${terminalSafe(row.error)}\n`;
  const special = row.specialToken === undefined ? '' : `\tcontains special token ${row.specialToken}`;
  const differs =
    row.tokenizerDifferences === undefined
      ? ''
      : `\t${row.tokenizerDifferences} differences from --diff-against`;
  return `${row.line}\t${row.total}\t${row.assistant}${special}${differs}\n`;
}

function textSummary(summary: TokensSummary): string {
  const format = (value: number): string => formatCount(Math.round(value));
  const line = (label: string, d: TokensSummary['total']): string =>
    `${label.padEnd(10)} sum ${format(d.sum)}  mean ${format(d.mean)}  p50 ${format(d.p50)}  p90 ${format(d.p90)}  ` +
    `p95 ${format(d.p95)}  p99 ${format(d.p99)}  max ${format(d.max)}\n`;
  return (
    `\n${formatCount(summary.examples)} examples (${summary.skipped} lines skipped), tokenizer ${terminalSafe(summary.tokenizer)}\n` +
    line('total', summary.total) +
    line('assistant', summary.assistant) +
    `${summary.overMaxTokens} over ${summary.maxTokens} tokens, ${summary.withSpecialText} with special-token strings in their text\n`
  );
}

function textDifferential(differential: DifferentialSummary): string {
  const head =
    `\ndifferential: ${terminalSafe(differential.tokenizer)} against ${terminalSafe(differential.against)} ` +
    `(@huggingface/tokenizers): ${differential.differingExamples} of ${differential.examples} examples differ ` +
    `(${differential.differingTexts} of ${differential.texts} texts, ${differential.differingTemplates} renders)\n`;
  return head + differential.first.map(textDifference).join('');
}

function textDifference(difference: TokenizerDifference): string {
  const place = `  line ${difference.line} ${difference.where}`;
  if (difference.kind === 'template') {
    return (
      `${place}, character ${difference.at}: ${terminalSafe(JSON.stringify(difference.tokenizer))} ` +
      `vs ${terminalSafe(JSON.stringify(difference.reference))}\n`
    );
  }
  const [ours, theirs] = difference.lengths;
  return (
    `${place}, token ${difference.at} (of ${ours} vs ${theirs}): ` +
    `[${difference.tokenizer.join(', ')}] vs [${difference.reference.join(', ')}]\n`
  );
}
