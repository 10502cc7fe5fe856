// `--format auto`: decides the format of a whole file from its first records, by majority.
import type { InputFormat } from '../core/manifest.js';

export const FORMATS: readonly InputFormat[] = ['messages', 'sharegpt', 'alpaca', 'prompt-completion'];

/** How many parseable records `auto` looks at. */
export const DETECT_SAMPLE = 100;

export function formatOf(record: unknown): InputFormat | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  if ('messages' in record) return 'messages';
  if ('conversations' in record) return 'sharegpt';
  if ('instruction' in record && 'output' in record) return 'alpaca';
  if ('prompt' in record && 'completion' in record) return 'prompt-completion';
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
