// The per-record stages of a prep run, composed from the resolved config, in pipeline order.
import type { Envelope } from '../core/envelope.js';
import type { InputFormat } from '../core/manifest.js';
import { createCleanStage } from '../stages/clean.js';
import {
  createDecontaminateStage,
  type DecontaminateStage,
  type HoldoutSet,
} from '../stages/decontaminate.js';
import { createDedupeExactStage } from '../stages/dedupe-exact.js';
import { createDedupeNearStage, type DedupeNearStage } from '../stages/dedupe-near.js';
import { createParseStage } from '../stages/parse.js';
import { createTokenLengthStage } from '../stages/token-length.js';
import { createValidateStage } from '../stages/validate.js';
import { loadHoldout } from './holdout.js';
import type { PrepConfig } from './prep-config.js';
import { StageRunner } from './stages.js';

/** What prep's writer reads from every kept envelope. */
export const WRITER_NEEDS: ReadonlyArray<keyof Envelope> = ['example', 'contentKey', 'serialized'];

export interface PrepStages {
  runner: StageRunner;
  clean: ReturnType<typeof createCleanStage>;
  near: DedupeNearStage | undefined;
  decontaminate: DecontaminateStage | undefined;
}

export async function loadPrepHoldout(config: PrepConfig): Promise<HoldoutSet | undefined> {
  if (config.holdout === undefined) return undefined;
  return loadHoldout(config.holdout, {
    threshold: config.near.holdoutThreshold,
    shingle: config.near.shingle,
    disableClean: config.disableClean,
  });
}

/**
 * Below this input size the token count runs on the main thread: starting a worker per core
 * (each building the vocabulary) costs more than it saves. Counts do not depend on threads.
 */
export const SMALL_INPUT_BYTES = 8 * 1024 * 1024;

export async function buildStages(
  config: PrepConfig,
  input: { format: InputFormat; bytes: number },
  holdout: HoldoutSet | undefined,
): Promise<PrepStages> {
  const { near, tokens } = config;
  const clean = createCleanStage({ disabled: config.disableClean });
  const tokenStage = tokens
    ? await createTokenLengthStage({
        tokenizer: tokens.tokenizer,
        maxTokens: tokens.maxTokens,
        allowSpecialText: tokens.allowSpecialText,
        threads: tokens.threads ?? (input.bytes < SMALL_INPUT_BYTES ? 1 : undefined),
      })
    : undefined;
  const decontaminate = holdout ? createDecontaminateStage(holdout, near.shingle) : undefined;
  const nearStage =
    near.threshold === false && near.leakThreshold === false
      ? undefined
      : createDedupeNearStage({
          threshold: near.threshold,
          shingle: near.shingle,
          leakThreshold: near.leakThreshold,
        });
  const stages = [
    createParseStage(),
    createValidateStage({
      format: input.format,
      fields: config.fields,
      scenario: config.scenario,
      toolsUnsupportedBy: config.toolsUnsupportedBy,
    }),
    clean,
    createDedupeExactStage(),
    tokenStage,
    decontaminate,
    nearStage,
    ...config.extraStages,
  ].filter((stage) => stage !== undefined);
  return { runner: new StageRunner(stages, WRITER_NEEDS), clean, near: nearStage, decontaminate };
}
