// The allowed range of every numeric option of `evaluate` and `compare`, checked once where options
// enter (the library here, the CLI in cli/eval.ts with flag wording): a bad number is a usage error,
// never a crash deep inside a timer or a loop.
import { PhikitError } from '../core/errors.js';

export interface NumericRange {
  min: number;
  max: number;
  /** The minimum itself is not allowed (e.g. a timeout of 0). */
  minExclusive?: boolean;
  integer: boolean;
  /** What the number counts, for messages ('' when it counts nothing). */
  unit: string;
}

/** Timers in Node hold at most 2^31-1 ms; a day is plenty for one request. */
const DAY_MS = 86_400_000;

export const DEFAULT_MAX_ANSWER_BYTES = 1024 * 1024;

/** Defaults of `evaluate` and `compare` (and so of their flags). */
export const EVAL_DEFAULTS = {
  seed: 42,
  temperature: 0,
  concurrency: 4,
  timeoutMs: 60_000,
  azureApiVersion: '2024-10-21',
} as const;

export const EVAL_LIMITS = {
  timeoutMs: { min: 0, minExclusive: true, max: DAY_MS, integer: false, unit: 'milliseconds' },
  concurrency: { min: 1, max: 1024, integer: true, unit: 'requests in flight' },
  rpm: { min: 1, max: 1_000_000, integer: true, unit: 'requests per minute' },
  retries: { min: 0, max: 100, integer: true, unit: 'retries' },
  retryBaseDelayMs: { min: 0, max: DAY_MS, integer: false, unit: 'milliseconds' },
  limit: { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true, unit: 'examples' },
  seed: { min: 0, max: 2 ** 32 - 1, integer: true, unit: '' },
  temperature: { min: 0, max: 2, integer: false, unit: '' },
  maxTokens: { min: 1, max: 10_000_000, integer: true, unit: 'tokens' },
  // Far below V8's largest string (~512 MB), so results.jsonl lines stay readable.
  maxAnswerBytes: { min: 1, max: 64 * 1024 * 1024, integer: true, unit: 'bytes' },
} satisfies Record<string, NumericRange>;

export type LimitedOption = keyof typeof EVAL_LIMITS;

/** Why `value` is out of `range`, or undefined when it is fine. */
export function rangeProblem(value: number, range: NumericRange): string | undefined {
  const kind = range.integer ? 'a whole number' : 'a number';
  const low = range.minExclusive ? `above ${range.min}` : `from ${range.min}`;
  const what = range.unit ? `${kind} of ${range.unit}` : kind;
  const expected = `${what} ${low} ${range.minExclusive ? 'and at most' : 'to'} ${range.max}`;
  const ok =
    Number.isFinite(value) &&
    (!range.integer || Number.isInteger(value)) &&
    (range.minExclusive ? value > range.min : value >= range.min) &&
    value <= range.max;
  return ok ? undefined : expected;
}

/** Throws a usage error naming the first option of `options` out of its range. */
export function checkNumericOptions(caller: string, options: Partial<Record<LimitedOption, unknown>>): void {
  for (const name of Object.keys(EVAL_LIMITS) as LimitedOption[]) {
    const value = options[name];
    if (value === undefined) continue;
    const problem = typeof value === 'number' ? rangeProblem(value, EVAL_LIMITS[name]) : 'a number';
    if (problem !== undefined) {
      throw new PhikitError(
        'USAGE',
        `${caller}: options.${name} must be ${problem} (got ${typeof value === 'number' ? value : JSON.stringify(value)})`,
        `pass ${name} within that range, or leave it out for the default`,
      );
    }
  }
}
