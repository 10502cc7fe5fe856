// The per-record stages of a prep run, composed from the resolved config, in pipeline order.
import type { Envelope } from '../core/envelope.js';
import type { InputFormat } from '../core/manifest.js';
import { createCleanStage, type CleanStage } from '../stages/clean.js';
import {
  createDecontaminateStage,
  type DecontaminateStage,
  type HoldoutSet,
} from '../stages/decontaminate.js';
import { createDedupeExactStage } from '../stages/dedupe-exact.js';
import { createDedupeNearStage, type DedupeNearStage } from '../stages/dedupe-near.js';
import { createParseStage } from '../stages/parse.js';
import { createTokenLengthStage } from '../stages/token-length.js';
import { createValidateStage, type ValidateOptions } from '../stages/validate.js';
import { defaultThreads } from '../tokenize/pool.js';
import { startFrontPool, type FrontPool } from './front-pool.js';
import type { FrontConfig } from './front-work.js';
import { loadHoldout } from './holdout.js';
import type { PrepConfig } from './prep-config.js';
import { StageRunner } from './stages.js';

/** What prep's writer reads from every kept envelope. */
export const WRITER_NEEDS: ReadonlyArray<keyof Envelope> = ['contentKey', 'serialized', 'hasSystem'];

export interface PrepStages {
  runner: StageRunner;
  clean: CleanStage;
  near: DedupeNearStage | undefined;
  decontaminate: DecontaminateStage | undefined;
  /** The worker threads running the front (parse, validate, clean and the work done ahead); undefined: none. */
  front: FrontPool | undefined;
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
 * Below this input size everything runs in this thread: starting workers (each loading the
 * tokenizer, each a heap of its own) costs more than they save (measured in bench/README.md:
 * one thread wins at 9 MB, even at 20-40 MB, workers win at 100 MB). Outputs do not depend on threads.
 */
export const SMALL_INPUT_BYTES = 32 * 1024 * 1024;

/**
 * Bytes of input per example, guessed from the middle (chat examples run ~0.5-4 kB), to size the
 * near-duplicate index's table: too small a guess leaves the table up to twice the size it needs
 * (5 bytes a slot), too large a one makes it grow (each growth replays every example indexed so
 * far: 80 ms of the main thread at 100 MB of 2 kB examples with a guess of 4 kB).
 */
const BYTES_PER_EXAMPLE_GUESS = 2048;

/** Worker threads for a run: as asked, else one per core from SMALL_INPUT_BYTES of input. */
export function threadsFor(config: PrepConfig, bytes: number): number {
  return config.threads ?? (bytes < SMALL_INPUT_BYTES ? 1 : defaultThreads());
}

export async function buildStages(
  config: PrepConfig,
  input: { format: InputFormat; bytes: number },
  holdout: HoldoutSet | undefined,
): Promise<PrepStages> {
  const threads = threadsFor(config, input.bytes);
  // Extra stages may read the parsed record, which stays in the workers: they run the front here.
  const front =
    threads > 1 && config.extraStages.length === 0
      ? await startFrontPool(frontConfig(config, input.format, holdout), threads)
      : undefined;
  try {
    return await composeStages(config, input, holdout, { front, threads });
  } catch (error) {
    await front?.close();
    throw error;
  }
}

/** What the front workers need to know: plain data. */
function frontConfig(config: PrepConfig, format: InputFormat, holdout: HoldoutSet | undefined): FrontConfig {
  const { near, tokens } = config;
  const signed = holdout !== undefined || near.threshold !== false || near.leakThreshold !== false;
  return {
    validate: validateOptions(config, format),
    disableClean: config.disableClean,
    tokens: tokens ? { tokenizer: tokens.tokenizer, allowSpecialText: tokens.allowSpecialText } : undefined,
    shingle: signed ? near.shingle : undefined,
    seed: config.seed,
  };
}

function validateOptions(config: PrepConfig, format: InputFormat): ValidateOptions {
  return {
    format,
    fields: config.fields,
    scenario: config.scenario,
    toolsUnsupportedBy: config.toolsUnsupportedBy,
  };
}

/**
 * `front`: the front workers, if any. Without them, `threads` above 1 (extra stages on a large
 * file) still fans token counting alone out to workers.
 */
async function composeStages(
  config: PrepConfig,
  { format, bytes }: { format: InputFormat; bytes: number },
  holdout: HoldoutSet | undefined,
  { front, threads }: { front: FrontPool | undefined; threads: number },
): Promise<PrepStages> {
  const { near, tokens } = config;
  const [parse, validate, clean] = front?.stages ?? [
    createParseStage(),
    createValidateStage(validateOptions(config, format)),
    createCleanStage({ disabled: config.disableClean }),
  ];
  const tokenStage = tokens
    ? await createTokenLengthStage({
        tokenizer: tokens.tokenizer,
        maxTokens: tokens.maxTokens,
        allowSpecialText: tokens.allowSpecialText,
        ...(front ? { precounted: { tokenizer: front.tokenizer!, threads: front.threads } } : { threads }),
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
          expectedExamples: bytes / BYTES_PER_EXAMPLE_GUESS,
        });
  const stages = [
    parse,
    validate,
    clean,
    createDedupeExactStage(),
    tokenStage,
    decontaminate,
    nearStage,
    ...config.extraStages,
  ].filter((stage) => stage !== undefined);
  const runner = new StageRunner(stages, WRITER_NEEDS, front?.timeOf);
  return { runner, clean, near: nearStage, decontaminate, front };
}
