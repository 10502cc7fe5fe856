// Errors that stop a run. Bad data is never thrown: it becomes a rejection with a reason code.
// The CLI maps `code` to an exit code in one table (src/cli/exit-codes.ts).

export type PhikitErrorCode =
  | 'USAGE'
  | 'INPUT_NOT_FOUND'
  | 'INPUT_UNREADABLE'
  | 'OUTPUT_UNWRITABLE'
  | 'CONFIG_INVALID'
  | 'TOKENIZER_UNAVAILABLE'
  | 'ENDPOINT_UNAVAILABLE'
  | 'DEPENDENCY_MISSING'
  | 'INTERNAL';

export class PhikitError extends Error {
  readonly code: PhikitErrorCode;
  /** What the user can do about it, one line. */
  readonly hint: string | undefined;
  /** Library option names the message and hint mention (the CLI shows them as flags). */
  readonly options: readonly string[];

  constructor(
    code: PhikitErrorCode,
    message: string,
    hint?: string,
    details?: { cause?: unknown; options?: readonly string[] },
  ) {
    super(message, details?.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'PhikitError';
    this.code = code;
    this.hint = hint;
    this.options = details?.options ?? [];
  }
}

export function isPhikitError(error: unknown): error is PhikitError {
  return error instanceof PhikitError;
}
