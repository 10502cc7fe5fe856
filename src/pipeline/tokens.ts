// `phikit tokens`: per-example token counts of an input file (any format prep reads) and a summary.
// Lines that are not chat examples are reported as rows, not thrown. Memory: one batch of envelopes
// plus two numbers per example (for the percentiles).
import { PhikitError } from '../core/errors.js';
import type { Distribution } from '../core/manifest.js';
import { distribution } from '../tokenize/figures.js';
import {
  createTokenizerDifferential,
  type DifferentialSummary,
  type TokenizerDifferential,
} from '../tokenize/differential.js';
import { loadTokenizer } from '../tokenize/load.js';
import { createTokenCountPool } from '../tokenize/pool.js';
import { DEFAULT_MODEL, modelPreset } from '../tokenize/presets.js';
import { readChatExamples } from './chat-examples.js';
import type { FormatOption } from './read.js';

export interface TokensOptions {
  /** Tokenizer spec; default the model preset's tokenizer (the built-in Phi-3 one). */
  tokenizer?: string;
  /** Model preset for the tokenizer and the length limit; default phi-3-mini-4k. */
  model?: string;
  /** Overrides the preset's limit. */
  maxTokens?: number;
  /** Worker threads; default every core. Counts do not depend on it. */
  threads?: number;
  format?: FormatOption;
  /** Longest input line kept, in bytes (default 16 MiB); a longer one is a skipped row. */
  maxLineBytes?: number;
  /**
   * A folder with a Hugging Face tokenizer.json (or `hf:ORG/NAME`): every text and rendered
   * conversation is also encoded by @huggingface/tokenizers from it and compared with the counting tokenizer.
   */
  diffAgainst?: string;
}

export type TokenRow =
  | {
      line: number;
      total: number;
      assistant: number;
      specialToken?: string;
      /** With `diffAgainst`: how many texts or templates of this example differ (absent when none). */
      tokenizerDifferences?: number;
    }
  | { line: number; error: string };

export interface TokensSummary {
  file: string;
  format: string;
  tokenizer: string;
  maxTokens: number;
  examples: number;
  /** Non-blank lines that are not chat examples. */
  skipped: number;
  overMaxTokens: number;
  /** Examples whose text holds special-token strings (counted as the control tokens they become). */
  withSpecialText: number;
  total: Distribution;
  assistant: Distribution;
  /** With `diffAgainst`: the differential against that tokenizer.json. */
  differential?: DifferentialSummary;
}

export async function countTokens(
  path: string,
  options: TokensOptions,
  onRow: (row: TokenRow) => void,
): Promise<TokensSummary> {
  const preset = modelPreset(options.model ?? DEFAULT_MODEL);
  const maxTokens = options.maxTokens ?? preset.maxTokens;
  // First: a bad folder must fail before the input is opened or any worker starts.
  const differential =
    options.diffAgainst === undefined
      ? undefined
      : await loadDifferential(options.tokenizer ?? preset.tokenizer, options.diffAgainst);
  const source = await readChatExamples(path, { format: options.format, maxLineBytes: options.maxLineBytes });
  const pool = await createTokenCountPool({
    tokenizer: options.tokenizer ?? preset.tokenizer,
    allowSpecialText: false,
    threads: options.threads,
  });
  const totals: number[] = [];
  const assistants: number[] = [];
  let skipped = 0;
  let overMaxTokens = 0;
  let withSpecialText = 0;
  try {
    for await (const batch of source.batches) {
      const examples = batch.filter(
        (envelope) => envelope.rejection === undefined && envelope.example !== undefined,
      );
      const results = await pool.count(examples.map((envelope) => envelope.example!));
      const byLine = new Map(examples.map((envelope, index) => [envelope.line, results[index]!]));
      for (const envelope of batch) {
        const result = byLine.get(envelope.line);
        if (result === undefined) {
          skipped++;
          onRow({ line: envelope.line, error: envelope.rejection?.message ?? 'not a chat example' });
          continue;
        }
        const { tokens, special } = result;
        totals.push(tokens.total);
        assistants.push(tokens.assistant);
        if (tokens.total > maxTokens) overMaxTokens++;
        if (special !== undefined) withSpecialText++;
        const differences = differential?.compare(envelope.line, envelope.example!).length ?? 0;
        onRow({
          line: envelope.line,
          ...tokens,
          ...(special ? { specialToken: special.token } : {}),
          ...(differences > 0 ? { tokenizerDifferences: differences } : {}),
        });
      }
    }
  } finally {
    await pool.close();
  }
  return {
    file: path,
    format: source.decision.format,
    tokenizer: pool.tokenizer,
    maxTokens,
    examples: totals.length,
    skipped,
    overMaxTokens,
    withSpecialText,
    total: distribution(totals),
    assistant: distribution(assistants),
    ...(differential ? { differential: differential.summary() } : {}),
  };
}

async function loadDifferential(tokenizerSpec: string, against: string): Promise<TokenizerDifferential> {
  const reference = await loadTokenizer(against, { engine: 'reference' });
  if (reference.engine !== 'reference') {
    throw new PhikitError(
      'USAGE',
      `diffAgainst "${against}" is a built-in tokenizer, not a tokenizer.json`,
      'pass a folder with tokenizer.json and tokenizer_config.json (e.g. microsoft/Phi-4-mini-instruct downloaded)',
      { options: ['diffAgainst'] },
    );
  }
  return createTokenizerDifferential(await loadTokenizer(tokenizerSpec), reference, against);
}
