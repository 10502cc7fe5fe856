// The one front door for chat examples outside prep's own pipeline (validate, tokens, holdout,
// eval): read, parse, validate (with the scenario), optionally clean, in batches in input order.
// Every envelope is yielded, rejected ones included, so each caller decides what a rejection means.
// Memory: one batch of envelopes.
import type { CleanRule } from '../clean/rules.js';
import type { Envelope } from '../core/envelope.js';
import { createCleanStage } from '../stages/clean.js';
import { createParseStage } from '../stages/parse.js';
import type { ScenarioSource } from '../stages/scenario.js';
import { createValidateStage } from '../stages/validate.js';
import { readEnvelopes, type EnvelopeSource, type FormatOption, type ReadProgress } from './read.js';
import { StageRunner } from './stages.js';

export interface ChatExampleOptions {
  format?: FormatOption;
  scenario?: ScenarioSource;
  /** Run the clean stage too, with these rules switched off; `false` (default) does not clean. */
  clean?: { disabled: readonly CleanRule[] } | false;
  /** Longest input line kept, in bytes (default 16 MiB). */
  maxLineBytes?: number;
  onProgress?: (progress: ReadProgress) => void;
}

export interface ChatExampleSource extends Omit<EnvelopeSource, 'batches'> {
  /** Batches of checked envelopes; the stages are released when the iteration ends, however it ends. */
  batches: AsyncIterable<Envelope[]>;
}

export async function readChatExamples(
  path: string,
  options: ChatExampleOptions = {},
): Promise<ChatExampleSource> {
  const source = await readEnvelopes(path, options.format ?? 'auto', options.onProgress, {
    maxLineBytes: options.maxLineBytes,
  });
  const runner = new StageRunner(
    [
      createParseStage(),
      createValidateStage({ format: source.decision.format, scenario: options.scenario }),
      ...(options.clean ? [createCleanStage({ disabled: options.clean.disabled })] : []),
    ],
    ['example'],
  );
  async function* checked(): AsyncGenerator<Envelope[]> {
    try {
      for await (const batch of source.batches) {
        await runner.run(batch);
        yield batch;
      }
    } finally {
      await runner.close();
    }
  }
  return { ...source, batches: checked() };
}
