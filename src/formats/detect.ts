// `--format auto`: decides the format of a whole file from its first records, by majority.
import type { InputFormat } from '../core/manifest.js';
import { looksLikeTemplate } from './template.js';

/** The formats auto can pick, in the order a tie is broken (`fields` needs a mapping). */
export const FORMATS: readonly InputFormat[] = [
  'messages',
  'sharegpt',
  'alpaca',
  'prompt-completion',
  'prompt-response',
  'question-answer',
  'dolly',
  'query-response',
  'input-output',
  'template',
];

/** How many parseable records `auto` looks at. */
export const DETECT_SAMPLE = 100;

/** The keys that name each format; the first match wins (Alpaca's instruction/output before input/output). */
const KEYS_OF: ReadonlyArray<readonly [InputFormat, readonly string[]]> = [
  ['messages', ['messages']],
  ['sharegpt', ['conversations']],
  ['alpaca', ['instruction', 'output']],
  ['dolly', ['instruction', 'response']],
  ['prompt-completion', ['prompt', 'completion']],
  ['prompt-response', ['prompt', 'response']],
  ['question-answer', ['question', 'answer']],
  ['query-response', ['query', 'response']],
  ['input-output', ['input', 'output']],
];

export function formatOf(record: unknown): InputFormat | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  for (const [format, keys] of KEYS_OF) if (keys.every((key) => key in record)) return format;
  if (looksLikeTemplate(record)) return 'template';
  return undefined;
}

export interface FormatDecision {
  format: InputFormat;
  /** One sentence for the manifest and the run summary. */
  reason: string;
}

export function decideFormat(sample: unknown[]): FormatDecision {
  const votes = new Map<InputFormat, number>();
  for (const record of sample) {
    const format = formatOf(record);
    if (format) votes.set(format, (votes.get(format) ?? 0) + 1);
  }
  let best: InputFormat | undefined;
  for (const format of FORMATS)
    if ((votes.get(format) ?? 0) > (best ? (votes.get(best) ?? 0) : 0)) best = format;
  if (!best) {
    return {
      format: 'messages',
      reason: `auto: no known format in the first ${sample.length} records, read as messages`,
    };
  }
  return {
    format: best,
    reason: `auto: ${best} (${votes.get(best)} of the first ${sample.length} parseable records look like it)`,
  };
}
