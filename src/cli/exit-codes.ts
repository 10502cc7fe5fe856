// The one table from error codes to process exit codes (documented in README.md).
import type { PhikitErrorCode } from '../core/errors.js';

export const EXIT = {
  ok: 0,
  /** `validate`: some lines are invalid. `eval`: some requests failed after all retries. `compare --fail-on-regression`: a significant regression. */
  problemsFound: 1,
  usage: 2,
  input: 3,
  output: 4,
  environment: 5,
  internal: 70,
} as const;

export const EXIT_FOR_ERROR: Record<PhikitErrorCode, number> = {
  USAGE: EXIT.usage,
  CONFIG_INVALID: EXIT.usage,
  INPUT_NOT_FOUND: EXIT.input,
  INPUT_UNREADABLE: EXIT.input,
  OUTPUT_UNWRITABLE: EXIT.output,
  TOKENIZER_UNAVAILABLE: EXIT.environment,
  ENDPOINT_UNAVAILABLE: EXIT.environment,
  DEPENDENCY_MISSING: EXIT.environment,
  INTERNAL: EXIT.internal,
};
