// `phikit tokens`: per-example token counts of a chat JSONL file, and a summary. Lines that are not
// chat examples are reported, not thrown. Memory: one batch of lines plus two numbers per example.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { PhikitError } from '../core/errors.js';
import type { ChatMessage } from '../core/example.js';
import type { Distribution } from '../core/manifest.js';
import { distribution } from './figures.js';
import { createTokenCountPool } from './pool.js';
import { DEFAULT_MODEL, modelPreset } from './presets.js';

export interface TokensOptions {
  /** Tokenizer spec; default the model preset's tokenizer. */
  tokenizer?: string;
  /** Model preset (for the tokenizer and the length limit); default phi-3-mini-4k. */
  model?: string;
  /** Overrides the preset's limit. */
  maxTokens?: number;
  threads?: number;
}

export type TokenRow =
  { line: number; total: number; assistant: number; specialToken?: string } | { line: number; error: string };

export interface TokensSummary {
  file: string;
  tokenizer: string;
  maxTokens: number;
  examples: number;
  /** Non-blank lines that are not chat examples. */
  skipped: number;
  overMaxTokens: number;
  withSpecialText: number;
  total: Distribution;
  assistant: Distribution;
}

const BATCH = 512;

export async function countFileTokens(
  path: string,
  options: TokensOptions,
  onRow: (row: TokenRow) => void,
): Promise<TokensSummary> {
  const preset = modelPreset(options.model ?? DEFAULT_MODEL);
  const maxTokens = options.maxTokens ?? preset.maxTokens;
  try {
    if (!(await stat(path)).isFile()) throw new Error('not a file');
  } catch {
    throw new PhikitError(
      'INPUT_NOT_FOUND',
      `cannot read ${path}: no such file`,
      'check the path and try again',
    );
  }
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
  let batch: Array<{ line: number; messages: ChatMessage[] }> = [];

  const flush = async (): Promise<void> => {
    const results = await pool.count(batch.map((item) => item.messages));
    batch.forEach((item, index) => {
      const { tokens, special } = results[index]!;
      totals.push(tokens.total);
      assistants.push(tokens.assistant);
      if (tokens.total > maxTokens) overMaxTokens++;
      if (special !== undefined) withSpecialText++;
      onRow({ line: item.line, ...tokens, ...(special ? { specialToken: special.token } : {}) });
    });
    batch = [];
  };

  try {
    const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    let lineNumber = 0;
    for await (const text of lines) {
      lineNumber++;
      if (text.trim() === '') continue;
      const messages = chatMessages(lineNumber === 1 ? text.replace(/^\uFEFF/, '') : text);
      if (typeof messages === 'string') {
        // Rows go out in line order, so earlier examples must be counted first.
        if (batch.length > 0) await flush();
        skipped++;
        onRow({ line: lineNumber, error: messages });
        continue;
      }
      batch.push({ line: lineNumber, messages });
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length > 0) await flush();
  } finally {
    await pool.close();
  }
  return {
    file: path,
    tokenizer: pool.tokenizer,
    maxTokens,
    examples: totals.length,
    skipped,
    overMaxTokens,
    withSpecialText,
    total: distribution(totals),
    assistant: distribution(assistants),
  };
}

/** The messages of a chat line, or why it is not one. */
function chatMessages(text: string): ChatMessage[] | string {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  const messages = (record as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages) || messages.length === 0) return 'no "messages" array';
  for (const [index, message] of messages.entries()) {
    const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown };
    if (role !== 'system' && role !== 'user' && role !== 'assistant')
      return `messages[${index}].role is not system, user or assistant`;
    if (typeof content !== 'string') return `messages[${index}].content is not a string`;
  }
  return messages as ChatMessage[];
}
