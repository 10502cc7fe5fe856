// `validate`: the per-line checks of prep (UTF-8, JSON, chat schema, emptiness after cleaning)
// without writing anything. Memory: the first `maxErrors` problems only.
import type { RejectReason } from '../core/reasons.js';
import { readChatExamples } from './chat-examples.js';
import type { FormatOption, ReadProgress } from './read.js';

export interface ValidateOptions {
  format?: FormatOption;
  /** How many problems to keep in the result (default 20). */
  maxErrors?: number;
  /** Longest input line kept, in bytes (default 16 MiB); a longer one is `too_large`. */
  maxLineBytes?: number;
  onProgress?: (progress: ReadProgress) => void;
}

export interface LineProblem {
  line: number;
  reason: RejectReason;
  message: string;
  /** Every error of the line (schema problems can be several). */
  errors: string[];
}

export interface ValidateResult {
  file: string;
  format: string;
  formatDecision: string;
  read: number;
  blank: number;
  records: number;
  valid: number;
  invalid: number;
  byReason: Partial<Record<RejectReason, number>>;
  /** The first `maxErrors` problems, in line order. */
  problems: LineProblem[];
}

/** Problems listed by default; the counts cover every line. */
export const DEFAULT_MAX_ERRORS = 20;

export async function validate(path: string, options: ValidateOptions = {}): Promise<ValidateResult> {
  const maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
  const source = await readChatExamples(path, { ...options, clean: { disabled: [] } });
  const byReason: Partial<Record<RejectReason, number>> = {};
  const problems: LineProblem[] = [];
  let records = 0;
  let invalid = 0;
  for await (const batch of source.batches) {
    for (const envelope of batch) {
      records++;
      const rejection = envelope.rejection;
      if (!rejection) continue;
      invalid++;
      byReason[rejection.reason] = (byReason[rejection.reason] ?? 0) + 1;
      if (problems.length < maxErrors) {
        const errors = (rejection.detail?.errors as string[] | undefined) ?? [rejection.message];
        problems.push({ line: envelope.line, reason: rejection.reason, message: rejection.message, errors });
      }
    }
  }
  return {
    file: path,
    format: source.decision.format,
    formatDecision: source.decision.reason,
    read: source.counts.read,
    blank: source.counts.blank,
    records,
    valid: records - invalid,
    invalid,
    byReason,
    problems,
  };
}
